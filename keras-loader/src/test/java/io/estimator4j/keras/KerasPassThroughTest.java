package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.savedmodel.SavedModelPredictor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Models whose output is their input unchanged (Input -> Activation('linear'), Dropout or
 * GaussianNoise at inference, Identity; {@code Model(inp, inp)}): Keras copies such outputs through
 * {@code tf.identity} (Layer._set_connectivity_metadata), so the fed placeholder is never also the
 * fetched tensor, which TensorFlow refuses ("input_1:0 is both fed and fetched").
 */
class KerasPassThroughTest {
  @TempDir Path tmp;

  private static final float[] X = {1.5f, -2f, 0.25f, 3f, -0.5f, 7f};

  private static String sequential(String layer) {
    return """
        {"class_name": "Sequential", "keras_version": "2.4.0", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [null, 3]}},
          %s]}}
        """
        .formatted(layer);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"class_name\": \"Activation\", \"config\": {\"name\": \"a\", \"activation\": \"linear\"}}",
        "{\"class_name\": \"Dropout\", \"config\": {\"name\": \"a\", \"rate\": 0.5}}",
        "{\"class_name\": \"GaussianNoise\", \"config\": {\"name\": \"a\", \"stddev\": 1.0}}",
        "{\"class_name\": \"Identity\", \"config\": {\"name\": \"a\"}}"
      })
  void aLayerThatReturnsItsInputGivesTheInput(String layer) throws IOException {
    Path json = tmp.resolve("m.json");
    Files.writeString(json, sequential(layer));
    try (KerasModel model = KerasModel.load(json)) {
      // the output is a copy of the placeholder, made under the layer's scope
      assertThat(model.outputs().get("a").op().type()).isEqualTo("Identity");
      assertThat(model.outputs().get("a").op().name()).startsWith("a/");
      // at inference each of these layers is the identity: y = x
      assertThat(run(model, "a")).containsExactly(X);
      Path saved = KerasSavedModel.convert(model, tmp.resolve("export"));
      try (SavedModelPredictor p = SavedModelPredictor.load(saved, Set.of("serve"));
          TFloat32 x = input()) {
        Map<String, Tensor> out = p.predict("serving_default", Map.of("x", x));
        try {
          assertThat(TestData.floats(out.get("a"))).containsExactly(X);
        } finally {
          out.values().forEach(Tensor::close);
        }
      }
    }
  }

  @Test
  void aModelWhoseOutputIsItsInput() throws IOException {
    Path json = tmp.resolve("m.json");
    Files.writeString(
        json,
        """
        {"class_name": "Functional", "keras_version": "2.4.0", "config": {"name": "m",
          "layers": [{"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
            "config": {"name": "x", "batch_input_shape": [null, 3], "dtype": "float32"}}],
          "input_layers": [["x", 0, 0]], "output_layers": [["x", 0, 0]]}}
        """);
    try (KerasModel model = KerasModel.load(json)) {
      assertThat(model.outputs().get("x").op().type()).isEqualTo("Identity");
      assertThat(run(model, "x")).containsExactly(X);
    }
  }

  @Test
  void aNestedModelThatPassesItsInputThrough() throws IOException {
    Path json = tmp.resolve("m.json");
    Files.writeString(
        json,
        sequential(
            """
            {"class_name": "Sequential", "config": {"name": "inner", "layers": [
              {"class_name": "InputLayer", "config": {"name": "i", "batch_input_shape": [null, 3]}},
              {"class_name": "Dropout", "config": {"name": "d", "rate": 0.1}}]}}
            """));
    try (KerasModel model = KerasModel.load(json)) {
      assertThat(run(model, "inner")).containsExactly(X);
    }
  }

  private static TFloat32 input() {
    return TFloat32.tensorOf(Shape.of(2, 3), DataBuffers.of(X.clone(), true, false));
  }

  private static float[] run(KerasModel model, String output) {
    try (TFloat32 x = input()) {
      return TestData.predict(model, Map.of(model.inputs().keySet().iterator().next(), x), output);
    }
  }
}
