package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3 operations in a functional model ({@code x + 1}, {@code x * y}, {@code x[:, -1, 1:]},
 * {@code ops.sum}, {@code ops.reshape}, {@code ops.concatenate}) as Keras 3 writes them: nodes of
 * module keras.src.ops.*, settings in the config, tensors and constants in the node's args; and the
 * Add layer of the same class name beside them.
 */
class KerasOpsTest {
  @TempDir Path dir;

  private static String tensor(String layer) {
    return "{\"class_name\": \"__keras_tensor__\", \"config\": {\"shape\": null, \"dtype\":"
        + " \"float32\", \"keras_history\": [\""
        + layer
        + "\", 0, 0]}}";
  }

  private static String op(String module, String cls, String name, String config, String args) {
    return "{\"module\": \"keras.src.ops."
        + module
        + "\", \"class_name\": \""
        + cls
        + "\","
        + " \"config\": {\"name\": \""
        + name
        + "\""
        + config
        + "}, \"registered_name\": \""
        + cls
        + "\", \"name\": \""
        + name
        + "\", \"inbound_nodes\": [{\"args\": "
        + args
        + ", \"kwargs\": {}}]}";
  }

  private static final String SLICE_ALL =
      "{\"class_name\": \"__slice__\", \"config\": {\"start\": null, \"stop\": null,"
          + " \"step\": null}}";
  private static final String SLICE_FROM_1 =
      "{\"class_name\": \"__slice__\", \"config\": {\"start\": 1, \"stop\": null, \"step\": null}}";

  @Test
  void operationsAreRebuiltFromTheirClassConfigAndArguments() throws IOException {
    String layers =
        String.join(
            ", ",
            "{\"module\": \"keras.layers\", \"class_name\": \"InputLayer\", \"name\": \"x\","
                + " \"config\": {\"batch_shape\": [null, 2, 3], \"dtype\": \"float32\", \"name\":"
                + " \"x\"}, \"inbound_nodes\": []}",
            op("numpy", "Add", "add", "", "[" + tensor("x") + ", 1.0]"),
            op("numpy", "Multiply", "multiply", "", "[" + tensor("add") + ", " + tensor("x") + "]"),
            op(
                "numpy",
                "GetItem",
                "get_item",
                "",
                "[" + tensor("multiply") + ", [" + SLICE_ALL + ", -1, " + SLICE_FROM_1 + "]]"),
            op(
                "numpy",
                "Sum",
                "sum",
                ", \"axis\": -1, \"keepdims\": false",
                "[" + tensor("get_item") + "]"),
            op("numpy", "Reshape", "reshape", ", \"newshape\": [-1, 1]", "[" + tensor("sum") + "]"),
            op(
                "numpy",
                "Concatenate",
                "concatenate",
                ", \"axis\": 1",
                "[[" + tensor("reshape") + ", " + tensor("reshape") + "]]"),
            // the Add *layer*: a list of tensors
            "{\"module\": \"keras.layers\", \"class_name\": \"Add\", \"name\": \"add_layer\","
                + " \"config\": {\"name\": \"add_layer\"}, \"inbound_nodes\": [{\"args\": [["
                + tensor("x")
                + ", "
                + tensor("x")
                + "]], \"kwargs\": {}}]}");
    String config =
        "{\"module\": \"keras\", \"class_name\": \"Functional\", \"config\": {"
            + "\"name\": \"ops\", \"layers\": ["
            + layers
            + "], \"input_layers\": [[\"x\", 0, 0]],"
            + " \"output_layers\": [[\"concatenate\", 0, 0], [\"add_layer\", 0, 0]]}}";
    Path file = dir.resolve("ops.keras");
    TestFiles.writeKeras3(file, config, null);
    try (KerasModel m = KerasModel.load(file);
        TFloat32 x =
            TFloat32.tensorOf(
                Shape.of(1, 2, 3), DataBuffers.of(new float[] {1, 2, 3, 4, 5, 6}, true, false))) {
      // x + 1 = [[2, 3, 4], [5, 6, 7]]; times x = [[2, 6, 12], [20, 30, 42]];
      // [:, -1, 1:] = [30, 42]; sum = 72; reshape [1, 1]; concatenate = [[72, 72]]
      assertThat(TestData.predict(m, Map.of("x", x), "concatenate")).containsExactly(72f, 72f);
      // the Add layer: x + x
      assertThat(TestData.predict(m, Map.of("x", x), "add_layer"))
          .containsExactly(2f, 4f, 6f, 8f, 10f, 12f);
      // model.summary() names the operations by their Keras class
      assertThat(KerasSummary.of(m).text())
          .contains("add (Add)")
          .contains("get_item (GetItem)")
          .doesNotContain("ops:");
    }
  }
}
