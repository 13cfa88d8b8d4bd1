package io.estimator4j.estimator;

import io.estimator4j.savedmodel.SavedModelWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the newest N versioned export directories (10-digit names), like exporter.py's gc. */
final class ExportGarbageCollector {
  private static final Logger LOG = LoggerFactory.getLogger(ExportGarbageCollector.class);

  private ExportGarbageCollector() {}

  static void keepNewest(Path exportPath, int exportsToKeep) {
    if (exportsToKeep <= 0 || !Files.isDirectory(exportPath)) {
      return;
    }
    List<Path> versions;
    try (Stream<Path> s = Files.list(exportPath)) {
      versions =
          s.filter(p -> p.getFileName().toString().matches("\\d+") && Files.isDirectory(p))
              .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString())))
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 0; i < versions.size() - exportsToKeep; i++) {
      try {
        SavedModelWriter.deleteRecursively(versions.get(i));
        LOG.info("Deleted old export {}", versions.get(i));
      } catch (IOException e) {
        LOG.warn("Could not delete old export {}: {}", versions.get(i), e.toString());
      }
    }
  }
}
