package io.estimator4j.estimator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.TestModels;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunConfigTest {
  @Test
  void defaultsAreTensorFlows() {
    RunConfig c = RunConfig.builder().cluster(ClusterConfig.local()).build();
    assertThat(c.saveCheckpointsSecs()).contains(600);
    assertThat(c.saveCheckpointsSteps()).isEmpty();
    assertThat(c.keepCheckpointMax()).isEqualTo(5);
    assertThat(c.keepCheckpointEveryNHours()).isEqualTo(10000);
    assertThat(c.saveSummarySteps()).isEqualTo(100);
    assertThat(c.logStepCountSteps()).isEqualTo(100);
    assertThat(c.sessionConfig().getAllowSoftPlacement()).isTrue();
    assertThat(c.isChief()).isTrue();
    assertThat(c.master()).isEmpty();
  }

  @Test
  void stepsAndSecsAreExclusive() {
    RunConfig c = RunConfig.builder().saveCheckpointsSecs(10).saveCheckpointsSteps(5).build();
    assertThat(c.saveCheckpointsSteps()).contains(5);
    assertThat(c.saveCheckpointsSecs()).isEmpty();
    assertThatThrownBy(() -> RunConfig.builder().saveCheckpointsSteps(0).build())
        .hasMessageContaining("saveCheckpointsSteps must be > 0");
    assertThatThrownBy(() -> RunConfig.builder().keepCheckpointMax(-1).build())
        .hasMessageContaining("keepCheckpointMax");
  }

  @Test
  void parsesTfConfigLikeTensorFlow() {
    String json =
        "{\"cluster\": {\"chief\": [\"host0:2222\"], \"worker\": [\"host1:2222\", "
            + "\"host2:2222\"], \"ps\": [\"host3:2222\"]}, \"task\": {\"type\": \"worker\", \"index\": 1}}";
    ClusterConfig c = ClusterConfig.parse(json);
    assertThat(c.taskType()).isEqualTo("worker");
    assertThat(c.taskId()).isEqualTo(1);
    assertThat(c.isChief()).isFalse();
    assertThat(c.numPsReplicas()).isEqualTo(1);
    // workers + chief
    assertThat(c.numWorkerReplicas()).isEqualTo(3);
    assertThat(c.master()).isEqualTo("grpc://host2:2222");
    assertThat(c.clusterSpec().get("worker")).isEqualTo(List.of("host1:2222", "host2:2222"));
    ClusterConfig chief =
        ClusterConfig.parse(json.replace("\"worker\", \"index\": 1", "\"chief\", \"index\": 0"));
    assertThat(chief.isChief()).isTrue();
  }

  @Test
  void evaluatorIsOutsideTheCluster() {
    ClusterConfig c =
        ClusterConfig.parse(
            "{\"cluster\": {\"chief\": [\"h:1\"]}, "
                + "\"task\": {\"type\": \"evaluator\", \"index\": 0}}");
    assertThat(c.clusterSpec()).isEmpty();
    assertThat(c.numWorkerReplicas()).isZero();
    assertThat(c.isChief()).isFalse();
  }

  @Test
  void badTfConfigIsExplained() {
    assertThatThrownBy(() -> ClusterConfig.parse("{not json"))
        .hasMessageContaining("TF_CONFIG is not valid JSON");
    assertThatThrownBy(
            () ->
                ClusterConfig.parse(
                    "{\"cluster\": {\"chief\": [\"a:1\"], "
                        + "\"master\": [\"b:1\"]}, \"task\": {\"type\": \"chief\", \"index\": 0}}"))
        .hasMessageContaining("both 'chief' and 'master'");
    assertThatThrownBy(
            () ->
                ClusterConfig.parse(
                    "{\"cluster\": {\"chief\": [\"a:1\"]}, "
                        + "\"task\": {\"type\": \"worker\", \"index\": 3}}"))
        .hasMessageContaining("is not in the cluster");
    assertThatThrownBy(() -> ClusterConfig.parse("{\"task\": {\"type\": \"ps\", \"index\": 0}}"))
        .hasMessageContaining("must be worker/0");
  }

  @Test
  void evaluatorCannotTrain() {
    ClusterConfig evaluator =
        ClusterConfig.parse(
            "{\"cluster\": {\"chief\": [\"h:1\"]}, "
                + "\"task\": {\"type\": \"evaluator\", \"index\": 0}}");
    Estimator est =
        Estimator.builder(TestModels.LINEAR)
            .config(RunConfig.builder().cluster(evaluator).build())
            .build();
    assertThatThrownBy(() -> est.train(TestModels.trainInput(1), StepLimit.steps(1)))
        .hasMessageContaining("does not train");
  }
}
