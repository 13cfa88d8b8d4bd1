package io.estimator4j.samples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The data sets shipped inside the samples jar (see data/ATTRIBUTION.md), copied to a temporary
 * directory so TensorFlow's file readers can open them.
 */
public final class SampleData {
  private static final String ROOT = "/io/estimator4j/samples/data/";

  private SampleData() {}

  /** Copies {@code data/<relative>} out of the jar and returns the file's path. */
  public static synchronized Path file(String relative) {
    try {
      Path dir = Path.of(System.getProperty("java.io.tmpdir"), "estimator4j-data");
      Path target = dir.resolve(relative);
      if (Files.isRegularFile(target)) {
        return target;
      }
      Files.createDirectories(target.getParent());
      try (InputStream in = SampleData.class.getResourceAsStream(ROOT + relative)) {
        if (in == null) {
          throw new IllegalArgumentException("No sample data " + relative + " in the jar");
        }
        Path tmp = Files.createTempFile(target.getParent(), ".copy", ".tmp");
        Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot extract sample data " + relative, e);
    }
  }
}
