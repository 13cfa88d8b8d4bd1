package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.estimator.hook.NanLossDuringTrainingException;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.layers.Dense;
import io.estimator4j.estimator.layers.DenseLayer;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.modelfn.Params;
import io.estimator4j.estimator.optimizer.GradientDescent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class EstimatorFailureTest {
  @TempDir Path dir;

  @Test
  void nanLossStopsTrainingAndNamesTheStep() {
    // learning rate 1e6 on squared loss diverges: |w| grows ~1e6x per step, overflowing to inf
    // and then NaN within a few steps.
    Estimator est =
        Estimator.builder(TestModels.LINEAR)
            .config(TestModels.quietConfig().modelDir(dir).build())
            .params(Params.of(java.util.Map.of("learning_rate", 1e6)))
            .build();
    assertThatThrownBy(() -> est.train(TestModels.trainInput(null), StepLimit.steps(100)))
        .isInstanceOf(NanLossDuringTrainingException.class)
        .hasMessageContaining("at step")
        .satisfies(e -> assertThat(((NanLossDuringTrainingException) e).step()).isBetween(1L, 99L));
    // the checkpoint saved at session start is still there and usable
    assertThat(CheckpointState.stepOf(est.latestCheckpoint().orElseThrow())).isZero();
  }

  @Test
  void missingFeatureNamesTheFeatureAndThePresentKeys() {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    ArrayInput wrong =
        ArrayInput.builder().feature("z", TestModels.X).labels(TestModels.Y).batchSize(8).build();
    assertThatThrownBy(() -> est.train(wrong, StepLimit.steps(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Feature 'x' is not in the input")
        .hasMessageContaining("[z]");
  }

  @Test
  void wrongDtypeNamesExpectedAndFound() {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    ArrayInput ints =
        ArrayInput.builder()
            .feature("x", new int[] {1, 2, 3, 4})
            .labels(new float[] {1, 2, 3, 4})
            .batchSize(2)
            .build();
    assertThatThrownBy(() -> est.train(ints, StepLimit.steps(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Wrong dtype for feature 'x'")
        .hasMessageContaining("expected TFloat32, found TInt32");
  }

  @Test
  void labelShapeMismatchIsExplained() {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    ArrayInput wide =
        ArrayInput.builder()
            .feature("x", new float[] {1, 2})
            .labels(new float[][] {{1, 2}, {3, 4}})
            .batchSize(2)
            .build();
    assertThatThrownBy(() -> est.train(wide, StepLimit.steps(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Mismatched label shape")
        .hasMessageContaining("[batch]")
        .hasMessageContaining("Suggested fix");
  }

  @Test
  void modelDirThatIsAFileIsRejected() throws Exception {
    Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
    assertThatThrownBy(() -> TestModels.linear(file, TestModels.quietConfig()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is a file, not a directory");
  }

  @Test
  void checkpointFromAnotherGraphNamesTheVariables() {
    TestModels.linear(dir, TestModels.quietConfig())
        .train(TestModels.trainInput(null), StepLimit.steps(2));
    // same model_dir, a model whose layer has 3 units and another scope
    ModelFn other =
        ctx -> {
          Ops tf = ctx.tf();
          Operand<TFloat32> x =
              tf.reshape(ctx.feature("x", TFloat32.class), tf.constant(new long[] {-1, 1}));
          DenseLayer l = Dense.builder(3).build().apply(tf.withSubScope("linear"), x);
          Operand<TFloat32> loss =
              tf.math.mean(tf.math.mean(l.output(), tf.constant(1)), tf.constant(0));
          return EstimatorSpec.builder(ctx.mode())
              .loss(loss)
              .prediction("y", l.output())
              .trainOp(
                  GradientDescent.of(0.1)
                      .minimize(tf, loss, l.trainableVariables(), ctx.globalStep()))
              .build();
        };
    Estimator est =
        Estimator.builder(other).config(TestModels.quietConfig().modelDir(dir).build()).build();
    assertThatThrownBy(() -> est.train(TestModels.trainInput(null), StepLimit.steps(1)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was written by a different graph")
        .hasMessageContaining(
            "linear/kernel: graph has DT_FLOAT[1, 3], checkpoint has DT_FLOAT[1, 1]")
        .hasMessageContaining("use a new model_dir");
  }

  @Test
  void specIsValidatedByMode() {
    assertThatThrownBy(() -> EstimatorSpec.builder(ModeKeys.TRAIN).build())
        .hasMessageContaining("TRAIN needs a loss");
    assertThatThrownBy(() -> EstimatorSpec.builder(ModeKeys.PREDICT).build())
        .hasMessageContaining("PREDICT needs predictions");
  }

  @Test
  void noLabelsForTrainingIsExplained() {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    assertThatThrownBy(() -> est.train(TestModels.predictInput(), StepLimit.steps(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("returned no labels");
  }
}
