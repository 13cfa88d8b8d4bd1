package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.Prediction;
import io.estimator4j.estimator.PredictionIterator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.estimator.input.InputFn;
import io.estimator4j.savedmodel.LoadedSavedModel;
import io.estimator4j.savedmodel.SavedModelLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

class KerasEstimatorsTest {
  private static final String MLP = "cases/dl4j-simple_sparse_xent_mlp_keras_2";
  private static final String RNN = "cases/dl4j-simple_rnn_tf_keras_2";
  // Labels chosen against the model's current argmax (class 0 for every row), so the loss is high
  private static final int[] LABELS = {1, 2, 1};

  @TempDir Path dir;

  private static float[][] rows(TestNpy.Array a) {
    int n = (int) a.shape().size(0);
    int d = (int) a.shape().size(1);
    float[][] out = new float[n][d];
    for (int i = 0; i < n; i++) {
      System.arraycopy(a.values(), i * d, out[i], 0, d);
    }
    return out;
  }

  private static TestNpy.Array read(String relative) throws Exception {
    return TestNpy.read(TestData.keras(relative));
  }

  private Estimator mlp() throws Exception {
    return KerasEstimators.modelToEstimator(
        TestData.keras(MLP + "/model.h5"), RunConfig.builder().modelDir(dir).build());
  }

  private static ArrayInput mlpInput(float[][] x, boolean repeat) {
    return ArrayInput.builder()
        .feature("dense_1_input", x)
        .labels(LABELS)
        .batchSize(3)
        .shuffle(false)
        .numEpochs(repeat ? null : 1)
        .build();
  }

  @Test
  void predictsTheKerasOutputsBeforeTraining() throws Exception {
    float[][] x = rows(read(MLP + "/inputs/0_dense_1_input.npy"));
    float[] expected = read(MLP + "/expected/0_activation_1.npy").values();
    Estimator estimator = mlp();
    InputFn in =
        ArrayInput.builder()
            .feature("dense_1_input", x)
            .batchSize(3)
            .shuffle(false)
            .numEpochs(1)
            .build();
    try (PredictionIterator it = estimator.predict(in)) {
      int row = 0;
      while (it.hasNext()) {
        Prediction p = it.next();
        float[] probs = p.floats("activation_1");
        for (int k = 0; k < 3; k++) {
          assertThat(probs[k]).isCloseTo(expected[row * 3 + k], within(1e-4f));
        }
        row++;
      }
      assertThat(row).isEqualTo(3);
    }
  }

  @Test
  void evaluatesTheKerasLossOfTheFileWeights() throws Exception {
    float[][] x = rows(read(MLP + "/inputs/0_dense_1_input.npy"));
    float[] p = read(MLP + "/expected/0_activation_1.npy").values();
    // sparse_categorical_crossentropy = mean(-ln p[row][label]) over the 3 rows, from the
    // probabilities Keras computed for the case
    double expected =
        -(Math.log(p[0 * 3 + LABELS[0]])
                + Math.log(p[1 * 3 + LABELS[1]])
                + Math.log(p[2 * 3 + LABELS[2]]))
            / 3;
    Map<String, Double> metrics = mlp().evaluate(mlpInput(x, false));
    assertThat(metrics.get("loss")).isCloseTo(expected, within(1e-5));
    assertThat(metrics.get("accuracy")).isEqualTo(0.0);
    assertThat(metrics.get("global_step")).isEqualTo(0.0);
  }

  @Test
  void trainsFromTheFileWeightsEvaluatesAndExports() throws Exception {
    float[][] x = rows(read(MLP + "/inputs/0_dense_1_input.npy"));
    Estimator estimator = mlp();
    // training_config: RMSprop(learning_rate=1e-4, rho=0.9), sparse_categorical_crossentropy,
    // metrics ["accuracy"]
    estimator.train(mlpInput(x, true), StepLimit.steps(1));
    Map<String, Double> before = estimator.evaluate(mlpInput(x, false));
    assertThat(before).containsKeys("loss", "accuracy", "global_step");
    assertThat(before.get("global_step")).isEqualTo(1.0);
    // the model predicts class 0 for every row and the labels are never 0
    assertThat(before.get("accuracy")).isEqualTo(0.0);
    estimator.train(mlpInput(x, true), StepLimit.steps(200));
    Map<String, Double> after = estimator.evaluate(mlpInput(x, false));
    assertThat(after.get("global_step")).isEqualTo(201.0);
    assertThat(after.get("loss")).isLessThan(before.get("loss"));

    Path export =
        estimator.exportSavedModel(
            dir.resolve("export"),
            KerasEstimators.rawServingInputReceiverFn(TestData.keras(MLP + "/model.h5")));
    try (LoadedSavedModel m = SavedModelLoader.load(export, Set.of("serve"), null);
        TFloat32 input = TFloat32.tensorOf(Shape.of(1, 4), DataBuffers.of(x[0], true, false))) {
      Map<String, Tensor> out = m.run("serving_default", Map.of("dense_1_input", input));
      try (Tensor probs = out.get("activation_1")) {
        assertThat(probs.shape()).isEqualTo(Shape.of(1, 3));
        float sum = 0;
        for (int k = 0; k < 3; k++) {
          sum += ((TFloat32) probs).getFloat(0, k);
        }
        assertThat(sum).isCloseTo(1f, within(1e-5f));
      }
    }
  }

