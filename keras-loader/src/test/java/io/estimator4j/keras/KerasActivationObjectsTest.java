package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A layer's {@code activation} given as a serialized activation layer (tf.keras's {@code
 * activations.get} turns {@code {"class_name": "LeakyReLU", ...}} into a layer and calls it) or by
 * a name Keras accepts. Each model is Dense(2, kernel ones, bias -1) on 3 features, so both units
 * see z = sum(x) - 1: the rows below give z = 5, -7, -0.5, 7.
 */
class KerasActivationObjectsTest {
  @TempDir Path tmp;

  private static final float[] X = {1, 2, 3, -1, -2, -3, 0.5f, 0, 0, 4, 4, 0};
  private static final double[] Z = {5, -7, -0.5, 7};

  private float[] run(String activationJson, String keras) throws IOException {
    Path json = tmp.resolve("m.json");
    Files.writeString(
        json,
        """
        {"class_name": "Sequential", "keras_version": "%s", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [null, 3]}},
          {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": %s,
            "kernel_initializer": {"class_name": "Ones", "config": {}},
            "bias_initializer": {"class_name": "Constant", "config": {"value": -1.0}}}}]}}
        """
            .formatted(keras, activationJson));
    try (KerasModel model = KerasModel.load(json);
        TFloat32 x = TFloat32.tensorOf(Shape.of(4, 3), DataBuffers.of(X, true, false))) {
      return TestData.predict(model, Map.of("x", x), "d");
    }
  }

  private static void assertEach(float[] got, DoubleUnaryOperator f) {
    assertThat(got).hasSize(8);
    for (int i = 0; i < 8; i++) {
      assertThat((double) got[i])
          .as("unit %d", i)
          .isCloseTo(f.applyAsDouble(Z[i / 2]), within(1e-5));
    }
  }

  @Test
  void leakyReluObjectInKeras2AndKeras3Form() throws IOException {
    // tf.keras 2: alpha; Keras 3: negative_slope
    assertEach(
        run(
            "{\"class_name\": \"LeakyReLU\", \"config\": {\"name\": \"leaky_re_lu\","
                + " \"trainable\": true, \"dtype\": \"float32\", \"alpha\": 0.1}}",
            "2.9.0"),
        z -> z > 0 ? z : 0.1 * z);
    assertEach(
        run(
            "{\"module\": \"keras.layers\", \"class_name\": \"LeakyReLU\", \"config\":"
                + " {\"name\": \"leaky_re_lu\", \"negative_slope\": 0.1}, \"registered_name\": null}",
            "3.3.3"),
        z -> z > 0 ? z : 0.1 * z);
    // no setting: Keras's layer default 0.3 (not tf.nn.leaky_relu's 0.2)
    assertEach(
        run("{\"class_name\": \"LeakyReLU\", \"config\": {\"name\": \"l\"}}", "2.9.0"),
        z -> z > 0 ? z : 0.3 * z);
  }

  @Test
  void reluEluThresholdedSoftmaxAndActivationObjects() throws IOException {
    assertEach(
        run("{\"class_name\": \"ReLU\", \"config\": {\"max_value\": 6.0}}", "2.9.0"),
        z -> Math.min(Math.max(z, 0), 6));
    assertEach(
        run("{\"class_name\": \"ELU\", \"config\": {\"alpha\": 2.0}}", "2.9.0"),
        z -> z > 0 ? z : 2 * Math.expm1(z));
    assertEach(
        run("{\"class_name\": \"ThresholdedReLU\", \"config\": {\"theta\": 6.0}}", "2.9.0"),
        z -> z > 6 ? z : 0);
    // both units equal: softmax over the last axis gives 1/2 each
    assertEach(run("{\"class_name\": \"Softmax\", \"config\": {\"axis\": -1}}", "2.9.0"), z -> 0.5);
    assertEach(
        run("{\"class_name\": \"Activation\", \"config\": {\"activation\": \"tanh\"}}", "2.9.0"),
        Math::tanh);
  }

  @Test
  void namesKerasAccepts() throws IOException {
    assertEach(run("\"silu\"", "3.3.3"), z -> z / (1 + Math.exp(-z)));
    assertEach(run("\"hard_swish\"", "3.3.3"), z -> z * Math.min(Math.max(z + 3, 0), 6) / 6);
    assertEach(run("\"hard_tanh\"", "3.6.0"), z -> Math.max(-1, Math.min(1, z)));
    assertEach(
        run(
            "{\"module\": \"keras.activations\", \"class_name\": \"function\", \"config\":"
                + " \"celu\", \"registered_name\": \"celu\"}",
            "3.6.0"),
        z -> z > 0 ? z : Math.expm1(z));
  }

  @Test
  void preluAsAnActivationIsRefusedNamingTheLayer() {
    assertThatThrownBy(
            () -> run("{\"class_name\": \"PReLU\", \"config\": {\"name\": \"p\"}}", "2.9.0"))
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContaining("layer 'd' (Dense)")
        .hasMessageContaining("PReLU")
        .hasMessageContaining("as a separate layer");
  }
}
