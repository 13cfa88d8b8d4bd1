package io.estimator4j.keras;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Locates the shared Keras reference files ({@code shared/keras} beside the checkout). */
final class TestData {
  private static final String MARKER = "shared/keras/cases";

  private TestData() {}

  /** {@code shared/keras/<relative>}, found by walking up from the working directory. */
  static Path keras(String relative) {
    Path start = Paths.get("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve(MARKER))) {
        return dir.resolve("shared").resolve("keras").resolve(relative);
      }
    }
    throw new IllegalStateException(
        "No '" + MARKER + "' folder in " + start + " or any parent; expected the shared Keras"
            + " reference data beside the project checkout (e.g. /work/shared/keras).");
  }

  /**
   * Runs {@code model} on {@code feeds} and returns the values of output {@code output} (the
   * first output when null); closes every output tensor.
   */
  static float[] predict(KerasModel model, Map<String, ? extends Tensor> feeds, String output) {
    Map<String, Tensor> out = model.predict(feeds);
    try {
      return floats(output == null ? out.values().iterator().next() : out.get(output));
    } finally {
      out.values().forEach(Tensor::close);
    }
  }

  /** The values of a float32 tensor, row-major. */
  static float[] floats(Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] v = new float[(int) f.size()];
    f.copyTo(DataBuffers.of(v, false, false));
    return v;
  }
}
