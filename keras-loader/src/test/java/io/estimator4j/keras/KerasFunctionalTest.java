package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Functional wiring: two inputs, two outputs, a layer shared by two calls (one set of weights), a
 * nested Sequential model referenced the way newer tf.keras numbers its nodes (from 1), with
 * constant initializers so every output can be worked out by hand.
 */
class KerasFunctionalTest {
  @TempDir Path tmp;

  private static final String MODEL =
      """
      {"class_name": "Functional", "keras_version": "2.4.0", "config": {"name": "m",
       "layers": [
        {"class_name": "InputLayer", "name": "a", "inbound_nodes": [],
         "config": {"name": "a", "batch_input_shape": [null, 2], "dtype": "float32"}},
        {"class_name": "InputLayer", "name": "b", "inbound_nodes": [],
         "config": {"name": "b", "batch_input_shape": [null, 2], "dtype": "float32"}},
        {"class_name": "Dense", "name": "shared",
         "config": {"name": "shared", "units": 2, "activation": "linear",
           "kernel_initializer": {"class_name": "Ones", "config": {}},
           "bias_initializer": {"class_name": "Zeros", "config": {}}},
         "inbound_nodes": [[["a", 0, 0, {}]], [["b", 0, 0, {}]]]},
        {"class_name": "Add", "name": "add", "config": {"name": "add"},
         "inbound_nodes": [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]},
        {"class_name": "Sequential", "name": "inner",
         "config": {"name": "inner", "layers": [
           {"class_name": "InputLayer", "config": {"name": "inner_in", "batch_input_shape": [null, 2]}},
           {"class_name": "Dense", "config": {"name": "half", "units": 1, "activation": "relu",
             "kernel_initializer": {"class_name": "Constant", "config": {"value": 0.5}},
             "bias_initializer": {"class_name": "Constant", "config": {"value": -1.0}}}}]},
         "inbound_nodes": [[["add", 0, 0, {}]]]},
        {"class_name": "Concatenate", "name": "concat", "config": {"name": "concat", "axis": -1},
         "inbound_nodes": [[["shared", 0, 0, {}], ["b", 0, 0, {}]]]}
       ],
       "input_layers": [["a", 0, 0], ["b", 0, 0]],
       "output_layers": [["inner", 1, 0], ["concat", 0, 0]]}}
      """;

  @Test
  void sharedLayersNestedModelsAndSeveralInputsAndOutputs() throws IOException {
    Path json = tmp.resolve("functional.json");
    Files.writeString(json, MODEL);
    try (KerasModel model = KerasModel.load(json)) {
      assertThat(model.inputs().keySet()).containsExactly("a", "b");
      assertThat(model.outputs().keySet()).containsExactly("inner", "concat");
      assertThat(model.inputs().get("a").op().name()).isEqualTo("a");
      // the shared Dense has one kernel and one bias
      assertThat(model.trainableVariables())
          .extracting(v -> v.op().name())
          .containsExactly("shared/kernel", "shared/bias", "inner/half/kernel", "inner/half/bias");
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      feeds.put(
          "a",
          TFloat32.tensorOf(
              org.tensorflow.ndarray.Shape.of(1, 2),
              DataBuffers.of(new float[] {1, 2}, true, false)));
      feeds.put(
          "b",
          TFloat32.tensorOf(
              org.tensorflow.ndarray.Shape.of(1, 2),
              DataBuffers.of(new float[] {3, 4}, true, false)));
      Map<String, Tensor> out = model.predict(feeds);
      try {
        // shared(a) = [1 + 2, 1 + 2] = [3, 3]; shared(b) = [7, 7]; add = [10, 10]
        // inner = relu(0.5 * 10 + 0.5 * 10 - 1) = 9
        assertThat(TestData.floats(out.get("inner"))).containsExactly(9f);
        // concat = [shared(a), b] = [3, 3, 3, 4]
        assertThat(TestData.floats(out.get("concat"))).containsExactly(3f, 3f, 3f, 4f);
      } finally {
        out.values().forEach(Tensor::close);
        feeds.values().forEach(Tensor::close);
      }
    }
  }

  @Test
  void aBareModelConfigWithoutItsClassLoadsAsFunctional() throws IOException {
    // model.get_config() dumped alone (as in dl4j-test-resources' reshape_embedding_concat.json):
    // {"name": ..., "layers": [...], "input_layers": ..., "output_layers": ...}
    com.fasterxml.jackson.databind.JsonNode full = TestFiles.JSON.readTree(MODEL);
    Path json = tmp.resolve("bare.json");
    Files.writeString(json, full.path("config").toString());
    try (KerasModel model = KerasModel.load(json);
        TFloat32 a =
            TFloat32.tensorOf(
                org.tensorflow.ndarray.Shape.of(1, 2),
                DataBuffers.of(new float[] {1, 2}, true, false));
        TFloat32 b =
            TFloat32.tensorOf(
                org.tensorflow.ndarray.Shape.of(1, 2),
                DataBuffers.of(new float[] {3, 4}, true, false))) {
      // the same numbers as the wrapped model above
      assertThat(TestData.predict(model, Map.of("a", a, "b", b), "inner")).containsExactly(9f);
    }
  }
}
