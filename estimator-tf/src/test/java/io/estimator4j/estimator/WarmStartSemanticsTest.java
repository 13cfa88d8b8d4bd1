package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.TensorFlowFlavour;
import io.estimator4j.estimator.canned.DNNClassifier;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.config.VocabInfo;
import io.estimator4j.estimator.config.WarmStartSettings;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.optimizer.GradientDescent;
import io.estimator4j.featurecolumn.FeatureColumns;
import io.estimator4j.graph.Initializers;
import io.estimator4j.graph.Variables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Warm starting as TensorFlow's warm_starting_util.py does; the expected values are those of its
 * own tests (warm_starting_util_test.py) or are copies of the source checkpoint's values.
 */
class WarmStartSemanticsTest {
  @TempDir Path dir;

  private static final float[] X = {-1f, -0.5f, 0.5f, 1f, -0.8f, 0.9f, 0.1f, -0.2f};
  private static final int[] LABELS = {0, 0, 1, 1, 0, 1, 1, 0};

  private static ArrayInput input() {
    return ArrayInput.builder()
        .feature("x", X)
        .labels(LABELS)
        .batchSize(4)
        .numEpochs(null)
        .shuffle(false)
        .build();
  }

  private RunConfig config(String name, TensorFlowFlavour flavour) {
    return RunConfig.builder()
        .modelDir(dir.resolve(name))
        .randomSeed(5)
        .noPeriodicCheckpoints()
        .logStepCountSteps(0)
        .saveSummarySteps(0)
        .tensorFlowFlavour(flavour)
        .build();
  }

  private Estimator dnn(RunConfig config, WarmStartSettings ws) {
    io.estimator4j.estimator.canned.DnnBuilder b =
        DNNClassifier.builder()
            .featureColumns(List.of(FeatureColumns.numericColumn("x")))
            .hiddenUnits(3)
            .batchNorm(true)
            .optimizer(io.estimator4j.estimator.optimizer.Adagrad.of(0.5))
            .config(config);
    if (ws != null) {
      b.warmStartFrom(ws);
    }
    return b.build();
  }

  @Test
  void byDefaultOnlyTrainableVariablesAreWarmStarted() throws Exception {
    Estimator source = dnn(config("source", TensorFlowFlavour.TF2), null);
    source.train(input(), StepLimit.steps(20));
    String prefix = source.latestCheckpoint().orElseThrow();
    String kernel = "dnn/hiddenlayer_0/kernel";
    String accumulator = "training/Adagrad/" + kernel + "/accumulator";
    String movingMean = "dnn/hiddenlayer_0/batchnorm_0/moving_mean";
    String movingVariance = "dnn/hiddenlayer_0/batchnorm_0/moving_variance";
    String gamma = "dnn/hiddenlayer_0/batchnorm_0/gamma";
    VariablesAtStart start =
        new VariablesAtStart(List.of(kernel, gamma, accumulator, movingMean, movingVariance));
    dnn(config("warm", TensorFlowFlavour.TF2), WarmStartSettings.from(prefix))
        .train(input(), StepLimit.steps(1), start);
    try (CheckpointReader r = CheckpointReader.open(prefix)) {
      // trainable: the source's values
      assertThat(start.floats(kernel)).containsExactly(r.readFloats(kernel));
      assertThat(start.floats(gamma)).containsExactly(r.readFloats(gamma));
      // the source trained these away from their initial values ...
      assertThat(r.readFloats(accumulator)).doesNotContain(0.1f);
      assertThat(r.readFloats(movingMean)).doesNotContain(0f);
    }
    // ... and warm starting left them initial: Adagrad's accumulator starts at 0.1, the moving
    // mean at 0 and the moving variance at 1 (Python warm-starts TRAINABLE_VARIABLES only)
    assertThat(start.floats(accumulator)).containsOnly(0.1f);
    assertThat(start.floats(movingMean)).containsOnly(0f);
    assertThat(start.floats(movingVariance)).containsOnly(1f);
  }

