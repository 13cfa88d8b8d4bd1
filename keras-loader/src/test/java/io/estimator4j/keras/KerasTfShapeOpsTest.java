package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Shape arithmetic on Keras tensors as tf.keras 2 writes it: {@code tf.reshape(x,
 * [tf.compat.v1.shape(x)[0], -1])} (the {@code tf.keras.backend.shape} that public models use is
 * {@code compat.v1.shape}) stores the shape list with the Keras tensor of {@code shape(x)[0]} as
 * {@code [layer, node, tensor]} among the constants.
 */
class KerasTfShapeOpsTest {
  @TempDir Path tmp;

  private static final String MODEL =
      """
      {"class_name": "Functional", "keras_version": "2.13.1", "config": {"name": "m", "layers": [
        {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
         "config": {"name": "x", "batch_input_shape": [null, 2, 3], "dtype": "float32"}},
        {"class_name": "TFOpLambda", "name": "tf.compat.v1.shape",
         "config": {"name": "tf.compat.v1.shape", "function": "compat.v1.shape"},
         "inbound_nodes": [["x", 0, 0, {"out_type": "int32", "name": null}]]},
        {"class_name": "SlicingOpLambda", "name": "tf.__operators__.getitem",
         "config": {"name": "tf.__operators__.getitem", "function": "__operators__.getitem"},
         "inbound_nodes": [["tf.compat.v1.shape", 0, 0, {"slice_spec": 0}]]},
        {"class_name": "TFOpLambda", "name": "tf.reshape",
         "config": {"name": "tf.reshape", "function": "reshape"},
         "inbound_nodes": [["x", 0, 0,
           {"shape": [["tf.__operators__.getitem", 0, 0], -1], "name": null}]]},
        {"class_name": "TFOpLambda", "name": "tf.size",
         "config": {"name": "tf.size", "function": "size"},
         "inbound_nodes": [["x", 0, 0, {"name": null}]]},
        {"class_name": "TFOpLambda", "name": "tf.math.cumsum",
         "config": {"name": "tf.math.cumsum", "function": "math.cumsum"},
         "inbound_nodes": [["tf.reshape", 0, 0, {"axis": 1, "name": null}]]}],
       "input_layers": [["x", 0, 0]],
       "output_layers": [["tf.reshape", 0, 0], ["tf.size", 0, 0], ["tf.math.cumsum", 0, 0]]}}
      """;

  @Test
  void reshapeByTheDynamicBatchSize() throws IOException {
    Path json = tmp.resolve("m.json");
    Files.writeString(json, MODEL);
    float[] x = new float[4 * 2 * 3];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    try (KerasModel model = KerasModel.load(json);
        TFloat32 in = TFloat32.tensorOf(Shape.of(4, 2, 3), DataBuffers.of(x, true, false))) {
      Map<String, Tensor> out = model.predict(Map.of("x", in));
      try {
        // [4, 2, 3] -> [shape(x)[0], -1] = [4, 6], same values in the same order
        Tensor reshaped = out.get("tf.reshape");
        assertThat(reshaped.shape().asArray()).containsExactly(4, 6);
        assertThat(TestData.floats(reshaped)).containsExactly(x);
        // tf.size: 4 * 2 * 3 = 24, an int32 scalar
        assertThat(((TInt32) out.get("tf.size")).getInt()).isEqualTo(24);
        // cumsum along the row: row 0 is 0..5 -> 0, 1, 3, 6, 10, 15
        float[] cumsum = TestData.floats(out.get("tf.math.cumsum"));
        assertThat(java.util.Arrays.copyOf(cumsum, 6)).containsExactly(0, 1, 3, 6, 10, 15);
      } finally {
        out.values().forEach(Tensor::close);
      }
    }
  }
}
