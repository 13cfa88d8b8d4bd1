package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.estimator.input.InputFn;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.summary.EventFileReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * model_to_estimator calls the model with training=True in TRAIN mode: dropout and noise layers
 * act, BatchNormalization uses and updates batch statistics, regularisation losses join the loss,
 * and the optimizer's learning-rate decay or schedule applies per global step. EVAL and PREDICT
 * stay inference.
 */
class KerasTrainingModeTest {
  @TempDir Path dir;

  private static final String SGD =
      "{\"class_name\": \"SGD\", \"config\": {\"learning_rate\": %s}}";

  // ---------------------------------------------------------------- model files

  private static String constant(double v) {
    return "{\"class_name\": \"Constant\", \"config\": {\"value\": " + v + "}}";
  }

  /** A Keras 2 Sequential JSON: an InputLayer "x" of {@code shape} (batch first) then layers. */
  private Path keras2(String shape, String... layers) throws Exception {
    String input =
        "{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": "
            + shape
            + ", \"dtype\": \"float32\", \"name\": \"x\"}}";
    String json =
        "{\"class_name\": \"Sequential\", \"config\": {\"name\": \"m\", \"layers\": ["
            + input
            + ", "
            + String.join(", ", layers)
            + "]}, \"keras_version\": \"2.13.1\","
            + " \"backend\": \"tensorflow\"}";
    Path p = Files.createTempFile(dir, "model", ".json");
    Files.writeString(p, json);
    return p;
  }

  /** The same in Keras 3's spelling (InputLayer batch_shape, keras_version 3). */
  private Path keras3(String shape, String... layers) throws Exception {
    String input =
        "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"config\":"
            + " {\"batch_shape\": "
            + shape
            + ", \"dtype\": \"float32\", \"name\": \"x\"},"
            + " \"registered_name\": null}";
    String json =
        "{\"module\": \"keras\", \"class_name\": \"Sequential\", \"config\": {\"name\":"
            + " \"m\", \"layers\": ["
            + input
            + ", "
            + String.join(", ", layers)
            + "]},"
            + " \"keras_version\": \"3.6.0\", \"backend\": \"tensorflow\"}";
    Path p = Files.createTempFile(dir, "model", ".json");
    Files.writeString(p, json);
    return p;
  }

  /** Dense(1) with constant kernel and bias and extra config entries (e.g. regularizers). */
  private static String dense(double kernel, double bias, String extra) {
    return "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 1,"
        + " \"activation\": \"linear\", \"use_bias\": true, \"kernel_initializer\": "
        + constant(kernel)
        + ", \"bias_initializer\": "
        + constant(bias)
        + (extra.isEmpty() ? "" : ", " + extra)
        + "}}";
  }

  private Estimator estimator(Path json, String loss, String optimizer) throws Exception {
    return estimator(json, loss, optimizer, dir.resolve("model"));
  }

  private Estimator estimator(Path json, String loss, String optimizer, Path modelDir)
      throws Exception {
    String training = "{\"loss\": \"" + loss + "\", \"optimizer_config\": " + optimizer + "}";
    return KerasEstimators.modelToEstimator(
        KerasModelFile.read(json), training, RunConfig.builder().modelDir(modelDir).build());
  }

  private static ArrayInput input(float[][] x, float[] y, boolean repeat) {
    return ArrayInput.builder()
        .feature("x", x)
        .labels(y)
        .batchSize(x.length)
        .shuffle(false)
        .numEpochs(repeat ? null : 1)
        .build();
  }

  /** The training loss the Estimator logged for the first step (before that step's update). */
  private double firstTrainingLoss() throws Exception {
    return EventFileReader.scalarsByStep(dir.resolve("model")).get(1L).get("loss");
  }

  private static float[] values(Estimator e, String variable) {
    try (Tensor t = e.variableValue(variable)) {
      float[] out = new float[(int) t.shape().size()];
      ((TFloat32) t).asRawTensor().data().asFloats().read(out);
      return out;
    }
  }

  private static float[][] ones(int rows, int cols) {
    float[][] x = new float[rows][cols];
    for (float[] r : x) {
      Arrays.fill(r, 1f);
    }
    return x;
  }

  // ---------------------------------------------------------------- dropout and noise