  @Test
  void trainsARecurrentModelThroughTheUnrolledGraph() throws Exception {
    TestNpy.Array x = read(RNN + "/inputs/0_simple_rnn_1_input.npy");
    TestNpy.Array y = read(RNN + "/expected/0_dense_1.npy");
    // training_config: RMSprop(lr=1e-3), loss mse, no metrics
    Estimator estimator =
        KerasEstimators.modelToEstimator(
            TestData.keras(RNN + "/model.h5"), RunConfig.builder().modelDir(dir).build());
    InputFn in =
        ctx ->
            Input.of(
                Map.of(
                    "simple_rnn_1_input",
                    ctx.tf().constant(x.shape(), DataBuffers.of(x.values(), true, false))),
                ctx.tf().constant(y.shape(), DataBuffers.of(y.values(), true, false)));
    estimator.train(in, StepLimit.steps(2));
    assertThat(estimator.latestCheckpoint()).isPresent();
    assertThat(estimator.variableNames()).contains("simple_rnn_1/kernel", "dense_1/kernel");
  }

  @Test
  void aMissingFeatureNamesTheInputs() throws Exception {
    Estimator estimator = mlp();
    InputFn in =
        ArrayInput.builder()
            .feature("x", new float[][] {{1, 2, 3, 4}})
            .labels(new int[] {0})
            .batchSize(1)
            .numEpochs(1)
            .build();
    assertThatThrownBy(() -> estimator.train(in, StepLimit.steps(1)))
        .hasMessageContaining("[dense_1_input]")
        .hasMessageContaining("no feature 'dense_1_input'");
  }

  @Test
  void aModelWithoutTrainingConfigIsRefused() throws Exception {
    Path h5 = TestData.keras(MLP + "/model.h5");
    // an architecture JSON with the weights of the full file: no training_config
    Path json = dir.resolve("model.json");
    Files.writeString(json, KerasModelFile.read(h5).modelConfig().toString());
    KerasModelFile uncompiled = KerasModelFile.read(json, h5);
    assertThat(uncompiled.trainingConfig()).isEmpty();
    assertThatThrownBy(
            () ->
                KerasEstimators.modelToEstimator(
                    uncompiled, RunConfig.builder().modelDir(dir).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("compile the model first")
        .hasMessageContaining("pass a loss and optimizer");
  }

  @Test
  void anExplicitTrainingConfigReplacesTheFilesAndUnsupportedPartsAreNamed() throws Exception {
    KerasModelFile file = KerasModelFile.read(TestData.keras(MLP + "/model.h5"));
    RunConfig config = RunConfig.builder().modelDir(dir).build();
    assertThatThrownBy(
            () ->
                KerasEstimators.modelToEstimator(
                    file,
                    "{\"loss\": \"binary_focal_crossentropy\", \"optimizer_config\":"
                        + " {\"class_name\": \"SGD\", \"config\": {\"learning_rate\": 0.1}}}",
                    config))
        .hasMessageContaining("'binary_focal_crossentropy'")
        .hasMessageContaining("categorical_crossentropy");
    assertThatThrownBy(
            () ->
                KerasEstimators.modelToEstimator(
                    file,
                    "{\"loss\": \"mse\", \"optimizer_config\": {\"class_name\": \"Lion\","
                        + " \"config\": {\"learning_rate\": 0.1}}}",
                    config))
        .hasMessageContaining("'Lion'")
        .hasMessageContaining("Adam, SGD");
    Estimator sgd =
        KerasEstimators.modelToEstimator(
            file,
            "{\"loss\": \"categorical_crossentropy\", \"metrics\": [\"acc\"], \"optimizer_config\":"
                + " {\"class_name\": \"SGD\", \"config\": {\"lr\": 0.5, \"momentum\": 0.9}}}",
            config);
    float[][] x = rows(read(MLP + "/inputs/0_dense_1_input.npy"));
    float[][] oneHot = {{0, 1, 0}, {0, 0, 1}, {0, 1, 0}};
    InputFn in =
        ArrayInput.builder()
            .feature("dense_1_input", x)
            .labels(oneHot)
            .batchSize(3)
            .shuffle(false)
            .numEpochs(1)
            .build();
    sgd.train(in, StepLimit.steps(1));
    Map<String, Double> before = sgd.evaluate(in);
    assertThat(before).containsKeys("loss", "acc");
    InputFn repeated =
        ArrayInput.builder()
            .feature("dense_1_input", x)
            .labels(oneHot)
            .batchSize(3)
            .shuffle(false)
            .numEpochs(null)
            .build();
    sgd.train(repeated, StepLimit.maxSteps(30));
    assertThat(sgd.evaluate(in).get("loss")).isLessThan(before.get("loss"));
  }
}
