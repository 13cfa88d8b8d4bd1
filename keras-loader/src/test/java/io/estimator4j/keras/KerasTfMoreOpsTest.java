package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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

/**
 * More TensorFlow functions on Keras tensors (tf.keras 2's TFOpLambda): comparisons and tf.where,
 * gather, pad, reduce_logsumexp, one_hot, each against its definition on x = [[0, 1, 2], [3, 4, 5]]
 * (one example).
 */
class KerasTfMoreOpsTest {
  @TempDir Path tmp;

  private static String op(String function, String node) {
    String name = "tf." + function;
    return "{\"class_name\": \"TFOpLambda\", \"name\": \""
        + name
        + "\", \"config\": {\"name\": \""
        + name
        + "\", \"function\": \""
        + function
        + "\"}, \"inbound_nodes\": [["
        + node
        + "]]}";
  }

  @Test
  void comparisonsWhereGatherPadLogSumExpAndOneHot() throws IOException {
    String json =
        "{\"class_name\": \"Functional\", \"keras_version\": \"2.13.1\", \"config\": {\"name\": \"m\","
            + " \"layers\": [{\"class_name\": \"InputLayer\", \"name\": \"x\", \"inbound_nodes\": [],"
            + " \"config\": {\"name\": \"x\", \"batch_input_shape\": [null, 2, 3], \"dtype\": \"float32\"}}, "
            + op("math.greater", "\"x\", 0, 0, {\"y\": 2.0, \"name\": null}")
            + ", "
            + op(
                "where",
                "\"tf.math.greater\", 0, 0, {\"x\": [\"x\", 0, 0], \"y\": -1.0, \"name\": null}")
            + ", "
            + op("gather", "\"x\", 0, 0, {\"indices\": [2, 0], \"axis\": 2, \"name\": null}")
            + ", "
            + op(
                "pad",
                "\"x\", 0, 0, {\"paddings\": [[0, 0], [1, 0], [0, 1]], \"mode\": \"CONSTANT\","
                    + " \"constant_values\": 9, \"name\": null}")
            + ", "
            + op("math.reduce_logsumexp", "\"x\", 0, 0, {\"axis\": -1, \"name\": null}")
            + ", "
            + op("cast", "\"x\", 0, 0, {\"dtype\": \"int32\", \"name\": null}")
            + ", "
            + op("one_hot", "\"tf.cast\", 0, 0, {\"depth\": 6, \"name\": null}")
            + "], \"input_layers\": [[\"x\", 0, 0]], \"output_layers\": [[\"tf.where\", 0, 0],"
            + " [\"tf.gather\", 0, 0], [\"tf.pad\", 0, 0], [\"tf.math.reduce_logsumexp\", 0, 0],"
            + " [\"tf.one_hot\", 0, 0]]}}";
    Path file = tmp.resolve("ops.json");
    Files.writeString(file, json);
    float[] x = {0, 1, 2, 3, 4, 5};
    try (KerasModel model = KerasModel.load(file);
        TFloat32 in = TFloat32.tensorOf(Shape.of(1, 2, 3), DataBuffers.of(x, true, false))) {
      Map<String, Tensor> out = model.predict(Map.of("x", in));
      try {
        // where(x > 2, x, -1)
        assertThat(TestData.floats(out.get("tf.where"))).containsExactly(-1, -1, -1, 3, 4, 5);
        // x[..., [2, 0]]
        assertThat(TestData.floats(out.get("tf.gather"))).containsExactly(2, 0, 5, 3);
        // one row of 9s above, one column of 9s at the right: [[9, 9, 9, 9], [0, 1, 2, 9],
        // [3, 4, 5, 9]]
        assertThat(out.get("tf.pad").shape().asArray()).containsExactly(1, 3, 4);
        assertThat(TestData.floats(out.get("tf.pad")))
            .containsExactly(9, 9, 9, 9, 0, 1, 2, 9, 3, 4, 5, 9);
        // log(e^0 + e^1 + e^2), log(e^3 + e^4 + e^5)
        double a = Math.log(Math.exp(0) + Math.exp(1) + Math.exp(2));
        double b = Math.log(Math.exp(3) + Math.exp(4) + Math.exp(5));
        float[] lse = TestData.floats(out.get("tf.math.reduce_logsumexp"));
        assertThat((double) lse[0]).isCloseTo(a, within(1e-5));
        assertThat((double) lse[1]).isCloseTo(b, within(1e-5));
        // one_hot of 0..5 with depth 6: the identity
        float[] hot = TestData.floats(out.get("tf.one_hot"));
        for (int i = 0; i < 6; i++) {
          for (int j = 0; j < 6; j++) {
            assertThat(hot[i * 6 + j]).isEqualTo(i == j ? 1f : 0f);
          }
        }
      } finally {
        out.values().forEach(Tensor::close);
      }
    }
  }
}
