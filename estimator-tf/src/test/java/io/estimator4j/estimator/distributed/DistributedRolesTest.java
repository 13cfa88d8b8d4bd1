package io.estimator4j.estimator.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.config.RunConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.ServerDef;

/** Role dispatch, validation and configuration, without servers. */
class DistributedRolesTest {
  private static final String CLUSTER =
      "{\"chief\": [\"h:1\"], \"worker\": [\"h:2\", \"h:3\"], " + "\"ps\": [\"h:4\"]}";

  @TempDir Path dir;

  static ClusterConfig task(String cluster, String type, int index) {
    return ClusterConfig.parse(
        "{\"cluster\": "
            + cluster
            + ", \"task\": {\"type\": \""
            + type
            + "\", \"index\": "
            + index
            + "}}");
  }

  @Test
  void aClusterWithoutChiefIsRefusedNamingTfConfigAndTheFix() {
    assertThatThrownBy(() -> task("{\"worker\": [\"h:2\"], \"ps\": [\"h:4\"]}", "worker", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TF_CONFIG cluster has no 'chief' job")
        .hasMessageContaining("Fix: add \"chief\"");
    ClusterConfig direct =
        new ClusterConfig(Map.of("worker", List.of("h:2"), "ps", List.of("h:4")), "worker", 0, "");
    assertThatThrownBy(() -> DistributedTraining.validate(direct))
        .hasMessageContaining("TF_CONFIG cluster has no 'chief' job")
        .hasMessageContaining("Fix:");
  }

  @Test
  void severalTrainersWithoutPsAreRefused() {
    ClusterConfig worker = task("{\"chief\": [\"h:1\"], \"worker\": [\"h:2\"]}", "worker", 0);
    assertThatThrownBy(() -> DistributedTraining.validate(worker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("TF_CONFIG cluster has 2 training tasks but no 'ps' job")
        .hasMessageContaining("Fix: add \"ps\"");
    // a lone chief needs no ps
    DistributedTraining.validate(task("{\"chief\": [\"h:1\"]}", "chief", 0));
  }

  @Test
  void onlyEvaluatorZeroIsAccepted() {
    assertThatThrownBy(() -> task(CLUSTER, "evaluator", 1))
        .hasMessageContaining("TF_CONFIG task is evaluator/1")
        .hasMessageContaining("Fix:");
    ClusterConfig direct = new ClusterConfig(Map.of(), "evaluator", 2, "");
    assertThatThrownBy(() -> DistributedTraining.validate(direct))
        .hasMessageContaining("only one evaluator (index 0)");
  }

  @Test
  void anUnknownTaskTypeIsRefused() {
    ClusterConfig trainer = task("{\"chief\": [\"h:1\"], \"trainer\": [\"h:2\"]}", "trainer", 0);
    assertThatThrownBy(() -> DistributedTraining.validate(trainer))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown task type 'trainer' in TF_CONFIG task.type")
        .hasMessageContaining("chief, worker, ps, evaluator, master");
    Estimator est =
        Estimator.builder(DistributedTrainAndEvaluateTest.LINEAR)
            .config(RunConfig.builder().cluster(trainer).modelDir(dir).build())
            .build();
    TrainSpec train = TrainSpec.of(DistributedTrainAndEvaluateTest.input(null), 10L);
    assertThatThrownBy(
            () ->
                TrainAndEvaluate.run(
                    est, train, EvalSpec.of(DistributedTrainAndEvaluateTest.input(1))))
        .hasMessageContaining("Unknown task type 'trainer'");
  }

  @Test
  void psAndEvaluatorDoNotTrainAndDistributedTrainingNeedsMaxSteps() {
    for (ClusterConfig c : List.of(task(CLUSTER, "ps", 0), task(CLUSTER, "evaluator", 0))) {
      Estimator est =
          Estimator.builder(DistributedTrainAndEvaluateTest.LINEAR)
              .config(RunConfig.builder().cluster(c).modelDir(dir).build())
              .build();
      assertThatThrownBy(
              () -> est.train(DistributedTrainAndEvaluateTest.input(1), StepLimit.maxSteps(5)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("TF_CONFIG task type " + c.taskType() + " does not train");
    }
    Estimator chief =
        Estimator.builder(DistributedTrainAndEvaluateTest.LINEAR)
            .config(RunConfig.builder().cluster(task(CLUSTER, "chief", 0)).modelDir(dir).build())
            .build();
    TrainSpec untilEnd = TrainSpec.of(DistributedTrainAndEvaluateTest.input(1), null);
    assertThatThrownBy(
            () ->
                TrainAndEvaluate.run(
                    chief, untilEnd, EvalSpec.of(DistributedTrainAndEvaluateTest.input(1))))
        .hasMessageContaining("TrainSpec maxSteps")
        .hasMessageContaining("Fix:");
  }

  @Test
  void theParameterServerMethodRefusesOtherRoles() {
    RunConfig worker = RunConfig.builder().cluster(task(CLUSTER, "worker", 1)).build();
    assertThatThrownBy(() -> DistributedTraining.startParameterServer(worker))
        .hasMessageContaining("runs the ps role, but TF_CONFIG says this task is worker/1");
  }

  @Test
  void deviceFiltersFollowTensorFlow() {
    assertThat(DistributedTraining.deviceFilters(task(CLUSTER, "chief", 0)))
        .containsExactly("/job:ps", "/job:chief");
    assertThat(DistributedTraining.deviceFilters(task(CLUSTER, "worker", 1)))
        .containsExactly("/job:ps", "/job:worker/task:1");
    assertThat(DistributedTraining.deviceFilters(task(CLUSTER, "ps", 0)))
        .containsExactly("/job:ps", "/job:worker", "/job:chief", "/job:master");
    assertThat(DistributedTraining.deviceFilters(task(CLUSTER, "evaluator", 0))).isEmpty();
    assertThat(DistributedTraining.deviceFilters(ClusterConfig.local())).isEmpty();

    RunConfig worker = RunConfig.builder().cluster(task(CLUSTER, "worker", 0)).build();
    ConfigProto cfg = DistributedTraining.sessionConfig(worker);
    assertThat(cfg.getDeviceFiltersList()).containsExactly("/job:ps", "/job:worker/task:0");
    assertThat(cfg.getAllowSoftPlacement()).isTrue();
    RunConfig own =
        worker.toBuilder()
            .sessionConfig(ConfigProto.newBuilder().addDeviceFilters("/job:ps/task:0").build())
            .build();
    assertThat(DistributedTraining.sessionConfig(own).getDeviceFiltersList())
        .containsExactly("/job:ps/task:0");
  }

  @Test
  void workersStartAfterMinOfCapAndFiveSecondsPerIndex() {
    String many = "{\"chief\": [\"h:1\"], \"ps\": [\"h:4\"], \"worker\": " + workers(20) + "}";
    // min(60, (index + 1) * 5)
    assertThat(DistributedTraining.workerDelaySecs(config(task(many, "worker", 0), 60)))
        .isEqualTo(5);
    assertThat(DistributedTraining.workerDelaySecs(config(task(many, "worker", 2), 60)))
        .isEqualTo(15);
    assertThat(DistributedTraining.workerDelaySecs(config(task(many, "worker", 19), 60)))
        .isEqualTo(60);
    assertThat(DistributedTraining.workerDelaySecs(config(task(many, "worker", 3), 0))).isZero();
    assertThat(DistributedTraining.workerDelaySecs(config(task(many, "chief", 0), 60))).isZero();
    assertThat(RunConfig.builder().build().maxWorkerDelaySecs()).isEqualTo(60);
  }

  @Test
  void theServerDefHoldsTheWholeClusterAndThisTask() {
    ServerDef def =
        TaskServer.serverDef(task(CLUSTER, "worker", 1), ConfigProto.getDefaultInstance());
    assertThat(def.getJobName()).isEqualTo("worker");
    assertThat(def.getTaskIndex()).isEqualTo(1);
    assertThat(def.getProtocol()).isEqualTo("grpc");
    assertThat(def.getCluster().getJobList()).hasSize(3);
    assertThat(
            def.getCluster().getJobList().stream()
                .filter(j -> j.getName().equals("worker"))
                .findFirst()
                .orElseThrow()
                .getTasksMap())
        .containsEntry(0, "h:2")
        .containsEntry(1, "h:3");
    assertThatThrownBy(
            () ->
                TaskServer.serverDef(
                    task(CLUSTER, "evaluator", 0), ConfigProto.getDefaultInstance()))
        .hasMessageContaining("cannot start a server")
        .hasMessageContaining("TF_CONFIG");
  }

  private static RunConfig config(ClusterConfig c, int cap) {
    return RunConfig.builder().cluster(c).maxWorkerDelaySecs(cap).build();
  }

  private static String workers(int n) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ", ").append("\"h:").append(100 + i).append('"');
    }
    return sb.append(']').toString();
  }
}
