package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.WeightArray;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Keras's Attention and MultiHeadAttention layers read from Keras 2 configs (tensors passed by
 * keyword as [layer, node, tensor] in the node's kwargs, weights by name) and Keras 3 archives
 * (weights under the sub-layers' attribute names), with masks, checked against values worked out by
 * hand. Every case feeds x = [[1], [2]] or [[1], [2], [0]] (one feature), so scores are products of
 * small integers.
 */
class KerasAttentionTest {
  @TempDir Path tmp;

  private static double sigmoidOfMinus(double z) {
    // softmax([a, a + z]) = [1 / (1 + e^z), e^z / (1 + e^z)]
    return 1 / (1 + Math.exp(z));
  }

  private static String input(String name, int steps, int features) {
    return "{\"class_name\": \"InputLayer\", \"name\": \""
        + name
        + "\", \"inbound_nodes\": [],"
        + " \"config\": {\"name\": \""
        + name
        + "\", \"batch_input_shape\": [null, "
        + steps
        + ", "
        + features
        + "], \"dtype\": \"float32\"}}";
  }

  private static String init(String cls) {
    return "{\"class_name\": \"" + cls + "\", \"config\": {}}";
  }

  private static String functional(String layers, String inputs, String outputs) {
    return "{\"class_name\": \"Functional\", \"keras_version\": \"2.12.0\", \"config\": {"
        + "\"name\": \"m\", \"layers\": ["
        + layers
        + "], \"input_layers\": "
        + inputs
        + ", \"output_layers\": "
        + outputs
        + "}}";
  }

  private float[] predict(
      Path model, Map<String, float[]> inputs, Map<String, long[]> shapes, String output)
      throws IOException {
    try (KerasModel m = KerasModel.load(model)) {
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      inputs.forEach(
          (k, v) ->
              feeds.put(
                  k, TFloat32.tensorOf(Shape.of(shapes.get(k)), DataBuffers.of(v, true, false))));
      try {
        return TestData.predict(m, feeds, output);
      } finally {
        feeds.values().forEach(Tensor::close);
      }
    }
  }

  private static void assertClose(float[] actual, double... expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-5));
    }
  }

  @Test
  void keras2AttentionWithCausalMaskAndScores() throws IOException {
    // Attention()([q, v], use_causal_mask=True, return_attention_scores=True): Keras 2 writes the
    // call's keyword arguments on each tensor of the first argument
    String kw = "{\"use_causal_mask\": true, \"return_attention_scores\": true}";
    String json =
        functional(
            input("q", 2, 2)
                + ","
                + input("v", 2, 2)
                + ","
                + "{\"class_name\": \"Attention\", \"name\": \"att\", \"config\": {\"name\": \"att\","
                + " \"use_scale\": false, \"score_mode\": \"dot\", \"dropout\": 0.0},"
                + " \"inbound_nodes\": [[[\"q\", 0, 0, "
                + kw
                + "], [\"v\", 0, 0, "
                + kw
                + "]]]}",
            "[[\"q\", 0, 0], [\"v\", 0, 0]]",
            "[[\"att\", 0, 0], [\"att\", 0, 1]]");
    Path file = tmp.resolve("attention.json");
    Files.writeString(file, json);
    // q = [[1, 0], [0, 2]], v = [[1, 2], [3, 4]]: scores row 0 = [1, 3], row 1 = [4, 8];
    // causal: row 0 sees only v[0]; row 1 weights [1, e^4] / (1 + e^4)
    double b = sigmoidOfMinus(4);
    Map<String, float[]> in = Map.of("q", new float[] {1, 0, 0, 2}, "v", new float[] {1, 2, 3, 4});
    Map<String, long[]> shapes = Map.of("q", new long[] {1, 2, 2}, "v", new long[] {1, 2, 2});
    assertClose(predict(file, in, shapes, "att"), 1, 2, b + 3 * (1 - b), 2 * b + 4 * (1 - b));
    try (KerasModel m = KerasModel.load(file)) {
      assertThat(m.outputs()).hasSize(2);
    }
  }

  /** x -> Masking(0) -> MultiHeadAttention(1 head, key_dim 1)(x, x); Keras 2 layout. */
  private static String keras2SelfAttention(boolean masking, String kernelInit) {
    String maskLayer =
        masking
            ? "{\"class_name\": \"Masking\", \"name\": \"mask\", \"config\": {\"name\": \"mask\","
                + " \"mask_value\": 0.0}, \"inbound_nodes\": [[[\"x\", 0, 0, {}]]]},"
            : "";
    String src = masking ? "mask" : "x";
    return functional(
        input("x", masking ? 3 : 2, 1)
            + ","
            + maskLayer
            + "{\"class_name\": \"MultiHeadAttention\", \"name\": \"mha\", \"config\": {"
            + "\"name\": \"mha\", \"num_heads\": 1, \"key_dim\": 1, \"value_dim\": 1,"
            + " \"dropout\": 0.0, \"use_bias\": true, \"output_shape\": null,"
            + " \"attention_axes\": [1], \"kernel_initializer\": "
            + init(kernelInit)
            + ","
            + " \"bias_initializer\": "
            + init("Zeros")
            + ","
            + " \"query_shape\": [null, 3, 1], \"key_shape\": [null, 3, 1],"
            + " \"value_shape\": [null, 3, 1]},"
            + " \"inbound_nodes\": [[[\""
            + src
            + "\", 0, 0, {\"value\": [\""
            + src
            + "\", 0, 0]}]]]}",
        "[[\"x\", 0, 0]]",
        "[[\"mha\", 0, 0]]");
  }

  @Test
  void keras2MultiHeadAttentionTakesItsValueFromTheKwargsAndHonoursMasks() throws IOException {
    Path file = tmp.resolve("mha.json");
    Files.writeString(file, keras2SelfAttention(true, "Ones"));
    // all kernels 1, biases 0: q = k = v = x = [1, 2, 0]; Masking(0) masks position 2 as query
    // and as value. Row 0: scores [1, 2, -] -> [1, e] / (1 + e) -> 1 * w0 + 2 * w1.
    // Row 1: scores [2, 4, -] -> [1, e^2] / (1 + e^2). Row 2 (masked query): every score gets
    // -1e9, so the weights are uniform: (1 + 2 + 0) / 3 = 1.
    double a = sigmoidOfMinus(1);
    double b = sigmoidOfMinus(2);
    float[] out =
        predict(file, Map.of("x", new float[] {1, 2, 0}), Map.of("x", new long[] {1, 3, 1}), "mha");
    assertClose(out, a + 2 * (1 - a), b + 2 * (1 - b), 1);
  }

  /**
   * Query kernel 1, key kernel 2, value kernel 3, output kernel 0.5 (biases 0) on x = [1, 2]: q =
   * x, k = 2x, v = 3x. Row 0: scores [2, 4] -> [1, e^2] / (1 + e^2), out = 0.5 * 3 * (w0 + 2 w1);
   * row 1: scores [4, 8] -> [1, e^4] / (1 + e^4). A wrong weight order gives other values.
   */
  private static double[] distinctKernelsExpected() {
    double a = sigmoidOfMinus(2);
    double b = sigmoidOfMinus(4);
    return new double[] {1.5 * (a + 2 * (1 - a)), 1.5 * (b + 2 * (1 - b))};
  }

  private static final String[] PARTS = {"query", "key", "value", "attention_output"};
  private static final float[] KERNELS = {1, 2, 3, 0.5f};

  @Test
  void keras2WeightsAreTakenInKerasOrder() throws IOException {
    Path json = tmp.resolve("mha2.json");
    Files.writeString(json, keras2SelfAttention(false, "GlorotUniform"));
    Map<String, KerasWeights.Group> layers = new LinkedHashMap<>();
    List<WeightArray> vars = new java.util.ArrayList<>();
    for (int i = 0; i < PARTS.length; i++) {
      Shape kernel = i < 3 ? Shape.of(1, 1, 1) : Shape.of(1, 1, 1);
      Shape bias = i < 3 ? Shape.of(1, 1) : Shape.of(1);
      vars.add(new WeightArray("mha/" + PARTS[i] + "/kernel:0", kernel, new float[] {KERNELS[i]}));
      vars.add(new WeightArray("mha/" + PARTS[i] + "/bias:0", bias, new float[] {0}));
    }
    layers.put("mha", new KerasWeights.Group(vars, Map.of()));
    Path weights = tmp.resolve("mha2.weights.h5");
    TestFiles.writeKeras2Weights(
        weights,
        new KerasWeights(KerasWeights.Layout.KERAS2, new KerasWeights.Group(List.of(), layers)),
        1);
    KerasModelFile file = KerasModelFile.read(json, weights);
    try (KerasModel m = KerasModel.build(file)) {
      assertThat(m.trainableVariables())
          .extracting(v -> v.op().name())
          .containsExactly(
              "mha/query/kernel",
              "mha/query/bias",
              "mha/key/kernel",
              "mha/key/bias",
              "mha/value/kernel",
              "mha/value/bias",
              "mha/attention_output/kernel",
              "mha/attention_output/bias");
      assertClose(run(m, new float[] {1, 2}), distinctKernelsExpected());
    }
  }

  @Test
  void keras3ArchiveWeightsAreTakenFromTheSubLayers() throws IOException {
    String config =
        """
        {"module": "keras", "class_name": "Functional", "config": {"name": "functional",
         "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "name": "x",
           "config": {"batch_shape": [null, 2, 1], "dtype": "float32", "name": "x"},
           "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "MultiHeadAttention", "name": "mha",
           "config": {"name": "mha", "num_heads": 1, "key_dim": 1, "value_dim": 1,
             "dropout": 0.0, "use_bias": true, "output_shape": null, "attention_axes": [1],
             "kernel_initializer": {"module": "keras.initializers", "class_name": "GlorotUniform",
               "config": {"seed": null}},
             "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
               "config": {}}},
           "inbound_nodes": [{"args": [
             {"class_name": "__keras_tensor__", "config": {"shape": [null, 2, 1],
               "dtype": "float32", "keras_history": ["x", 0, 0]}},
             {"class_name": "__keras_tensor__", "config": {"shape": [null, 2, 1],
               "dtype": "float32", "keras_history": ["x", 0, 0]}}], "kwargs": {}}]}],
         "input_layers": [["x", 0, 0]], "output_layers": [["mha", 0, 0]]}}
        """;
    Path weights = tmp.resolve("model.weights.h5");
    String[] attrs = {"_query_dense", "_key_dense", "_value_dense", "_output_dense"};
    try (WritableHdfFile h5 = HdfFile.write(weights)) {
      WritableGroup layer = h5.putGroup("layers").putGroup("multi_head_attention");
      // created in attribute-name order, as Keras 3 lists dir(layer): key, output, query, value
      for (String attr :
          new String[] {"_key_dense", "_output_dense", "_query_dense", "_value_dense"}) {
        int i = List.of(attrs).indexOf(attr);
        WritableGroup vars = layer.putGroup(attr).putGroup("vars");
        vars.putDataset("0", new float[][][] {{{KERNELS[i]}}});
        vars.putDataset("1", i < 3 ? (Object) new float[][] {{0}} : (Object) new float[] {0});
      }
      layer.putGroup("_softmax").putGroup("vars");
      layer.putGroup("_dropout_layer").putGroup("vars");
    }
    Path archive = tmp.resolve("mha.keras");
    TestFiles.writeKeras3(archive, config, weights);
    try (KerasModel m = KerasModel.load(archive)) {
      assertClose(run(m, new float[] {1, 2}), distinctKernelsExpected());
    }
  }

  /**
   * Keras 3 archives written by releases whose MultiHeadAttention exposes public properties hold
   * {@code query_dense}, {@code key_dense}, ... (saving_lib visits public attributes first and each
   * object once); earlier 3.x releases hold {@code _query_dense}, ... Both must read by role, not
   * in alphabetical order (key, output, query, value). key_dim 2, value_dim 3 and one output
   * feature give every projection its own kernel shape: query/key [1, 1, 2], value [1, 1, 3],
   * output [1, 3, 1], so a mix-up fails on shape. Kernels all 1 (query), 2 (key), 3 (value), 0.5
   * (output), biases 0, x = [1, 2]: q_i = [x_i, x_i], k_j = [2 x_j, 2 x_j], score_ij = q_i . k_j /
   * sqrt(2) = 2 sqrt(2) x_i x_j; v_j = [3 x_j] * 3; out_i = 0.5 * 3 * 3 * sum_j w_ij x_j = 4.5
   * (w_i0 + 2 w_i1). Row 0: scores [2 sqrt 2, 4 sqrt 2]; row 1: [4 sqrt 2, 8 sqrt 2].
   */
  @org.junit.jupiter.params.ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"", "_"})
  void keras3ProjectionsAreReadByRoleUnderPublicOrPrivateNames(String prefix) throws IOException {
    String config =
        """
        {"module": "keras", "class_name": "Functional", "config": {"name": "functional",
         "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "name": "x",
           "config": {"batch_shape": [null, 2, 1], "dtype": "float32", "name": "x"},
           "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "MultiHeadAttention", "name": "mha",
           "config": {"name": "mha", "num_heads": 1, "key_dim": 2, "value_dim": 3,
             "dropout": 0.0, "use_bias": true, "output_shape": null, "attention_axes": [1]},
           "inbound_nodes": [{"args": [
             {"class_name": "__keras_tensor__", "config": {"shape": [null, 2, 1],
               "dtype": "float32", "keras_history": ["x", 0, 0]}},
             {"class_name": "__keras_tensor__", "config": {"shape": [null, 2, 1],
               "dtype": "float32", "keras_history": ["x", 0, 0]}}], "kwargs": {}}]}],
         "input_layers": [["x", 0, 0]], "output_layers": [["mha", 0, 0]]}}
        """;
    Path weights = tmp.resolve("model.weights.h5");
    try (WritableHdfFile h5 = HdfFile.write(weights)) {
      WritableGroup layer = h5.putGroup("layers").putGroup("multi_head_attention");
      // in the order dir(layer) lists them: key, output, query, value
      WritableGroup key = layer.putGroup(prefix + "key_dense").putGroup("vars");
      key.putDataset("0", new float[][][] {{{2, 2}}});
      key.putDataset("1", new float[][] {{0, 0}});
      WritableGroup output = layer.putGroup(prefix + "output_dense").putGroup("vars");
      output.putDataset("0", new float[][][] {{{0.5f}, {0.5f}, {0.5f}}});
      output.putDataset("1", new float[] {0});
      WritableGroup query = layer.putGroup(prefix + "query_dense").putGroup("vars");
      query.putDataset("0", new float[][][] {{{1, 1}}});
      query.putDataset("1", new float[][] {{0, 0}});
      WritableGroup value = layer.putGroup(prefix + "value_dense").putGroup("vars");
      value.putDataset("0", new float[][][] {{{3, 3, 3}}});
      value.putDataset("1", new float[][] {{0, 0, 0}});
    }
    Path archive = tmp.resolve("mha.keras");
    TestFiles.writeKeras3(archive, config, weights);
    double a = sigmoidOfMinus(2 * Math.sqrt(2));
    double b = sigmoidOfMinus(4 * Math.sqrt(2));
    try (KerasModel m = KerasModel.load(archive)) {
      assertClose(run(m, new float[] {1, 2}), 4.5 * (a + 2 * (1 - a)), 4.5 * (b + 2 * (1 - b)));
    }
  }

  private static float[] run(KerasModel m, float[] x) {
    try (TFloat32 in =
        TFloat32.tensorOf(Shape.of(1, x.length, 1), DataBuffers.of(x, true, false))) {
      return TestData.predict(m, Map.of(m.inputs().keySet().iterator().next(), in), null);
    }
  }

  @Test
  void attentionDropoutActsOnlyInTrainMode() throws IOException {
    Path file = tmp.resolve("mha-dropout.json");
    Files.writeString(
        file, keras2SelfAttention(false, "Ones").replace("\"dropout\": 0.0", "\"dropout\": 0.9"));
    KerasNetwork net = KerasNetwork.of(KerasModelFile.read(file));
    double[] inference = {1 + (1 - sigmoidOfMinus(1)), 1 + (1 - sigmoidOfMinus(2))};
    assertClose(apply(net, ModeKeys.PREDICT), inference);
    assertClose(apply(net, ModeKeys.EVAL), inference);
    // TRAIN: each attention weight is dropped (0) or kept and scaled by 1 / (1 - 0.9) = 10, so
    // no row can keep its inference value
    float[] train = apply(net, ModeKeys.TRAIN);
    for (int i = 0; i < inference.length; i++) {
      assertThat((double) train[i]).isNotCloseTo(inference[i], within(1e-3));
    }
  }

  private static float[] apply(KerasNetwork net, ModeKeys mode) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x =
          tf.constant(Shape.of(1, 2, 1), DataBuffers.of(new float[] {1, 2}, true, false));
      Operand<?> out = net.apply(tf, Map.of("x", x), mode).outputs().values().iterator().next();
      s.initialize();
      try (Result r = s.runner().fetch(out).run()) {
        return TestData.floats(r.get(0));
      }
    }
  }

  @Test
  void partialAttentionAxesAreRefusedNamingTheLayer() throws IOException {
    String json =
        keras2SelfAttention(false, "Ones")
            .replace("\"attention_axes\": [1]", "\"attention_axes\": [2]")
            .replace("[null, 2, 1]", "[null, 2, 3, 1]");
    Path file = tmp.resolve("axes.json");
    Files.writeString(file, json);
    assertThatThrownBy(() -> KerasModel.load(file).close())
        .hasMessageContaining("'mha'")
        .hasMessageContaining("attention_axes [2]");
  }
}
