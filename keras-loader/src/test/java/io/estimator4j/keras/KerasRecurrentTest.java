package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.keras.file.UnsupportedKerasLayerException;
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
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Recurrent layers through the loader: dropout and recurrent_dropout in TRAIN (one mask per
 * sequence), settings read from the config (zero_output_for_mask, StackedRNNCells, CuDNN layers)
 * and the refusals of settings that cannot be honoured.
 */
class KerasRecurrentTest {
  @TempDir Path dir;

  private static String constant(double v) {
    return "{\"class_name\": \"Constant\", \"config\": {\"value\": " + v + "}}";
  }

  private static final String IDENTITY =
      "{\"class_name\": \"Identity\", \"config\": {\"gain\": 1.0}}";
  private static final String ZEROS = "{\"class_name\": \"Zeros\", \"config\": {}}";

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

  private static float[] run(Path json, ModeKeys mode, Shape shape, float[] x) throws Exception {
    KerasNetwork net = KerasNetwork.of(KerasModelFile.read(json));
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> in = tf.constant(shape, DataBuffers.of(x, true, false));
      Operand<?> out = net.apply(tf, Map.of("x", in), mode).outputs().values().iterator().next();
      s.initialize();
      try (Result r = s.runner().fetch(out).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] v = new float[(int) t.shape().size()];
        t.asRawTensor().data().asFloats().read(v);
        return v;
      }
    }
  }

  /** Runs a model of several float inputs (PREDICT) and returns its first output. */
  private static float[] run(Path json, Map<String, float[]> inputs, Map<String, Shape> shapes)
      throws Exception {
    KerasNetwork net = KerasNetwork.of(KerasModelFile.read(json));
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Map<String, Operand<?>> feeds = new java.util.HashMap<>();
      inputs.forEach(
          (k, v) -> feeds.put(k, tf.constant(shapes.get(k), DataBuffers.of(v, true, false))));
      Operand<?> out = net.apply(tf, feeds, ModeKeys.PREDICT).outputs().values().iterator().next();
      s.initialize();
      try (Result r = s.runner().fetch(out).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] v = new float[(int) t.shape().size()];
        t.asRawTensor().data().asFloats().read(v);
        return v;
      }
    }
  }

  private static float[] ones(int n) {
    float[] v = new float[n];
    Arrays.fill(v, 1f);
    return v;
  }

  /** SimpleRNN(units, linear, return_sequences) with the given initializers and extra settings. */
  private static String simpleRnn(int units, String kernel, String recurrent, String extra) {
    return "{\"class_name\": \"SimpleRNN\", \"config\": {\"name\": \"rnn\", \"units\": "
        + units
        + ", \"activation\": \"linear\", \"return_sequences\": true, \"kernel_initializer\": "
        + kernel
        + ", \"recurrent_initializer\": "
        + recurrent
        + ", \"bias_initializer\": "
        + ZEROS
        + (extra.isEmpty() ? "" : ", " + extra)
        + "}}";
  }

  @Test
  void inputDropoutUsesOneMaskForTheWholeSequenceInTrainOnly() throws Exception {
    // kernel = identity, recurrent kernel = 0, linear: h_t = x_t * mask = mask for x = ones;
    // with one mask per sequence every step repeats it: per (sample, unit) 0 or 1 / (1 - 0.5) = 2
    int batch = 32, steps = 3, units = 4;
    Path json =
        keras2("[null, 3, 4]", simpleRnn(units, IDENTITY, ZEROS, "\"dropout\": 0.5, \"seed\": 7"));
    float[] x = ones(batch * steps * units);
    float[] train = run(json, ModeKeys.TRAIN, Shape.of(batch, steps, units), x);
    Set<Float> seen = new HashSet<>();
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < units; j++) {
        float first = train[(b * steps) * units + j];
        assertThat(first).isIn(0f, 2f);
        seen.add(first);
        for (int t = 1; t < steps; t++) {
          assertThat(train[(b * steps + t) * units + j])
              .as("sample %d unit %d step %d", b, j, t)
              .isEqualTo(first);
        }
      }
    }
    assertThat(seen).containsExactlyInAnyOrder(0f, 2f);
    // EVAL and PREDICT: inference, h_t = x_t = 1 exactly
    assertThat(run(json, ModeKeys.EVAL, Shape.of(batch, steps, units), x)).containsOnly(1f);
    assertThat(run(json, ModeKeys.PREDICT, Shape.of(batch, steps, units), x)).containsOnly(1f);
  }

  @Test
  void recurrentDropoutUsesOneMaskForTheWholeSequenceInTrainOnly() throws Exception {
    // kernel = recurrent kernel = identity, linear: h_t = x_t + m * h_{t-1} with x = ones and m
    // the recurrent mask (0 or 2), the same at every step: (1, 1, 1) for m = 0, (1, 3, 7) for
    // m = 2; a new mask per step would also give (1, 3, 1), (1, 1, 3), ...
    int batch = 32, steps = 3, units = 4;
    Path json =
        keras2(
            "[null, 3, 4]",
            simpleRnn(units, IDENTITY, IDENTITY, "\"recurrent_dropout\": 0.5, \"seed\": 3"));
    float[] x = ones(batch * steps * units);
    float[] train = run(json, ModeKeys.TRAIN, Shape.of(batch, steps, units), x);
    Set<String> seen = new HashSet<>();
    for (int b = 0; b < batch; b++) {
      for (int j = 0; j < units; j++) {
        float[] s = new float[steps];
        for (int t = 0; t < steps; t++) {
          s[t] = train[(b * steps + t) * units + j];
        }
        assertThat(Arrays.toString(s)).isIn("[1.0, 1.0, 1.0]", "[1.0, 3.0, 7.0]");
        seen.add(Arrays.toString(s));
      }
    }
    assertThat(seen).hasSize(2);
    // inference: h = (1, 2, 3) at every unit
    float[] eval = run(json, ModeKeys.EVAL, Shape.of(batch, steps, units), x);
    for (int i = 0; i < eval.length; i++) {
      assertThat(eval[i]).isEqualTo((float) (i / units % steps + 1));
    }
  }

  private static String gated(String cls, String extra) {
    return "{\"class_name\": \""
        + cls
        + "\", \"config\": {\"name\": \"g\", \"units\": 3,"
        + " \"return_sequences\": true, \"kernel_initializer\": "
        + constant(0.3)
        + ", \"recurrent_initializer\": "
        + constant(-0.2)
        + ", \"bias_initializer\": "
        + constant(0.1)
        + ", "
        + extra
        + "}}";
  }

  @Test
  void lstmAndGruDropoutChangeTrainingOutputsOnly() throws Exception {
    float[] x = new float[8 * 4 * 2];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i * 0.7);
    }
    Shape shape = Shape.of(8, 4, 2);
    String[][] layers = {
      {"LSTM", "\"implementation\": 1"},
      {"LSTM", "\"implementation\": 2"},
      {"GRU", "\"implementation\": 2, \"reset_after\": true"},
      {"GRU", "\"implementation\": 1, \"reset_after\": false"}
    };
    for (String[] l : layers) {
      Path plain = keras2("[null, 4, 2]", gated(l[0], l[1]));
      Path dropped =
          keras2(
              "[null, 4, 2]", gated(l[0], l[1] + ", \"dropout\": 0.9, \"recurrent_dropout\": 0.9"));
      float[] reference = run(plain, ModeKeys.PREDICT, shape, x);
      assertThat(run(plain, ModeKeys.TRAIN, shape, x))
          .as("%s without dropout", l[0])
          .containsExactly(reference);
      assertThat(run(dropped, ModeKeys.PREDICT, shape, x)).as(l[0]).containsExactly(reference);
      assertThat(run(dropped, ModeKeys.EVAL, shape, x)).as(l[0]).containsExactly(reference);
      assertThat(run(dropped, ModeKeys.TRAIN, shape, x))
          .as("%s %s", l[0], l[1])
          .isNotEqualTo(reference);
    }
  }

  @Test
  void anEstimatorTrainsThroughTheDropoutMasks() throws Exception {
    // x [null, 6] -> Reshape(3, 2) -> LSTM(2, dropout and recurrent_dropout 0.5) -> Dense(1):
    // the unrolled graph with its masks has gradients, so one SGD step moves the LSTM's kernel
    Path json =
        keras2(
            "[null, 6]",
            "{\"class_name\": \"Reshape\", \"config\": {\"name\": \"r\", \"target_shape\": [3, 2]}}",
            "{\"class_name\": \"LSTM\", \"config\": {\"name\": \"g\", \"units\": 2,"
                + " \"kernel_initializer\": "
                + constant(0.3)
                + ", \"recurrent_initializer\": "
                + constant(-0.2)
                + ", \"bias_initializer\": "
                + constant(0.1)
                + ", \"dropout\": 0.5, \"recurrent_dropout\": 0.5, \"implementation\": 1}}",
            "{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 1,"
                + " \"kernel_initializer\": "
                + constant(1)
                + "}}");
    String training =
        "{\"loss\": \"mse\", \"optimizer_config\": {\"class_name\": \"SGD\","
            + " \"config\": {\"learning_rate\": 0.1}}}";
    io.estimator4j.estimator.Estimator e =
        KerasEstimators.modelToEstimator(
            KerasModelFile.read(json),
            training,
            io.estimator4j.estimator.config.RunConfig.builder()
                .modelDir(dir.resolve("model"))
                .build());
    float[][] x = new float[16][6];
    for (float[] row : x) {
      Arrays.fill(row, 1f);
    }
    float[] y = new float[16];
    Arrays.fill(y, 5f);
    e.train(
        io.estimator4j.estimator.input.ArrayInput.builder()
            .feature("x", x)
            .labels(y)
            .batchSize(16)
            .shuffle(false)
            .numEpochs(null)
            .build(),
        io.estimator4j.estimator.StepLimit.steps(1));
    try (org.tensorflow.Tensor t = e.variableValue("g/kernel")) {
      float[] k = new float[(int) t.shape().size()];
      ((TFloat32) t).asRawTensor().data().asFloats().read(k);
      assertThat(k).doesNotContain(0.3f);
    }
  }

  @Test
  void zeroOutputForMaskIsReadFromTheConfig() throws Exception {
    // Masking(0) masks step 1; kernel 1, recurrent 0, linear: outputs x_t, and at the masked
    // step the previous output (1) or, with zero_output_for_mask, 0
    String masking =
        "{\"class_name\": \"Masking\", \"config\": {\"name\": \"mask\"," + " \"mask_value\": 0.0}}";
    float[] x = {1, 0, 2};
    Path keep = keras2("[null, 3, 1]", masking, simpleRnn(1, constant(1), ZEROS, ""));
    assertThat(run(keep, ModeKeys.PREDICT, Shape.of(1, 3, 1), x)).containsExactly(1, 1, 2);
    Path zero =
        keras2(
            "[null, 3, 1]",
            masking,
            simpleRnn(1, constant(1), ZEROS, "\"zero_output_for_mask\": true"));
    assertThat(run(zero, ModeKeys.PREDICT, Shape.of(1, 3, 1), x)).containsExactly(1, 0, 2);
  }

  @Test
  void bidirectionalSplitsItsInitialStatesBetweenTheDirections() throws Exception {
    // SimpleRNN(1, kernel 1, recurrent 1, linear): h = h0 + sum(x) in either direction; Keras
    // gives the first half of initial_state to the forward layer: [10 + 6, 100 + 6]
    Path json = dir.resolve("bi.json");
    Files.writeString(
        json,
        """
        {"class_name": "Functional", "keras_version": "2.13.1", "config": {"name": "m",
         "layers": [
          {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
           "config": {"name": "x", "batch_input_shape": [null, 3, 1]}},
          {"class_name": "InputLayer", "name": "hf", "inbound_nodes": [],
           "config": {"name": "hf", "batch_input_shape": [null, 1]}},
          {"class_name": "InputLayer", "name": "hb", "inbound_nodes": [],
           "config": {"name": "hb", "batch_input_shape": [null, 1]}},
          {"class_name": "Bidirectional", "name": "bi", "config": {"name": "bi",
            "merge_mode": "concat", "layer": %s},
           "inbound_nodes": [[["x", 0, 0, {}], ["hf", 0, 0, {}], ["hb", 0, 0, {}]]]}],
         "input_layers": [["x", 0, 0], ["hf", 0, 0], ["hb", 0, 0]],
         "output_layers": [["bi", 0, 0]]}}
        """
            .formatted(
                simpleRnn(1, constant(1), constant(1), "")
                    .replace("\"return_sequences\": true", "\"return_sequences\": false")));
    float[] got =
        run(
            json,
            Map.of("x", new float[] {1, 2, 3}, "hf", new float[] {10}, "hb", new float[] {100}),
            Map.of("x", Shape.of(1, 3, 1), "hf", Shape.of(1, 1), "hb", Shape.of(1, 1)));
    assertThat(got).containsExactly(16f, 106f);
  }

  private static String cell(String cls, String name, int units) {
    return "{\"class_name\": \""
        + cls
        + "\", \"config\": {\"name\": \""
        + name
        + "\","
        + " \"units\": "
        + units
        + ", \"kernel_initializer\": "
        + constant(0.2)
        + ", \"recurrent_initializer\": "
        + constant(-0.3)
        + ", \"bias_initializer\": "
        + constant(0.05)
        + ", \"reset_after\": true}}";
  }

  @Test
  void rnnOverStackedCellsEqualsTheLayersStacked() throws Exception {
    float[] x = new float[2 * 5 * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.cos(i * 0.9);
    }
    Path stacked =
        keras2(
            "[null, 5, 3]",
            "{\"class_name\": \"RNN\", \"config\": {\"name\": \"rnn\", \"return_sequences\": true,"
                + " \"cell\": {\"class_name\": \"StackedRNNCells\", \"config\": {\"name\": \"s\","
                + " \"cells\": ["
                + cell("LSTMCell", "a", 4)
                + ", "
                + cell("GRUCell", "b", 2)
                + "]}}}}");
    Path layers =
        keras2(
            "[null, 5, 3]",
            cell("LSTM", "a", 4).replace("\"units\"", "\"return_sequences\": true, \"units\""),
            cell("GRU", "b", 2).replace("\"units\"", "\"return_sequences\": true, \"units\""));
    float[] expected = run(layers, ModeKeys.PREDICT, Shape.of(2, 5, 3), x);
    float[] got = run(stacked, ModeKeys.PREDICT, Shape.of(2, 5, 3), x);
    assertThat(got).hasSameSizeAs(expected);
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i]).isCloseTo(expected[i], within(1e-6f));
    }
  }

  @Test
  void cudnnLstmIsAnLstmWithSigmoidGatesAndBothBiasesAdded() throws Exception {
    // with constant weights the per-gate transposes change nothing; the bias is input + recurrent
    // (0.1 + 0.1 = 0.2) and the gates use sigmoid, whatever recurrent_activation says elsewhere
    float[] x = new float[2 * 4 * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i * 1.1);
    }
    Path cudnn =
        keras2(
            "[null, 4, 3]",
            "{\"class_name\": \"CuDNNLSTM\", \"config\": {\"name\": \"c\", \"units\": 2,"
                + " \"return_sequences\": true, \"unit_forget_bias\": false, \"kernel_initializer\": "
                + constant(0.3)
                + ", \"recurrent_initializer\": "
                + constant(-0.2)
                + ", \"bias_initializer\": "
                + constant(0.1)
                + "}}");
    Path lstm =
        keras2(
            "[null, 4, 3]",
            "{\"class_name\": \"LSTM\", \"config\": {\"name\": \"c\", \"units\": 2,"
                + " \"return_sequences\": true, \"unit_forget_bias\": false,"
                + " \"recurrent_activation\": \"sigmoid\", \"kernel_initializer\": "
                + constant(0.3)
                + ", \"recurrent_initializer\": "
                + constant(-0.2)
                + ", \"bias_initializer\": "
                + constant(0.2)
                + "}}");
    float[] expected = run(lstm, ModeKeys.PREDICT, Shape.of(2, 4, 3), x);
    float[] got = run(cudnn, ModeKeys.PREDICT, Shape.of(2, 4, 3), x);
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i]).isCloseTo(expected[i], within(1e-6f));
    }
  }

  private void assertRefused(Path json, String... fragments) {
    assertThatThrownBy(() -> KerasModel.load(json).close())
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContainingAll(fragments);
  }

  @Test
  void settingsThatCannotBeHonouredAreRefusedByName() throws Exception {
    assertRefused(keras2("[null, 3, 2]", gated("LSTM", "\"peephole\": true")), "'g'", "peephole");
    // a Keras 1 config is converted (KerasLegacyTest), but not a Keras 1 setting Keras 2 dropped
    assertRefused(
        keras2(
            "[null, 3, 2]",
            "{\"class_name\": \"LSTM\", \"config\": {\"name\": \"old\", \"output_dim\": 3,"
                + " \"inner_activation\": \"hard_sigmoid\", \"consume_less\": \"cpu\","
                + " \"legacy_setting\": 1}}"),
        "'old'",
        "legacy_setting");
    assertRefused(
        keras2(
            "[null, 3, 2]",
            "{\"class_name\": \"Masking\", \"config\": {\"name\": \"mask\", \"mask_value\": 0.0}}",
            "{\"class_name\": \"CuDNNGRU\", \"config\": {\"name\": \"cg\", \"units\": 2}}"),
        "'cg'",
        "masking");
    assertRefused(
        keras2(
            "[null, 3, 2]",
            "{\"class_name\": \"Bidirectional\", \"config\": {\"name\": \"bi\", \"merge_mode\":"
                + " \"max\", \"layer\": "
                + gated("GRU", "\"reset_after\": true")
                + "}}"),
        "'bi'",
        "merge_mode 'max'");
    assertRefused(
        keras2(
            "[null, 3, 2]",
            "{\"class_name\": \"RNN\", \"config\": {\"name\": \"r\", \"cell\": {\"class_name\":"
                + " \"PeepholeLSTMCell\", \"config\": {\"units\": 2}}}}"),
        "'r'",
        "PeepholeLSTMCell");
  }
}