  @Test
  void dropoutActsInTrainingOnlyAndEvaluationStaysDeterministic() throws Exception {
    Path json =
        keras2(
            "[null, 1000]",
            "{\"class_name\": \"Dropout\", \"config\": {\"name\": \"dropout\", \"rate\": 0.5,"
                + " \"noise_shape\": null, \"seed\": 3}}",
            "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 1,"
                + " \"use_bias\": false, \"kernel_initializer\": "
                + constant(1)
                + "}}");
    Estimator e = estimator(json, "mae", String.format(SGD, "1e-9"));
    float[][] x = ones(1, 1000);
    float[] y = {0f};
    // without dropout: |sum of 1000 ones * kernel 1 - 0| = 1000, every time
    assertThat(e.evaluate(input(x, y, false)).get("loss")).isEqualTo(1000.0);
    assertThat(e.evaluate(input(x, y, false)).get("loss")).isEqualTo(1000.0);
    e.train(input(x, y, true), StepLimit.steps(1));
    // with dropout: each kept one is scaled to 1 / (1 - 0.5) = 2, so loss = 2 * (ones kept),
    // an even number near 1000 (kept ~ Binomial(1000, 0.5): sd 15.8) but not 1000 for seed 3
    double train = firstTrainingLoss();
    assertThat(train).isNotEqualTo(1000.0).isBetween(800.0, 1200.0);
    assertThat(train % 2).isEqualTo(0.0);
  }

  @Test
  void crossEntropyOnASoftmaxOutputUsesItsLogitsAsKerasDoes() throws Exception {
    // Dense(2, softmax) with an identity kernel on x = [0, 50]: logits [0, 50], label 0.
    // Keras computes the loss from the logits: logsumexp([0, 50]) - 0 = 50 + log(1 + e^-50);
    // from clipped probabilities it would be -log(1e-7) = 16.12
    Path json =
        keras2(
            "[null, 2]",
            "{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\", \"units\": 2,"
                + " \"activation\": \"softmax\", \"kernel_initializer\": {\"class_name\":"
                + " \"Identity\", \"config\": {\"gain\": 1.0}}}}");
    Estimator e = estimator(json, "sparse_categorical_crossentropy", String.format(SGD, "0.1"));
    double loss = e.evaluate(input(new float[][] {{0, 50}}, new float[] {0}, false)).get("loss");
    assertThat(loss).isCloseTo(50.0, within(1e-3));
  }

  /** x [null, 1000] -> a nested Sequential holding Dropout(0.5), called with {@code kwargs}. */
  private Path nestedDropout(String kwargs) throws Exception {
    Path json = dir.resolve("nested" + Math.abs(kwargs.hashCode()) + ".json");
    Files.writeString(
        json,
        """
        {"class_name": "Functional", "keras_version": "2.13.1", "config": {"name": "outer",
         "layers": [
          {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
           "config": {"name": "x", "batch_input_shape": [null, 1000], "dtype": "float32"}},
          {"class_name": "Sequential", "name": "base", "config": {"name": "base", "layers": [
            {"class_name": "InputLayer", "config": {"name": "base_in",
              "batch_input_shape": [null, 1000]}},
            {"class_name": "Dropout", "config": {"name": "drop", "rate": 0.5, "seed": 3}}]},
           "inbound_nodes": [[["x", 0, 0, %s]]]}],
         "input_layers": [["x", 0, 0]], "output_layers": [["base", 1, 0]]}}
        """
            .formatted(kwargs));
    return json;
  }

  @Test
  void aCallWithTrainingFalseRunsItsLayersInInferenceMode() throws Exception {
    float[] ones = new float[1000];
    Arrays.fill(ones, 1f);
    // base(x, training=False), the transfer-learning pattern: no dropout even in TRAIN
    KerasNetwork frozen =
        KerasNetwork.of(KerasModelFile.read(nestedDropout("{\"training\": false}")));
    assertThat(run(frozen, ModeKeys.TRAIN, Shape.of(1, 1000), ones)).containsExactly(ones);
    // base(x): TRAIN drops about half the values and doubles the rest
    KerasNetwork plain = KerasNetwork.of(KerasModelFile.read(nestedDropout("{}")));
    float[] dropped = run(plain, ModeKeys.TRAIN, Shape.of(1, 1000), ones);
    assertThat(dropped).contains(0f, 2f).doesNotContain(1f);
    // training=True does not turn dropout on outside TRAIN mode
    KerasNetwork forced =
        KerasNetwork.of(KerasModelFile.read(nestedDropout("{\"training\": true}")));
    assertThat(run(forced, ModeKeys.PREDICT, Shape.of(1, 1000), ones)).containsExactly(ones);
  }