  @Test
  void aListSelectsGlobalVariablesByPrefixSlotsIncluded() throws Exception {
    Estimator source = dnn(config("source", TensorFlowFlavour.TF1), null);
    source.train(input(), StepLimit.steps(20));
    String prefix = source.latestCheckpoint().orElseThrow();
    String kernel = "dnn/hiddenlayer_0/kernel";
    String bias = "dnn/hiddenlayer_0/bias";
    VariablesAtStart start =
        new VariablesAtStart(List.of(kernel, kernel + "/Adagrad", bias, bias + "/Adagrad"));
    // Python: vars_to_warm_start=["dnn/hiddenlayer_0/kernel"] is get_collection(GLOBAL_VARIABLES,
    // scope=...) matched from the start of the name: the kernel and its TF1 slot
    dnn(config("warm", TensorFlowFlavour.TF1), WarmStartSettings.from(prefix).vars(List.of(kernel)))
        .train(input(), StepLimit.steps(1), start);
    try (CheckpointReader r = CheckpointReader.open(prefix)) {
      assertThat(start.floats(kernel)).containsExactly(r.readFloats(kernel));
      assertThat(start.floats(kernel + "/Adagrad"))
          .containsExactly(r.readFloats(kernel + "/Adagrad"));
      assertThat(start.floats(bias)).containsOnly(0f);
      assertThat(start.floats(bias + "/Adagrad")).containsOnly(0.1f);
    }
  }

  @Test
  void missingTensorsAndUnusedSettingsAreErrors() throws Exception {
    Estimator source = dnn(config("source", TensorFlowFlavour.TF2), null);
    source.train(input(), StepLimit.steps(2));
    String prefix = source.latestCheckpoint().orElseThrow();
    assertThatThrownBy(
            () ->
                dnn(
                        config("a", TensorFlowFlavour.TF2),
                        WarmStartSettings.from(prefix).rename("dnn/logits/bias", "no/such/tensor"))
                    .train(input(), StepLimit.steps(1)))
        .hasMessageContaining("Tensor no/such/tensor is not found in checkpoint");
    assertThatThrownBy(
            () ->
                dnn(
                        config("b", TensorFlowFlavour.TF2),
                        WarmStartSettings.from(prefix)
                            .vars("dnn/logits")
                            .rename("dnn/hiddenlayer_0/kernel", "x"))
                    .train(input(), StepLimit.steps(1)))
        .hasMessageContaining("var_name_to_prev_var_name that were not used")
        .hasMessageContaining("dnn/hiddenlayer_0/kernel");
  }

  // ---- vocabularies and sliced tensors: warm_starting_util_test.py's fruit weights ----

  private static final List<String> OLD_VOCAB = List.of("apple", "banana", "guava", "orange");
  private static final List<String> NEW_VOCAB =
      List.of("orange", "guava", "banana", "apple", "raspberry");

  /**
   * A model with one trainable variable {@code fruit_weights} of {@code rows} x 1 (initialised to
   * 7, so that a row left to the initializer shows), trained by a tiny gradient step.
   */
  private static ModelFn fruitModel(int rows) {
    return ctx -> {
      Ops tf = ctx.tf();
      Variable<TFloat32> w =
          Variables.global(tf, "fruit_weights", Shape.of(rows, 1), Initializers.constant(7f));
      Operand<TFloat32> x = ctx.feature("x", TFloat32.class);
      Operand<TFloat32> pred =
          tf.math.mul(x, tf.reduceSum(Variables.read(tf, w), tf.constant(new int[] {0, 1})));
      EstimatorSpec.Builder spec = EstimatorSpec.builder(ctx.mode()).prediction("y", pred);
      if (ctx.mode() == ModeKeys.PREDICT) {
        return spec.build();
      }
      Operand<TFloat32> y = tf.dtypes.cast(ctx.labels(), TFloat32.class);
      Operand<TFloat32> loss = tf.math.mean(tf.math.squaredDifference(pred, y), tf.constant(0));
      spec.loss(loss);
      if (ctx.mode() == ModeKeys.TRAIN) {
        spec.trainOp(GradientDescent.of(1e-9).minimize(tf, loss, List.of(w), ctx.globalStep()));
      }
      return spec.build();
    };
  }

