package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.VariableInfo;
import io.estimator4j.estimator.config.WarmStartSettings;
import io.estimator4j.estimator.modelfn.Params;
import io.estimator4j.testing.TestData;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WarmStartTest {
  @TempDir Path dir;

  @Test
  void warmStartCopiesMatchingVariablesOnce() throws Exception {
    Path source = dir.resolve("source");
    Estimator trained = TestModels.linear(source, TestModels.quietConfig());
    trained.train(TestModels.trainInput(null), StepLimit.steps(300));
    float[] kernel = read(trained, "linear/kernel");

    Estimator warm =
        Estimator.builder(TestModels.LINEAR)
            .config(TestModels.quietConfig().modelDir(dir.resolve("warm")).build())
            .warmStartFrom(WarmStartSettings.from(source.toString()).vars("linear/kernel"))
            .build();
    warm.train(TestModels.trainInput(null), StepLimit.steps(1));
    // the kernel came from the source (one more small step moves it a little); global_step did not
    assertThat(warm.variableNames()).contains("linear/kernel");
    try (CheckpointReader r = CheckpointReader.open(warm.latestCheckpoint().get())) {
      assertThat(r.readLongs("global_step")).containsExactly(1L);
      assertThat(r.readFloats("linear/kernel")[0])
          .isCloseTo(kernel[0], org.assertj.core.api.Assertions.within(0.05f));
    }
  }

  @Test
  void renamesLoadAVariableFromAnotherName() throws Exception {
    Path source = dir.resolve("source");
    Estimator trained = TestModels.linear(source, TestModels.quietConfig());
    trained.train(TestModels.trainInput(null), StepLimit.steps(300));
    float[] bias = read(trained, "linear/bias");
    // linear/kernel is [1, 1] and linear/bias is [1]: loading one from the other is refused
    Estimator wrong =
        Estimator.builder(TestModels.LINEAR)
            .config(TestModels.quietConfig().modelDir(dir.resolve("wrong")).build())
            .warmStartFrom(
                WarmStartSettings.from(source.toString()).rename("linear/kernel", "linear/bias"))
            .build();
    assertThatThrownBy(() -> wrong.train(TestModels.trainInput(null), StepLimit.steps(1)))
        .hasMessageContaining("Cannot warm-start linear/kernel from linear/bias")
        .hasMessageContaining("shape");
    // only the bias, with learning rate 1e-12 (below float precision) so the one training step
    // leaves it as loaded
    Estimator ok =
        Estimator.builder(TestModels.LINEAR)
            .config(TestModels.quietConfig().modelDir(dir.resolve("ok")).build())
            .params(Params.of(Map.of("learning_rate", 1e-12)))
            .warmStartFrom(WarmStartSettings.from(source.toString()).vars("linear/bias"))
            .build();
    ok.train(TestModels.trainInput(null), StepLimit.steps(1));
    assertThat(read(ok, "linear/bias")).containsExactly(bias);
  }

  @Test
  void listsThePythonEstimatorCheckpointVariables() {
    Path taxi = TestData.path("savedmodels/tfx-chicago-taxi-estimator");
    Map<String, VariableInfo> vars;
    try (CheckpointReader r = CheckpointReader.open(taxi.resolve("model.ckpt-1000").toString())) {
      vars = r.variables();
      assertThat(r.readLongs("global_step")).containsExactly(1000L);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    assertThat(vars.get("dnn/hiddenlayer_0/kernel").shape()).containsExactly(3, 100);
  }

  private static float[] read(Estimator est, String name) throws Exception {
    try (CheckpointReader r = CheckpointReader.open(est.latestCheckpoint().get())) {
      return r.readFloats(name);
    }
  }
}