  @Test
  void frozenLayersKeepTheirWeightsWhileTheOthersTrain() throws Exception {
    // x [1, 1] -> frozen Dense(1, kernel 2) -> Dense(1, kernel 3); mse against 0, SGD 0.1
    Path json =
        keras2(
            "[null, 1]",
            "{\"class_name\": \"Dense\", \"config\": {\"name\": \"frozen\", \"units\": 1,"
                + " \"trainable\": false, \"use_bias\": false, \"kernel_initializer\": "
                + constant(2)
                + "}}",
            "{\"class_name\": \"Dense\", \"config\": {\"name\": \"head\", \"units\": 1,"
                + " \"use_bias\": false, \"kernel_initializer\": "
                + constant(3)
                + "}}");
    Estimator e = estimator(json, "mse", String.format(SGD, "0.1"));
    e.train(input(new float[][] {{1}}, new float[] {0}, true), StepLimit.steps(1));
    // y = 3 * (2 * 1) = 6, loss = 36, d loss / d head = 2 * 6 * 2 = 24: head = 3 - 0.1 * 24
    assertThat(values(e, "head/kernel")).containsExactly(new float[] {0.6f}, within(1e-6f));
    assertThat(values(e, "frozen/kernel")).containsExactly(2f);
  }

  @Test
  void noiseLayersActOnlyInTrainMode() throws Exception {
    Path json =
        keras2(
            "[null, 4, 3]",
            "{\"class_name\": \"SpatialDropout1D\", \"config\": {\"name\": \"sd\", \"rate\": 0.5,"
                + " \"seed\": 5}}",
            "{\"class_name\": \"GaussianDropout\", \"config\": {\"name\": \"gd\", \"rate\": 0.0}}",
            "{\"class_name\": \"GaussianNoise\", \"config\": {\"name\": \"gn\", \"stddev\": 0.0}}");
    KerasNetwork net = KerasNetwork.of(KerasModelFile.read(json));
    float[] ones = new float[64 * 4 * 3];
    Arrays.fill(ones, 1f);
    float[] train = run(net, ModeKeys.TRAIN, Shape.of(64, 4, 3), ones);
    // SpatialDropout1D drops whole channels: per (sample, channel) the 4 steps are all 0 or all
    // 2 (= 1 / (1 - 0.5)); rate 0 GaussianDropout and stddev 0 GaussianNoise change nothing
    int dropped = 0;
    for (int b = 0; b < 64; b++) {
      for (int c = 0; c < 3; c++) {
        Set<Float> seen = new HashSet<>();
        for (int t = 0; t < 4; t++) {
          seen.add(train[(b * 4 + t) * 3 + c]);
        }
        assertThat(seen).hasSize(1);
        assertThat(seen.iterator().next()).isIn(0f, 2f);
        dropped += seen.contains(0f) ? 1 : 0;
      }
    }
    assertThat(dropped).isBetween(40, 152);
    assertThat(run(net, ModeKeys.EVAL, Shape.of(64, 4, 3), ones)).containsExactly(ones);
    assertThat(run(net, ModeKeys.PREDICT, Shape.of(64, 4, 3), ones)).containsExactly(ones);
  }