  /** Writes {@code fruit_weights} = [[.5], [1], [1.5], [2]] with SaveV2, whole or in 2 slices. */
  private static String writeFruitCheckpoint(Path dir, boolean sliced) {
    String prefix = dir.resolve(sliced ? "sliced" : "whole").resolve("model.ckpt").toString();
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      org.tensorflow.op.Op save;
      if (sliced) {
        // partitioner [2, 1]: old_scope/fruit_weights/part_0 = [[.5], [1]], part_1 = [[1.5], [2]],
        // saved under the full name with the slice specs Python's SaveSliceInfo writes
        save =
            tf.train.save(
                tf.constant(prefix),
                tf.constant(NdArrays.vectorOfObjects("fruit_weights", "fruit_weights")),
                tf.constant(NdArrays.vectorOfObjects("4 1 0,2:-", "4 1 2,2:-")),
                List.of(
                    tf.constant(new float[][] {{.5f}, {1f}}),
                    tf.constant(new float[][] {{1.5f}, {2f}})));
      } else {
        save =
            tf.train.save(
                tf.constant(prefix),
                tf.constant(NdArrays.vectorOfObjects("fruit_weights")),
                tf.constant(NdArrays.vectorOfObjects("")),
                List.of(tf.constant(new float[][] {{.5f}, {1f}, {1.5f}, {2f}})));
      }
      s.runner().addTarget(save).run();
    }
    return prefix;
  }

  private float[] warmStartedFruitWeights(int rows, WarmStartSettings ws) {
    VariablesAtStart start = new VariablesAtStart(List.of("fruit_weights"));
    Estimator est =
        Estimator.builder(fruitModel(rows))
            .config(config("fruit-" + System.nanoTime(), TensorFlowFlavour.TF2))
            .warmStartFrom(ws)
            .build();
    est.train(
        ArrayInput.builder().feature("x", X).labels(LABELS).batchSize(8).numEpochs(null).build(),
        StepLimit.steps(1),
        start);
    return start.floats("fruit_weights");
  }

  @Test
  void slicedTensorsAreReadJoined() throws Exception {
    String prefix = writeFruitCheckpoint(dir, true);
    try (CheckpointReader r = CheckpointReader.open(prefix)) {
      assertThat(r.variable("fruit_weights").shape()).containsExactly(4, 1);
    }
    // testWarmStart_SparseColumnPartitioned: the two parts joined
    assertThat(warmStartedFruitWeights(4, WarmStartSettings.from(prefix)))
        .containsExactly(.5f, 1f, 1.5f, 2f);
  }

  @Test
  void vocabularyRemapsRowsAndFillsNewOnesFromTheInitializer() throws Exception {
    Path oldVocab = Files.write(dir.resolve("old_vocab.txt"), OLD_VOCAB);
    Path newVocab = Files.write(dir.resolve("new_vocab.txt"), NEW_VOCAB);
    VocabInfo info = VocabInfo.of(newVocab.toString(), 5, 0, oldVocab.toString());
    for (boolean sliced : new boolean[] {false, true}) {
      String prefix = writeFruitCheckpoint(dir, sliced);
      // testWarmStartVarWithVocab: orange, guava, banana, apple keep their rows; raspberry is new
      // and gets the backup initializer (zeros by default)
      assertThat(
              warmStartedFruitWeights(
                  5, WarmStartSettings.from(prefix).vocabInfo("fruit_weights", info)))
          .as(sliced ? "sliced" : "whole")
          .containsExactly(2f, 1.5f, 1f, .5f, 0f);
    }
    String prefix = writeFruitCheckpoint(dir, false);
    // with 1 OOV bucket and a backup initializer of 0.25: raspberry and the OOV row get 0.25
    VocabInfo withOov =
        VocabInfo.of(newVocab.toString(), 5, 1, oldVocab.toString())
            .withBackupInitializer(Initializers.constant(0.25f));
    assertThat(
            warmStartedFruitWeights(
                6, WarmStartSettings.from(prefix).vocabInfo("fruit_weights", withOov)))
        .containsExactly(2f, 1.5f, 1f, .5f, 0.25f, 0.25f);
    // old_vocab_size 2 uses only apple and banana of the old file
    assertThat(
            warmStartedFruitWeights(
                5,
                WarmStartSettings.from(prefix)
                    .vocabInfo("fruit_weights", info.withOldVocabSize(2))))
        .containsExactly(0f, 0f, 1f, .5f, 0f);
    // vars_to_warm_start=None: only the vocabulary variables
    assertThat(
            warmStartedFruitWeights(
                5,
                WarmStartSettings.from(prefix)
                    .onlyVocabularyVariables()
                    .vocabInfo("fruit_weights", info)))
        .containsExactly(2f, 1.5f, 1f, .5f, 0f);
  }
}
