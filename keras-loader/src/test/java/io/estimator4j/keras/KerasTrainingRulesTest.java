package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * What modelToEstimator refuses rather than train differently from Keras: a compiled metric it
 * cannot compute (named, not silently dropped), and a recurrent layer over an unknown number of
 * time steps in TRAIN mode (no while-loop gradient in tensorflow-java); fixed-length sequences from
 * the input function train through the unrolled loop even when the model leaves the time dimension
 * open.
 */
class KerasTrainingRulesTest {
  @TempDir Path dir;

  private static final String LSTM =
      """
      {"class_name": "Sequential", "keras_version": "2.9.0", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [null, null, 3]}},
        {"class_name": "LSTM", "config": {"name": "lstm", "units": 2}},
        {"class_name": "Dense", "config": {"name": "d", "units": 1}}]}}
      """;

  private static final String SGD =
      "\"optimizer_config\": {\"class_name\": \"SGD\", \"config\": {\"learning_rate\": 0.1}}";

  @Test
  void aMetricThatCannotBeMappedIsRefusedByName() throws Exception {
    Path json = dir.resolve("m.json");
    Files.writeString(json, LSTM);
    KerasModelFile file = KerasModelFile.read(json);
    assertThatThrownBy(
            () ->
                KerasEstimators.modelToEstimator(
                    file,
                    "{\"loss\": \"mse\", \"metrics\": [\"mae\", \"AUC\"], " + SGD + "}",
                    RunConfig.builder().modelDir(dir.resolve("model")).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("The metric 'AUC' of output 'd'")
        .hasMessageContaining("cannot be mapped");
  }

  @Test
  void unknownTimeStepsAreRefusedInTrainModeOnly() throws Exception {
    Path json = dir.resolve("m.json");
    Files.writeString(json, LSTM);
    KerasNetwork net = KerasNetwork.of(KerasModelFile.read(json));
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      var x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1, 3)));
      // inference runs the while loop
      assertThat(net.apply(tf, Map.of("x", x), ModeKeys.PREDICT).outputs()).containsKey("d");
      assertThatThrownBy(() -> net.apply(tf.withSubScope("train"), Map.of("x", x), ModeKeys.TRAIN))
          .isInstanceOf(UnsupportedKerasLayerException.class)
          .hasMessageContaining("layer 'lstm' (LSTM)")
          .hasMessageContaining("unknown number of time steps")
          .hasMessageContaining("withInputShape");
    }
  }

  @Test
  void adadeltaAdamaxAndFtrlConfigsMapOntoTheirOps() throws Exception {
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    // tf.keras 2.x OptimizerV2 configs, float32 hyper-parameters serialized as doubles
    assertThat(
            KerasTrainingConfig.optimizer(
                    json.readTree(
                        "{\"class_name\": \"Adadelta\", \"config\": {\"name\": \"Adadelta\","
                            + " \"learning_rate\": 1.0, \"decay\": 0.0, \"rho\": 0.95,"
                            + " \"epsilon\": 1e-07}}"),
                    "m.h5")
                .toString())
        .isEqualTo("Adadelta(learning_rate=1.0, rho=0.95, epsilon=1.0E-7)");
    assertThat(
            KerasTrainingConfig.optimizer(
                    json.readTree(
                        "{\"class_name\": \"Adamax\", \"config\": {\"learning_rate\": 0.002,"
                            + " \"beta_1\": 0.8, \"beta_2\": 0.99, \"epsilon\": 1e-07}}"),
                    "m.h5")
                .toString())
        .isEqualTo("Adamax(learning_rate=0.002, beta1=0.8, beta2=0.99, epsilon=1.0E-7)");
    assertThat(KerasTrainingConfig.optimizer(json.readTree("\"ftrl\""), "m.h5").toString())
        .startsWith("Ftrl(learning_rate=0.001");
    // tf.keras 2.x Nadam saves its schedule_decay as decay (0.004 by default)
    assertThat(
            KerasTrainingConfig.optimizer(
                    json.readTree(
                        "{\"class_name\": \"Nadam\", \"config\": {\"name\": \"Nadam\","
                            + " \"learning_rate\": 0.002, \"decay\": 0.004, \"beta_1\": 0.9,"
                            + " \"beta_2\": 0.999, \"epsilon\": 1e-07}}"),
                    "m.h5")
                .toString())
        .isEqualTo(
            "Nadam(learning_rate=0.002, beta1=0.9, beta2=0.999, epsilon=1.0E-7,"
                + " schedule_decay=0.004)");
    // TensorFlow 2's beta: the L2 strength grows by beta / (2 lr) (OptimizerUpdatesTest checks it)
    assertThat(
            KerasTrainingConfig.optimizer(
                    json.readTree(
                        "{\"class_name\": \"Ftrl\", \"config\": {\"learning_rate\": 0.1,"
                            + " \"beta\": 0.5}}"),
                    "m.h5")
                .toString())
        .startsWith("Ftrl(learning_rate=0.1")
        .endsWith(", beta=0.5)");
  }

  @Test
  void aWeightColumnWeighsEachExamplesLoss() throws Exception {
    String mlp = "cases/dl4j-simple_sparse_xent_mlp_keras_2";
    TestNpy.Array in = TestNpy.read(TestData.keras(mlp + "/inputs/0_dense_1_input.npy"));
    float[] p = TestNpy.read(TestData.keras(mlp + "/expected/0_activation_1.npy")).values();
    float[][] x = new float[3][4];
    for (int i = 0; i < 3; i++) {
      System.arraycopy(in.values(), i * 4, x[i], 0, 4);
    }
    int[] labels = {1, 2, 1};
    float[] weights = {1, 0, 2};
    Estimator est =
        KerasEstimators.modelToEstimator(
            KerasModelFile.read(TestData.keras(mlp + "/model.h5")),
            RunConfig.builder().modelDir(dir.resolve("weighted")).build(),
            KerasEstimators.Options.defaults().withWeightColumn("w"));
    Map<String, Double> metrics =
        est.evaluate(
            ArrayInput.builder()
                .feature("dense_1_input", x)
                .feature("w", weights)
                .labels(labels)
                .batchSize(3)
                .shuffle(false)
                .numEpochs(1)
                .build());
    // sparse cross-entropy per example -ln p[label] from Keras's own probabilities, weighted:
    // (1 · l0 + 0 · l1 + 2 · l2) / 3
    double expected =
        -(1 * Math.log(p[labels[0]])
                + 0 * Math.log(p[3 + labels[1]])
                + 2 * Math.log(p[6 + labels[2]]))
            / 3;
    assertThat(metrics.get("loss"))
        .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-5));
    assertThatThrownBy(
            () ->
                est.evaluate(
                    ArrayInput.builder()
                        .feature("dense_1_input", x)
                        .labels(labels)
                        .batchSize(3)
                        .numEpochs(1)
                        .build()))
        .hasMessageContaining("The weight column 'w'")
        .hasMessageContaining("is not among the features");
  }

  @Test
  void fixedLengthSequencesTrainThroughTheUnrolledLoop() throws Exception {
    Path json = dir.resolve("m.json");
    Files.writeString(json, LSTM);
    Estimator est =
        KerasEstimators.modelToEstimator(
            KerasModelFile.read(json),
            "{\"loss\": \"mse\", " + SGD + "}",
            RunConfig.builder().modelDir(dir.resolve("model")).build());
    // 4 sequences of 5 steps: the input function's tensor knows the time dimension
    var x = NdArrays.ofFloats(Shape.of(4, 5, 3));
    x.scalars().forEachIndexed((idx, v) -> v.setFloat(0.1f * (idx[1] + idx[2])));
    ArrayInput in =
        ArrayInput.builder()
            .feature("x", x)
            .labels(new float[] {1, 0, 1, 0})
            .batchSize(2)
            .numEpochs(null)
            .shuffle(false)
            .build();
    est.train(in, StepLimit.steps(2));
    assertThat(est.latestCheckpoint()).hasValueSatisfying(p -> assertThat(p).endsWith("-2"));
  }
}
