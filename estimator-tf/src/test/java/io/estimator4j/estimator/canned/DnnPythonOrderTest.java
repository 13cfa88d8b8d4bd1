package io.estimator4j.estimator.canned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.PredictOptions;
import io.estimator4j.estimator.Prediction;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.config.WarmStartSettings;
import io.estimator4j.estimator.head.BinaryClassHead;
import io.estimator4j.estimator.head.LossReduction;
import io.estimator4j.estimator.hook.HookContext;
import io.estimator4j.estimator.hook.SessionRunArgs;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.featurecolumn.FeatureColumns;
import io.estimator4j.testing.RawRestore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;

/**
 * The DNN canned estimators compute what dnn.py computes: per hidden layer dense with the
 * activation, then dropout (training only), then batch normalization, with dnn.py's variable names;
 * and the *Estimator(head) forms refuse options their head owns.
 *
 * <p>The numbers are those of tensorflow_estimator's dnn_testing_utils.py ({@code
 * test_one_dim_logits_with_batch_norm}): hidden units [2], kernel [[.6, .5]], bias [1, -1], batch
 * norm gamma [1, 1], beta [0, 0], moving mean [0, 0], moving variance [1, 1], logits kernel [[-1],
 * [2]], bias [.3], inputs age [[10], [20]]. The hidden layer is relu(10·[.6, .5] + [1, -1]) = [7,
 * 4] and relu(20·[.6, .5] + [1, -1]) = [13, 9].
 */
class DnnPythonOrderTest {
  @TempDir Path dir;

  private static final float[] AGE = {10f, 20f};