  @Test
  void gaussianAndAlphaNoiseHaveKerasStatistics() throws Exception {
    int n = 20000;
    float[] zeros = new float[n];
    Path noise =
        keras2(
            "[null, " + n + "]",
            "{\"class_name\": \"GaussianNoise\", \"config\": {\"name\": \"gn\", \"stddev\": 2.0}}");
    float[] g =
        run(KerasNetwork.of(KerasModelFile.read(noise)), ModeKeys.TRAIN, Shape.of(1, n), zeros);
    // x + N(0, 2): mean 0 (sd of the mean 2 / sqrt(20000) = 0.014), sd 2
    assertThat(mean(g)).isCloseTo(0.0, within(0.08));
    assertThat(Math.sqrt(variance(g))).isCloseTo(2.0, within(0.08));

    Path alpha =
        keras2(
            "[null, " + n + "]",
            "{\"class_name\": \"AlphaDropout\", \"config\": {\"name\": \"ad\", \"rate\": 0.2,"
                + " \"seed\": 1}}");
    float[] a =
        run(KerasNetwork.of(KerasModelFile.read(alpha)), ModeKeys.TRAIN, Shape.of(1, n), zeros);
    // kept zeros become b, dropped ones a * alpha_p + b, with alpha_p = -1.7581 (-alpha*scale),
    // a = ((1 - 0.2) * (1 + 0.2 * alpha_p^2))^-0.5, b = -a * alpha_p * 0.2
    double alphaP = -1.6732632423543772 * 1.0507009873554805;
    double aa = Math.pow(0.8 * (1 + 0.2 * alphaP * alphaP), -0.5);
    double b = -aa * alphaP * 0.2;
    Set<Float> distinct = new HashSet<>();
    for (float v : a) {
      distinct.add(v);
    }
    assertThat(distinct).hasSize(2);
    for (float v : distinct) {
      assertThat((double) v)
          .satisfiesAnyOf(
              d -> assertThat(d).isCloseTo(b, within(1e-5)),
              d -> assertThat(d).isCloseTo(aa * alphaP + b, within(1e-5)));
    }
  }

