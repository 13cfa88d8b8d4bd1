package io.estimator4j.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Locates the real reference files the tests read: the repository's {@code testdata/} folder (see
 * its README for each file's source and licence). Shared with the other modules' tests through
 * savedmodel-export's test jar.
 */
public final class TestData {

  /** The system property the build sets to the repository's {@code testdata} folder. */
  public static final String PROPERTY = "e4j.testdata";

  private static final String MARKER = "testdata/README.md";

  private TestData() {}

  /**
   * Returns {@code testdata/<relative>}: under the folder named by the {@value #PROPERTY} system
   * property, else under the first ancestor of the working directory that holds {@code
   * testdata/README.md}.
   *
   * @throws IllegalStateException if neither finds the folder, or the file does not exist
   */
  public static Path path(String relative) {
    Path file = root().resolve(relative);
    if (!Files.exists(file)) {
      throw new IllegalStateException(
          "Test file " + file + " does not exist; testdata/README.md lists what the folder holds.");
    }
    return file;
  }

  private static Path root() {
    String configured = System.getProperty(PROPERTY);
    if (configured != null && Files.isDirectory(Paths.get(configured))) {
      return Paths.get(configured);
    }
    Path start = Paths.get("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve(MARKER))) {
        return dir.resolve("testdata");
      }
    }
    throw new IllegalStateException(
        "No '"
            + MARKER
            + "' in "
            + start
            + " or any parent, and -D"
            + PROPERTY
            + " is not set;"
            + " run the tests from inside the repository checkout.");
  }
}
