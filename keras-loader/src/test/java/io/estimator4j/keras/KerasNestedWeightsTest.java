package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.WeightArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Models nested as layers of another, shaped like Teachable Machine's image models (an outer
 * Sequential holding a Sequential around a functional MobileNetV2 trunk, then a Sequential head).
 * Keras 2 stores a nested model's weights as one list under the outer layer's group, in the order
 * of its {@code trainable_weights + non_trainable_weights}, named after the inner layers only (the
 * nested model's own name is not in the path), and loads them by position. Each nested file must
 * give exactly what the same layers give laid out flat, each loaded under its own name.
 */
class KerasNestedWeightsTest {
  @TempDir Path tmp;

  private static final long[] CONV1 = {3, 3, 3, 4};
  private static final long[] CHANNELS = {4};
  private static final long[] DEPTHWISE = {3, 3, 4, 1};

  /** The trunk's layers: Conv1, bn_Conv1, Conv1_relu, dw, dw_BN, out_relu. */
  private static String trunkLayers(boolean trainable, boolean functional) {
    String t = Boolean.toString(trainable);
    String[] layers = {
      "{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"Conv1\", \"trainable\": %s,"
          + " \"filters\": 4, \"kernel_size\": [3, 3], \"strides\": [2, 2], \"padding\": \"same\","
          + " \"use_bias\": false, \"activation\": \"linear\"}}",
      "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn_Conv1\","
          + " \"trainable\": %s, \"axis\": [3], \"epsilon\": 0.001, \"momentum\": 0.999}}",
      "{\"class_name\": \"ReLU\", \"config\": {\"name\": \"Conv1_relu\", \"trainable\": %s,"
          + " \"max_value\": 6.0}}",
      "{\"class_name\": \"DepthwiseConv2D\", \"config\": {\"name\": \"dw\", \"trainable\": %s,"
          + " \"kernel_size\": [3, 3], \"padding\": \"same\", \"use_bias\": false,"
          + " \"depth_multiplier\": 1, \"activation\": \"linear\"}}",
      "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"dw_BN\","
          + " \"trainable\": %s, \"axis\": [3], \"epsilon\": 0.001, \"momentum\": 0.999}}",
      "{\"class_name\": \"ReLU\", \"config\": {\"name\": \"out_relu\", \"trainable\": %s,"
          + " \"max_value\": 6.0}}"
    };
    StringBuilder out = new StringBuilder();
    String previous = "input_2";
    for (String l : layers) {
      String json = l.formatted(t);
      String name = json.replaceAll(".*\"name\": \"([^\"]+)\".*", "$1");
      if (functional) {
        json =
            json.substring(0, json.length() - 1)
                + ", \"name\": \""
                + name
                + "\", \"inbound_nodes\": [[[\""
                + previous
                + "\", 0, 0, {}]]]}";
      }
      out.append(",\n").append(json);
      previous = name;
    }
    return out.toString();
  }

  /** The Teachable-Machine-shaped model; {@code model1} (the trunk) frozen or not. */
  private static String nestedModel(String kerasVersion, boolean frozen, boolean innerFlags) {
    return """
        {"class_name": "Sequential", "keras_version": "%s", "backend": "tensorflow",
         "config": {"name": "sequential_4", "build_input_shape": [null, 6, 6, 3], "layers": [
          {"class_name": "Sequential", "config": {"name": "sequential_1", "layers": [
            {"class_name": "InputLayer", "config": {"name": "input_1",
              "batch_input_shape": [null, 6, 6, 3], "dtype": "float32"}},
            {"class_name": "Functional", "config": {"name": "model1", "trainable": %s,
              "layers": [
                {"class_name": "InputLayer", "name": "input_2", "inbound_nodes": [],
                 "config": {"name": "input_2", "batch_input_shape": [null, 6, 6, 3],
                   "dtype": "float32"}}%s],
              "input_layers": [["input_2", 0, 0]], "output_layers": [["out_relu", 0, 0]]}},
            {"class_name": "GlobalAveragePooling2D", "config": {"name": "gap"}}]}},
          {"class_name": "Sequential", "config": {"name": "sequential_3", "layers": [
            {"class_name": "Dense", "config": {"name": "dense_1", "units": 4,
              "activation": "relu", "batch_input_shape": [null, 4]}},
            {"class_name": "Dense", "config": {"name": "dense_2", "units": 2,
              "activation": "softmax"}}]}}]}}
        """
        .formatted(kerasVersion, !frozen, trunkLayers(!innerFlags, true));
  }

  /** The same layers laid out flat in one functional model. */
  private static String flatModel() {
    return """
        {"class_name": "Functional", "keras_version": "2.4.0", "config": {"name": "flat",
          "layers": [
            {"class_name": "InputLayer", "name": "input_2", "inbound_nodes": [],
             "config": {"name": "input_2", "batch_input_shape": [null, 6, 6, 3],
               "dtype": "float32"}}%s,
            {"class_name": "GlobalAveragePooling2D", "name": "gap",
             "config": {"name": "gap"}, "inbound_nodes": [[["out_relu", 0, 0, {}]]]},
            {"class_name": "Dense", "name": "dense_1", "inbound_nodes": [[["gap", 0, 0, {}]]],
             "config": {"name": "dense_1", "units": 4, "activation": "relu"}},
            {"class_name": "Dense", "name": "dense_2", "inbound_nodes": [[["dense_1", 0, 0, {}]]],
             "config": {"name": "dense_2", "units": 2, "activation": "softmax"}}],
          "input_layers": [["input_2", 0, 0]], "output_layers": [["dense_2", 0, 0]]}}
        """
        .formatted(trunkLayers(true, true));
  }

  /** Random weights for each inner layer, in the order each layer creates them. */
  private static Map<String, List<WeightArray>> weights(String namePrefix, String suffix) {
    Random r = new Random(42);
    Map<String, List<WeightArray>> w = new LinkedHashMap<>();
    w.put("Conv1", List.of(arr(r, namePrefix + "Conv1" + suffix + "/kernel:0", CONV1, false)));
    w.put("bn_Conv1", bn(r, namePrefix + "bn_Conv1" + suffix));
    w.put(
        "dw",
        List.of(arr(r, namePrefix + "dw" + suffix + "/depthwise_kernel:0", DEPTHWISE, false)));
    w.put("dw_BN", bn(r, namePrefix + "dw_BN" + suffix));
    w.put(
        "dense_1",
        List.of(
            arr(r, "dense_1/kernel:0", new long[] {4, 4}, false),
            arr(r, "dense_1/bias:0", CHANNELS, false)));
    w.put(
        "dense_2",
        List.of(
            arr(r, "dense_2/kernel:0", new long[] {4, 2}, false),
            arr(r, "dense_2/bias:0", new long[] {2}, false)));
    return w;
  }

  private static List<WeightArray> bn(Random r, String layer) {
    return List.of(
        arr(r, layer + "/gamma:0", CHANNELS, false),
        arr(r, layer + "/beta:0", CHANNELS, false),
        arr(r, layer + "/moving_mean:0", CHANNELS, false),
        arr(r, layer + "/moving_variance:0", CHANNELS, true));
  }

  private static WeightArray arr(Random r, String name, long[] shape, boolean positive) {
    float[] v = new float[(int) Shape.of(shape).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = positive ? 0.5f + r.nextFloat() : (float) r.nextGaussian() * 0.5f;
    }
    return new WeightArray(name, Shape.of(shape), v);
  }

  /** The trunk's weights in tf.keras's order for a trainable trunk: trainables, then the rest. */
  private static List<WeightArray> trainableOrder(Map<String, List<WeightArray>> w) {
    List<WeightArray> out = new ArrayList<>();
    out.add(w.get("Conv1").get(0));
    out.addAll(w.get("bn_Conv1").subList(0, 2));
    out.add(w.get("dw").get(0));
    out.addAll(w.get("dw_BN").subList(0, 2));
    out.addAll(w.get("bn_Conv1").subList(2, 4));
    out.addAll(w.get("dw_BN").subList(2, 4));
    return out;
  }

  /** A frozen trunk in tf.keras (every inner layer frozen too): layer by layer. */
  private static List<WeightArray> frozenOrder(Map<String, List<WeightArray>> w) {
    List<WeightArray> out = new ArrayList<>();
    for (String l : List.of("Conv1", "bn_Conv1", "dw", "dw_BN")) {
      out.addAll(w.get(l));
    }
    return out;
  }

  private Path nestedWeights(List<WeightArray> trunk, Map<String, List<WeightArray>> w) {
    Map<String, KerasWeights.Group> groups = new LinkedHashMap<>();
    groups.put("sequential_1", new KerasWeights.Group(trunk, Map.of()));
    List<WeightArray> head = new ArrayList<>(w.get("dense_1"));
    head.addAll(w.get("dense_2"));
    groups.put("sequential_3", new KerasWeights.Group(head, Map.of()));
    Path file = tmp.resolve("nested_" + System.nanoTime() + ".h5");
    TestFiles.writeKeras2Weights(
        file,
        new KerasWeights(KerasWeights.Layout.KERAS2, new KerasWeights.Group(List.of(), groups)),
        1);
    return file;
  }

  private float[] flatPrediction() throws IOException {
    Map<String, List<WeightArray>> w = weights("", "");
    Map<String, KerasWeights.Group> groups = new LinkedHashMap<>();
    w.forEach((k, v) -> groups.put(k, new KerasWeights.Group(v, Map.of())));
    Path weights = tmp.resolve("flat.h5");
    TestFiles.writeKeras2Weights(
        weights,
        new KerasWeights(KerasWeights.Layout.KERAS2, new KerasWeights.Group(List.of(), groups)),
        1);
    Path json = tmp.resolve("flat.json");
    Files.writeString(json, flatModel());
    return predict(KerasModelFile.read(json, weights));
  }

  private float[] predict(KerasModelFile file) {
    float[] x = new float[2 * 6 * 6 * 3];
    Random r = new Random(7);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat() * 2 - 1;
    }
    try (KerasModel model = KerasModel.build(file);
        TFloat32 in = TFloat32.tensorOf(Shape.of(2, 6, 6, 3), DataBuffers.of(x, true, false))) {
      return TestData.predict(model, Map.of(model.inputs().keySet().iterator().next(), in), null);
    }
  }

  private static KerasSummary summary(KerasModelFile file) {
    try (KerasModel model = KerasModel.build(file)) {
      return KerasSummary.of(model);
    }
  }

  private KerasModelFile nestedFile(String config, Path weights) throws IOException {
    Path json = tmp.resolve("nested_" + System.nanoTime() + ".json");
    Files.writeString(json, config);
    return KerasModelFile.read(json, weights);
  }

  @Test
  void teachableMachineShapedModelLoadsByKerasOrder() throws IOException {
    float[] expected = flatPrediction();
    // tf.keras 2.x names: the inner layers' names only, no "model1" in the path
    Map<String, List<WeightArray>> w = weights("", "");
    KerasModelFile file =
        nestedFile(nestedModel("2.4.0", false, false), nestedWeights(trainableOrder(w), w));
    assertThat(predict(file)).containsExactly(expected);
    // Keras's counts: trainable 108 + 4 + 4 + 36 + 4 + 4 + 20 + 10 = 190; moving stats 16
    KerasSummary summary = summary(file);
    assertThat(summary.trainableParams()).isEqualTo(190);
    assertThat(summary.nonTrainableParams()).isEqualTo(16);
  }

  @Test
  void tf1UniquifiedNamesLoadByOrderToo() throws IOException {
    float[] expected = flatPrediction();
    Map<String, List<WeightArray>> w = weights("", "_1"); // Conv1_1/kernel:0, ...
    KerasModelFile file =
        nestedFile(nestedModel("2.2.4-tf", false, false), nestedWeights(trainableOrder(w), w));
    assertThat(predict(file)).containsExactly(expected);
  }

  @Test
  void frozenTrunkInTfKerasFormIsStoredLayerByLayer() throws IOException {
    float[] expected = flatPrediction();
    // names that match no layer: only Keras's order can place these weights
    Map<String, List<WeightArray>> w = weights("w/", "_q");
    // tf.keras propagates trainable=False to every inner layer and saves it in their configs
    KerasModelFile file =
        nestedFile(nestedModel("2.4.0", true, true), nestedWeights(frozenOrder(w), w));
    assertThat(predict(file)).containsExactly(expected);
    KerasSummary summary = summary(file);
    assertThat(summary.trainableParams()).isEqualTo(30); // the head's Dense layers only
    assertThat(summary.nonTrainableParams()).isEqualTo(176);
  }

  @Test
  void frozenNetworkInStandaloneKeras22FormListsTrainablesFirst() throws IOException {
    float[] expected = flatPrediction();
    Map<String, List<WeightArray>> w = weights("w/", "_q");
    // Keras 2.2: the Network is frozen, its layers keep trainable=True; non_trainable_weights =
    // all layers' trainable weights, then all their non-trainable ones
    KerasModelFile file =
        nestedFile(nestedModel("2.2.4", true, false), nestedWeights(trainableOrder(w), w));
    assertThat(predict(file)).containsExactly(expected);
  }

  @Test
  void aWeightCountMismatchNamesTheNestedModel() throws IOException {
    Map<String, List<WeightArray>> w = weights("", "");
    List<WeightArray> trunk = new ArrayList<>(trainableOrder(w));
    trunk.remove(trunk.size() - 1);
    KerasModelFile file = nestedFile(nestedModel("2.4.0", false, false), nestedWeights(trunk, w));
    assertThatThrownBy(() -> KerasModel.build(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Weight count mismatch for nested model 'sequential_1'")
        .hasMessageContaining("Keras lists 10 weights")
        .hasMessageContaining("the file holds 9");
  }

  @Test
  void aShapeMismatchNamesTheInnerLayerAndTheStoredWeight() throws IOException {
    Map<String, List<WeightArray>> w = weights("", "");
    List<WeightArray> trunk = new ArrayList<>(trainableOrder(w));
    // swap Conv1's kernel and the depthwise kernel: neither order nor names fit
    WeightArray conv = trunk.get(0);
    trunk.set(0, trunk.get(3));
    trunk.set(3, conv);
    List<WeightArray> renamed = new ArrayList<>();
    for (WeightArray a : trunk) {
      renamed.add(new WeightArray("x/" + a.name().replace('/', '_'), a.shape(), a.values()));
    }
    KerasModelFile file = nestedFile(nestedModel("2.4.0", false, false), nestedWeights(renamed, w));
    assertThatThrownBy(() -> KerasModel.build(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Weight 0 of nested model 'sequential_1'")
        .hasMessageContaining("stored as 'x/dw_depthwise_kernel:0' with shape [3, 3, 4, 1]")
        .hasMessageContaining("weight 'kernel' of layer 'model1/Conv1', which needs [3, 3, 3, 4]");
  }
}
