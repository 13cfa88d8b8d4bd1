package io.estimator4j.keras;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

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
}
