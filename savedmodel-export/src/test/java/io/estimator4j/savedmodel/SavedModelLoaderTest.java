package io.estimator4j.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.testing.TestData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

class SavedModelLoaderTest {
  static Path model(String name) {
    return TestData.path("savedmodels/" + name);
  }

  @Test
  void halfPlusTwoPredicts() throws Exception {
    for (String name :
        new String[] {
          "tf-serving-saved_model_half_plus_two_cpu/00000123",
          "tf-serving-saved_model_half_plus_two_tf2_cpu/00000123"
        }) {
      try (LoadedSavedModel m = SavedModelLoader.load(model(name), Set.of("serve"), null)) {
        var info = m.signature("serving_default").getInputsMap().get("x");
        for (float x : new float[] {1f, 2f, 5f}) {
          // the TF1 model takes x of shape (-1, 1), the TF2 one of shape (1)
          long[] shape =
              info.getTensorShape().getDimCount() == 2 ? new long[] {1, 1} : new long[] {1};
          try (TFloat32 in = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(shape))) {
            in.setFloat(x, new long[shape.length]);
            Map<String, Tensor> out = m.run("serving_default", Map.of("x", in));
            try (TFloat32 y = (TFloat32) out.get("y")) {
              // y = 0.5 x + 2
              assertThat(y.getFloat(new long[shape.length]))
                  .isCloseTo(0.5f * x + 2f, within(1e-6f));
            }
          }
        }
      }
    }
  }

  @Test
  void loadsThePythonEstimatorPlusTransformExport() throws Exception {
    Path dir;
    try (var s = Files.list(model("tfx-chicago-taxi-estimator/export/chicago-taxi"))) {
      dir = s.findFirst().orElseThrow();
    }
    try (LoadedSavedModel m = SavedModelLoader.load(dir, Set.of("serve"), null)) {
      assertThat(m.signatures()).containsKey("serving_default");
    }
  }

  @Test
  void unknownSignatureListsTheAvailableOnes() throws Exception {
    try (LoadedSavedModel m =
        SavedModelLoader.load(
            model("tf-serving-saved_model_half_plus_two_cpu/00000123"), Set.of("serve"), null)) {
      assertThatThrownBy(() -> m.signature("nope"))
          .hasMessageContaining("No signature 'nope'")
          .hasMessageContaining("serving_default");
    }
  }

  @Test
  void missingOrCorruptSavedModelIsExplained(@TempDir Path dir) throws IOException {
    assertThatThrownBy(() -> SavedModelLoader.load(dir, Set.of("serve"), null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no saved_model.pb");
    Files.write(dir.resolve("saved_model.pb"), new byte[] {1, 2, 3, 4, 5});
    assertThatThrownBy(() -> SavedModelLoader.load(dir, Set.of("serve"), null))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a valid SavedModel");
  }

  @Test
  void wrongTagsListTheTagSets() {
    assertThatThrownBy(
            () ->
                SavedModelLoader.load(
                    model("tf-serving-saved_model_half_plus_two_cpu/00000123"),
                    Set.of("train"),
                    null))
        .hasMessageContaining("Tag sets present: [serve]");
  }
}
