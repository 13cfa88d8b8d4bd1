package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * TensorFlow functions called on Keras tensors (tf.keras's TFOpLambda and SlicingOpLambda), in the
 * form tf.keras 2 writes them: one tensor as the node itself, the other arguments by name, tensors
 * among them as [layer, node, tensor], slices as {"start", "stop", "step"}.
 */
class KerasTfOpLambdaTest {
  @TempDir Path tmp;

  private static String op(String cls, String function, String node) {
    String name = "tf." + function;
    return "{\"class_name\": \""
        + cls
        + "\", \"name\": \""
        + name
        + "\", \"config\": {\"name\": \""
        + name
        + "\", \"trainable\": true, \"dtype\": \"float32\", \"function\": \""
        + function
        + "\"}, \"inbound_nodes\": ["
        + node
        + "]}";
  }

  private static String model(String... layers) {
    return "{\"class_name\": \"Functional\", \"keras_version\": \"2.13.1\", \"config\": {"
        + "\"name\": \"ops\", \"layers\": [{\"class_name\": \"InputLayer\", \"name\": \"x\","
        + " \"inbound_nodes\": [], \"config\": {\"name\": \"x\", \"batch_input_shape\": [null, 2,"
        + " 3], \"dtype\": \"float32\"}}, "
        + String.join(", ", layers)
        + "],"
        + " \"input_layers\": [[\"x\", 0, 0]],"
        + " \"output_layers\": [[\"tf.concat\", 0, 0], [\"tf.expand_dims\", 0, 0]]}}";
  }

  @Test
  void rebuildsOperatorsSlicingReductionsAndShapes() throws IOException {
    String json =
        model(
            // x + 1
            op("TFOpLambda", "__operators__.add", "[\"x\", 0, 0, {\"y\": 1.0, \"name\": null}]"),
            // (x + 1) * x, the second tensor by keyword
            op(
                "TFOpLambda",
                "math.multiply",
                "[\"tf.__operators__.add\", 0, 0, {\"y\": [\"x\", 0, 0], \"name\": null}]"),
            // [:, -1, 1:]
            op(
                "SlicingOpLambda",
                "__operators__.getitem",
                "[\"tf.math.multiply\", 0, 0,"
                    + " {\"slice_spec\": [{\"start\": null, \"stop\": null, \"step\": null}, -1,"
                    + " {\"start\": 1, \"stop\": null, \"step\": null}]}]"),
            op(
                "TFOpLambda",
                "math.reduce_sum",
                "[\"tf.__operators__.getitem\", 0, 0,"
                    + " {\"axis\": -1, \"keepdims\": false, \"name\": null}]"),
            op(
                "TFOpLambda",
                "reshape",
                "[\"tf.math.reduce_sum\", 0, 0, {\"shape\": [-1, 1], \"name\": null}]"),
            // tf.concat([r, r], axis=1): a list first argument, kwargs on every entry
            op(
                "TFOpLambda",
                "concat",
                "[[\"tf.reshape\", 0, 0, {\"axis\": 1, \"name\": null}],"
                    + " [\"tf.reshape\", 0, 0, {\"axis\": 1, \"name\": null}]]"),
            // x[..., 0] then expand_dims(axis=-1)
            "{\"class_name\": \"SlicingOpLambda\", \"name\": \"first\", \"config\": {\"name\":"
                + " \"first\", \"function\": \"__operators__.getitem\"}, \"inbound_nodes\": [[\"x\","
                + " 0, 0, {\"slice_spec\": [{\"class_name\": \"__ellipsis__\"}, 0]}]]}",
            op("TFOpLambda", "expand_dims", "[\"first\", 0, 0, {\"axis\": -1, \"name\": null}]"));
    Path file = tmp.resolve("ops.json");
    Files.writeString(file, json);
    try (KerasModel m = KerasModel.load(file);
        TFloat32 x =
            TFloat32.tensorOf(
                Shape.of(1, 2, 3), DataBuffers.of(new float[] {1, 2, 3, 4, 5, 6}, true, false))) {
      // x + 1 = [[2, 3, 4], [5, 6, 7]]; times x = [[2, 6, 12], [20, 30, 42]];
      // [:, -1, 1:] = [30, 42]; sum = 72; reshape [1, 1]; concat = [[72, 72]]
      assertThat(TestData.predict(m, Map.of("x", x), "tf.concat")).containsExactly(72f, 72f);
      // x[..., 0] = [[1, 4]]; expand_dims -> [[[1], [4]]]
      assertThat(TestData.predict(m, Map.of("x", x), "tf.expand_dims")).containsExactly(1f, 4f);
      assertThat(m.outputs().get("tf.expand_dims").shape().asArray()).containsExactly(-1, 2, 1);
    }
  }

  @Test
  void unknownFunctionIsRefusedNamingTheLayerAndFunction() throws IOException {
    Path file = tmp.resolve("resize.json");
    Files.writeString(
        file,
        model(
            op("TFOpLambda", "image.resize", "[\"x\", 0, 0, {\"size\": [4, 4], \"name\": null}]")));
    assertThatThrownBy(() -> KerasModel.load(file).close())
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContaining("tf.image.resize")
        .hasMessageContaining("'tf.image.resize'")
        .hasMessageContaining("math.multiply");
  }
}