  private static float[] run(KerasNetwork net, ModeKeys mode, Shape shape, float[] x) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> in = tf.constant(shape, DataBuffers.of(x, true, false));
      Operand<?> out = net.apply(tf, Map.of("x", in), mode).outputs().values().iterator().next();
      try (Result r = s.runner().fetch(out).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] v = new float[(int) t.shape().size()];
        t.asRawTensor().data().asFloats().read(v);
        return v;
      }
    }
  }

  private static double mean(float[] v) {
    double s = 0;
    for (float f : v) {
      s += f;
    }
    return s / v.length;
  }

  private static double variance(float[] v) {
    double m = mean(v);
    double s = 0;
    for (float f : v) {
      s += (f - m) * (f - m);
    }
    return s / v.length;
  }

  // ---------------------------------------------------------------- BatchNormalization

  private static final String BN =
      "{\"class_name\": \"BatchNormalization\", \"config\":"
          + " {\"name\": \"bn\", \"axis\": -1, \"momentum\": 0.9, \"epsilon\": 0.001}}";

  @Test
  void batchNormalizationTrainsOnBatchStatisticsAndUpdatesItsMovingStatistics() throws Exception {
    Estimator e = estimator(keras2("[null, 2]", BN), "mse", String.format(SGD, "0.1"));
    float[][] x = {{1, 2}, {3, 6}};
    InputFn in =
        ArrayInput.builder()
            .feature("x", x)
            .labels(new float[][] {{0, 0}, {0, 0}})
            .batchSize(2)
            .shuffle(false)
            .numEpochs(null)
            .build();
    e.train(in, StepLimit.steps(1));
    // batch statistics per channel: mean [2, 4], biased variance [1, 4] (2D input: tf.keras's
    // non-fused path, tf.nn.moments)
    // training output = (x - mean) / sqrt(var + 0.001): channel 0 +-1/sqrt(1.001), channel 1
    // +-2/sqrt(4.001); mse = (2 / 1.001 + 2 * 4 / 4.001) / 4
    assertThat(firstTrainingLoss()).isCloseTo((2 / 1.001 + 8 / 4.001) / 4, within(1e-5));
    // moving = 0.9 * moving + 0.1 * batch: mean 0.9*[0,0] + 0.1*[2,4]; variance 0.9*[1,1] +
    // 0.1*[1,4]
    assertThat(values(e, "bn/moving_mean"))
        .containsExactly(new float[] {0.2f, 0.4f}, within(1e-6f));
    assertThat(values(e, "bn/moving_variance"))
        .containsExactly(new float[] {1.0f, 1.3f}, within(1e-6f));
    // d mse / d gamma_c = 0.5 * sum(xhat_c^2) = var_c / (var_c + eps); beta's gradient is 0
    double g0 = 1 - 0.1 * 1 / 1.001;
    double g1 = 1 - 0.1 * 4 / 4.001;
    assertThat(values(e, "bn/gamma"))
        .containsExactly(new float[] {(float) g0, (float) g1}, within(1e-6f));
    assertThat(values(e, "bn/beta")).containsExactly(new float[] {0f, 0f}, within(1e-7f));
    // EVAL after TRAIN normalises with the updated moving statistics from the checkpoint:
    // y = gamma * (x - [0.2, 0.4]) / sqrt([1.0, 1.3] + 0.001)
    double expected = 0;
    double[][] xs = {{1, 2}, {3, 6}};
    for (double[] row : xs) {
      double y0 = g0 * (row[0] - 0.2) / Math.sqrt(1.0 + 0.001);
      double y1 = g1 * (row[1] - 0.4) / Math.sqrt(1.3 + 0.001);
      expected += y0 * y0 + y1 * y1;
    }
    InputFn once =
        ArrayInput.builder()
            .feature("x", x)
            .labels(new float[][] {{0, 0}, {0, 0}})
            .batchSize(2)
            .shuffle(false)
            .numEpochs(1)
            .build();
    assertThat(e.evaluate(once).get("loss")).isCloseTo(expected / 4, within(1e-5));
  }

  @Test
  void fusedKeras2BatchNormalizationUpdatesTheVarianceWithBesselsCorrectionKeras3DoesNot()
      throws Exception {
    InputFn in =
        ctx ->
            Input.of(
                Map.of(
                    "x",
                    ctx.tf()
                        .constant(
                            Shape.of(2, 1, 1, 2),
                            DataBuffers.of(new float[] {1, 2, 3, 6}, true, false))),
                ctx.tf().constant(Shape.of(2, 1, 1, 2), DataBuffers.of(new float[4], true, false)));
    Estimator k2 =
        estimator(
            keras2("[null, 1, 1, 2]", BN), "mse", String.format(SGD, "0.1"), dir.resolve("k2"));
    k2.train(in, StepLimit.steps(1));
    // a 4D input normalised over its last axis runs tf.keras 2's FusedBatchNormV3, whose batch
    // variance is unbiased: m = 2 values per channel, so [1, 4] * 2 / (2 - 1) = [2, 8];
    // moving variance = 0.9 * 1 + 0.1 * [2, 8]
    assertThat(values(k2, "bn/moving_variance"))
        .containsExactly(new float[] {1.1f, 1.7f}, within(1e-6f));
    String bn3 =
        "{\"module\": \"keras.layers\", \"class_name\": \"BatchNormalization\","
            + " \"config\": {\"name\": \"bn\", \"axis\": -1, \"momentum\": 0.9, \"epsilon\": 0.001},"
            + " \"registered_name\": null}";
    Estimator k3 =
        estimator(
            keras3("[null, 1, 1, 2]", bn3), "mse", String.format(SGD, "0.1"), dir.resolve("k3"));
    k3.train(in, StepLimit.steps(1));
    // Keras 3 updates with the biased variance ops.moments gives: 0.9 * 1 + 0.1 * [1, 4]
    assertThat(values(k3, "bn/moving_variance"))
        .containsExactly(new float[] {1.0f, 1.3f}, within(1e-6f));
    assertThat(values(k3, "bn/moving_mean"))
        .containsExactly(new float[] {0.2f, 0.4f}, within(1e-6f));
  }

  @Test
  void aFrozenBatchNormalizationStaysInInferenceMode() throws Exception {
    String frozen =
        "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn\","
            + " \"trainable\": false, \"momentum\": 0.9, \"epsilon\": 0.001}}";
    Estimator e =
        estimator(keras2("[null, 2]", frozen, dense(1, 0, "")), "mse", String.format(SGD, "0.1"));
    e.train(input(new float[][] {{1, 2}, {3, 6}}, new float[] {0, 0}, true), StepLimit.steps(1));
    assertThat(values(e, "bn/moving_mean")).containsExactly(0f, 0f);
    assertThat(values(e, "bn/moving_variance")).containsExactly(1f, 1f);
  }

  // ---------------------------------------------------------------- regularisation

  @Test
  void weightRegularizersAddTheirPenaltiesToTheTrainingAndEvaluationLoss() throws Exception {
    // kernel: Keras 1/2's L1L2 spelling with l2 only; bias: Keras 2's L1
    String reg =
        "\"kernel_regularizer\": {\"class_name\": \"L1L2\", \"config\": {\"l1\": 0.0,"
            + " \"l2\": 0.01}}, \"bias_regularizer\": {\"class_name\": \"L1\", \"config\":"
            + " {\"l1\": 0.1}}";
    Estimator e =
        estimator(keras2("[null, 3]", dense(0.5, 0.2, reg)), "mae", String.format(SGD, "0.1"));
    float[][] x = {{1, 1, 1}};
    float[] y = {0f};
    // mae = |3 * 0.5 + 0.2 - 0| = 1.7; L2: 0.01 * 3 * 0.5^2 = 0.0075; L1: 0.1 * |0.2| = 0.02
    double expected = 1.7 + 0.0075 + 0.02;
    assertThat(e.evaluate(input(x, y, false)).get("loss")).isCloseTo(expected, within(1e-6));
    e.train(input(x, y, true), StepLimit.steps(1));
    assertThat(firstTrainingLoss()).isCloseTo(expected, within(1e-6));
    // gradients: kernel 1 (mae) + 2 * 0.01 * 0.5 = 1.01, bias 1 + 0.1 * sign(0.2) = 1.1
    assertThat(values(e, "dense/kernel"))
        .containsExactly(new float[] {0.399f, 0.399f, 0.399f}, within(1e-6f));
    assertThat(values(e, "dense/bias")).containsExactly(new float[] {0.09f}, within(1e-6f));
  }

  @Test
  void activityRegularizersArePerBatchInKeras2AndSummedInKeras3() throws Exception {
    String act2 = "\"activity_regularizer\": {\"class_name\": \"L2\", \"config\": {\"l2\": 0.5}}";
    float[][] x = {{1, 1, 1}, {2, 2, 2}};
    float[] y = {0f, 0f};
    // outputs 3 * 0.5 + 0.2 = 1.7 and 3.2; mae = (1.7 + 3.2) / 2 = 2.45;
    // activity penalty 0.5 * (1.7^2 + 3.2^2) = 6.565, divided by the batch size 2 in tf.keras 2
    Estimator k2 =
        estimator(
            keras2("[null, 3]", dense(0.5, 0.2, act2)),
            "mae",
            String.format(SGD, "0.1"),
            dir.resolve("k2"));
    assertThat(k2.evaluate(input(x, y, false)).get("loss"))
        .isCloseTo(2.45 + 6.565 / 2, within(1e-5));
    String act3 =
        "\"activity_regularizer\": {\"module\": \"keras.regularizers\", \"class_name\":"
            + " \"L2\", \"config\": {\"l2\": 0.5}, \"registered_name\": null}";
    Estimator k3 =
        estimator(
            keras3("[null, 3]", dense(0.5, 0.2, act3)),
            "mae",
            String.format(SGD, "0.1"),
            dir.resolve("k3"));
    assertThat(k3.evaluate(input(x, y, false)).get("loss")).isCloseTo(2.45 + 6.565, within(1e-5));
    // the ActivityRegularization layer: l1 * sum|x| / batch = 0.25 * (3 + 6) / 2
    String layer =
        "{\"class_name\": \"ActivityRegularization\", \"config\": {\"name\": \"ar\","
            + " \"l1\": 0.25, \"l2\": 0.0}}";
    Estimator ar =
        estimator(
            keras2("[null, 3]", layer, dense(0.5, 0.2, "")),
            "mae",
            String.format(SGD, "0.1"),
            dir.resolve("ar"));
    assertThat(ar.evaluate(input(x, y, false)).get("loss"))
        .isCloseTo(2.45 + 0.25 * 9 / 2, within(1e-5));
  }

  @Test
  void anUnknownRegularizerNamesTheLayerAndTheRegularizer() throws Exception {
    String reg =
        "\"kernel_regularizer\": {\"class_name\": \"OrthogonalRegularizer\","
            + " \"config\": {\"factor\": 0.01}}";
    Estimator e =
        estimator(keras2("[null, 3]", dense(0.5, 0, reg)), "mae", String.format(SGD, "0.1"));
    assertThatThrownBy(() -> e.train(input(ones(1, 3), new float[] {0}, true), StepLimit.steps(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("kernel_regularizer")
        .hasMessageContaining("layer 'dense'")
        .hasMessageContaining("'OrthogonalRegularizer'")
        .hasMessageContaining("L1L2");
    // inference never reads regularizers
    try (KerasModel model = KerasModel.load(keras2("[null, 3]", dense(0.5, 0, reg)))) {
      assertThat(model.outputs()).hasSize(1);
    }
  }

  // ---------------------------------------------------------------- learning-rate decay

  /**
   * A model whose gradient is constant: y = bias (kernel times input 0), label 100, mae. While the
   * bias stays below 100, d mae / d bias = -1 at every step, so each step moves the bias by exactly
   * the learning rate of that step.
   */
  private float biasAfter(String optimizer, int steps, String name) throws Exception {
    Estimator e =
        estimator(keras2("[null, 1]", dense(0, 0, "")), "mae", optimizer, dir.resolve(name));
    e.train(input(new float[][] {{0}}, new float[] {100}, true), StepLimit.steps(steps));
    return values(e, "dense/bias")[0];
  }

  @Test
  void timeBasedDecayDividesTheLearningRateByOnePlusDecayTimesTheGlobalStep() throws Exception {
    // Keras 2: lr_t = 1.0 / (1 + 0.5 * t) for t = 0, 1, 2, 3: 1 + 1/1.5 + 1/2 + 1/2.5
    String sgd = "{\"class_name\": \"SGD\", \"config\": {\"lr\": 1.0, \"decay\": 0.5}}";
    assertThat(biasAfter(sgd, 4, "decay"))
        .isCloseTo((float) (1 + 1 / 1.5 + 1 / 2.0 + 1 / 2.5), within(1e-5f));
  }

  @Test
  void learningRateSchedulesFollowTheGlobalStep() throws Exception {
    // ExponentialDecay(1.0, decay_steps 1, decay_rate 0.5): 1 + 0.5 + 0.25 + 0.125
    String exp =
        "{\"class_name\": \"SGD\", \"config\": {\"learning_rate\": {\"class_name\":"
            + " \"ExponentialDecay\", \"config\": {\"initial_learning_rate\": 1.0, \"decay_steps\": 1,"
            + " \"decay_rate\": 0.5, \"staircase\": false}}}}";
    assertThat(biasAfter(exp, 4, "exp")).isCloseTo(1.875f, within(1e-5f));
    // InverseTimeDecay(1.0, decay_steps 2, decay_rate 1, staircase): 1/(1 + floor(t/2)):
    // 1 + 1 + 0.5 + 0.5, in Keras 3's spelling
    String inv =
        "{\"module\": \"keras.optimizers\", \"class_name\": \"SGD\", \"config\":"
            + " {\"learning_rate\": {\"module\": \"keras.optimizers.schedules\", \"class_name\":"
            + " \"InverseTimeDecay\", \"config\": {\"initial_learning_rate\": 1.0, \"decay_steps\": 2,"
            + " \"decay_rate\": 1.0, \"staircase\": true}, \"registered_name\": null}}}";
    assertThat(biasAfter(inv, 4, "inv")).isCloseTo(3.0f, within(1e-5f));
    // PiecewiseConstantDecay([1, 2], [1.0, 0.5, 0.25]): t <= 1 -> 1, t = 2 -> 0.5, t = 3 -> 0.25
    String pw =
        "{\"class_name\": \"SGD\", \"config\": {\"learning_rate\": {\"class_name\":"
            + " \"PiecewiseConstantDecay\", \"config\": {\"boundaries\": [1, 2], \"values\": [1.0,"
            + " 0.5, 0.25]}}}}";
    assertThat(biasAfter(pw, 4, "pw")).isCloseTo(2.75f, within(1e-5f));
  }

  @Test
  void momentumWithDecayKeepsEachStepsOwnRateAsKerasDoes() throws Exception {
    // Keras: v = 0.9 v - lr_t g, bias += v, with g = -1 and lr_t = 1 / (1 + 0.5 t)
    double v = 0;
    double bias = 0;
    for (int t = 0; t < 3; t++) {
      v = 0.9 * v + 1.0 / (1 + 0.5 * t);
      bias += v;
    }
    String sgd =
        "{\"class_name\": \"SGD\", \"config\": {\"learning_rate\": 1.0, \"momentum\":"
            + " 0.9, \"decay\": 0.5}}";
    assertThat(biasAfter(sgd, 3, "momentum")).isCloseTo((float) bias, within(1e-5f));
  }

  @Test
  void anUnsupportedScheduleIsNamed() throws Exception {
    String opt =
        "{\"class_name\": \"Adam\", \"config\": {\"learning_rate\": {\"class_name\":"
            + " \"CosineDecayRestarts\", \"config\": {\"initial_learning_rate\": 1.0,"
            + " \"first_decay_steps\": 10}}}}";
    assertThatThrownBy(() -> estimator(keras2("[null, 1]", dense(0, 0, "")), "mae", opt))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'CosineDecayRestarts'")
        .hasMessageContaining("ExponentialDecay");
  }
}
