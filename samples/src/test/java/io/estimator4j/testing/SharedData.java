package io.estimator4j.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Locates the project's shared reference files (real TensorFlow models and golden data). */
public final class SharedData {

  private static final String MARKER = "shared/savedmodels";

  private SharedData() {}

  /**
   * Returns {@code shared/<relative>}, found by walking up from the working directory to the first
   * ancestor that has a {@code shared/savedmodels} folder.
   *
   * @throws IllegalStateException if no ancestor has one
   */
  public static Path shared(String relative) {
    Path start = Paths.get("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve(MARKER))) {
        return dir.resolve("shared").resolve(relative);
      }
    }
    throw new IllegalStateException(
        "No '"
            + MARKER
            + "' folder in "
            + start
            + " or any parent; expected the shared"
            + " reference data beside the project checkout (e.g. /work/shared/savedmodels).");
  }
}