  /** Writes dnn_testing_utils' variables with SaveV2 and returns the prefix. */
  private String checkpoint() throws Exception {
    Files.createDirectories(dir.resolve("ckpt"));
    String prefix = dir.resolve("ckpt").resolve("model.ckpt-0").toString();
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      List<String> names =
          List.of(
              "dnn/hiddenlayer_0/kernel",
              "dnn/hiddenlayer_0/bias",
              "dnn/hiddenlayer_0/batchnorm_0/gamma",
              "dnn/hiddenlayer_0/batchnorm_0/beta",
              "dnn/hiddenlayer_0/batchnorm_0/moving_mean",
              "dnn/hiddenlayer_0/batchnorm_0/moving_variance",
              "dnn/logits/kernel",
              "dnn/logits/bias",
              "global_step");
      List<Operand<?>> values =
          List.of(
              tf.constant(new float[][] {{.6f, .5f}}),
              tf.constant(new float[] {1f, -1f}),
              tf.constant(new float[] {1f, 1f}),
              tf.constant(new float[] {0f, 0f}),
              tf.constant(new float[] {0f, 0f}),
              tf.constant(new float[] {1f, 1f}),
              tf.constant(new float[][] {{-1f}, {2f}}),
              tf.constant(new float[] {.3f}),
              tf.constant(0L));
      String[] slices = new String[names.size()];
      java.util.Arrays.fill(slices, "");
      var save =
          tf.train.save(
              tf.constant(prefix),
              tf.constant(NdArrays.vectorOfObjects(names.toArray(new String[0]))),
              tf.constant(NdArrays.vectorOfObjects(slices)),
              values);
      s.runner().addTarget(save).run();
    }
    return prefix;
  }

  private Estimator dnn(String name, boolean batchNorm, Double dropout, WarmStartSettings ws) {
    DnnBuilder b =
        DNNRegressor.builder()
            .featureColumns(List.of(FeatureColumns.numericColumn("age")))
            .hiddenUnits(2)
            .batchNorm(batchNorm)
            .config(
                RunConfig.builder()
                    .modelDir(dir.resolve(name))
                    .randomSeed(1)
                    .noPeriodicCheckpoints()
                    .logStepCountSteps(0)
                    .saveSummarySteps(0)
                    .build());
    if (dropout != null) {
      b.dropout(dropout);
    }
    if (ws != null) {
      b.warmStartFrom(ws);
    }
    return b.build();
  }

  private static ArrayInput input(int epochs) {
    return ArrayInput.builder()
        .feature("age", AGE)
        .labels(new float[] {1f, 2f})
        .batchSize(2)
        .numEpochs(epochs)
        .shuffle(false)
        .build();
  }

  private static float[] predictions(Estimator est, String checkpoint) {
    List<Prediction> out =
        est.predict(input(1), PredictOptions.defaults().withCheckpoint(checkpoint)).toList();
    return new float[] {out.get(0).floats("predictions")[0], out.get(1).floats("predictions")[0]};
  }

  @Test
  void batchNormComesAfterTheActivationInEvalAndTrain() throws Exception {
    String prefix = checkpoint();
    // EVAL/PREDICT: moving statistics; h / sqrt(1 + 0.001):
    // -7/1.0005 + 2·4/1.0005 + .3 = 1.299500375; -13/1.0005 + 2·9/1.0005 + .3 = 5.297501873
    assertThat(predictions(dnn("eval", true, null, null), prefix))
        .containsExactly(new float[] {1.299500375f, 5.297501873f}, within(1e-5f));
    // TRAIN: batch moments, mean [10, 6.5], biased variance [9, 6.25]:
    // -(-3/sqrt(9.001)) + 2·(-2.5/sqrt(6.251)) + .3 = -0.699895571, and its negation + .6
    LogitsAtFirstStep hook = new LogitsAtFirstStep();
    dnn("train", true, null, WarmStartSettings.from(prefix).vars(List.of("dnn/")))
        .train(input(100), StepLimit.steps(1), hook);
    assertThat(hook.logits)
        .containsExactly(new float[] {-0.699895571f, 1.299895571f}, within(1e-5f));
  }

  @Test
  void dropoutAppliesInTrainingOnly() throws Exception {
    String prefix = checkpoint();
    // without batch norm: -7 + 8 + .3 = 1.3 and -13 + 18 + .3 = 5.3; dropout 0.5 leaves PREDICT
    // unchanged
    assertThat(predictions(dnn("dropout", false, 0.5, null), prefix))
        .containsExactly(new float[] {1.3f, 5.3f}, within(1e-5f));
    // in TRAIN, the dropped units (zeros after the relu, scaled survivors) change the logits
    LogitsAtFirstStep hook = new LogitsAtFirstStep();
    dnn("dropout-train", false, 0.99, WarmStartSettings.from(prefix).vars(List.of("dnn/")))
        .train(input(100), StepLimit.steps(1), hook);
    assertThat(hook.logits).isNotEqualTo(new float[] {1.3f, 5.3f});
  }

  @Test
  void estimatorsOverAHeadRefuseTheOptionsTheHeadOwns() {
    var head = BinaryClassHead.builder().build();
    assertThatThrownBy(() -> DNNEstimator.builder(head).weightColumn("w"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weightColumn is owned by the head")
        .hasMessageContaining("weightColumn(\"w\")");
    assertThatThrownBy(() -> LinearEstimator.builder(head).lossReduction(LossReduction.SUM))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lossReduction is owned by the head");
    assertThatThrownBy(() -> DNNLinearCombinedEstimator.builder(head).weightColumn("w"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BaselineEstimator.builder(head).lossReduction(LossReduction.SUM))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** Fetches dnn/logits/BiasAdd in the first training step (computed before the update). */
  private static final class LogitsAtFirstStep implements SessionRunHook {
    float[] logits;
    private Operand<?> tensor;

    @Override
    public void begin(HookContext context) {
      tensor = context.graph().operationOrThrow("dnn/logits/BiasAdd").output(0);
    }

    @Override
    public SessionRunArgs beforeRun(SessionRunContext context) {
      return logits == null ? SessionRunArgs.fetch("logits", tensor) : SessionRunArgs.NONE;
    }

    @Override
    public void afterRun(SessionRunContext context, SessionRunValues values) {
      if (logits == null) {
        logits = (float[]) RawRestore.values(values.get("logits"));
      }
    }
  }
}
