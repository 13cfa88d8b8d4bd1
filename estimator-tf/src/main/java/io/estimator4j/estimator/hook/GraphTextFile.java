package io.estimator4j.estimator.hook;

import io.estimator4j.checkpoint.FaultPoints;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.GraphDef;

/**
 * The {@code graph.pbtxt} file of a model directory, which tf.estimator's CheckpointSaverHook
 * writes for TensorBoard: written through a {@code .graph.pbtxt<random>.tmp} file that is renamed
 * over it, and the temporary files of killed writers removed at the next start.
 *
 * <p>A writer holds an exclusive file lock on its temporary file until the rename, so {@link
 * #removeStale} never deletes the file of a live writer in another process; files of this process
 * are younger than its start, which {@link #removeStale} requires.
 */
final class GraphTextFile {
  /** The file name in the model directory. */
  static final String NAME = "graph.pbtxt";

  static final String TEMPORARY_PREFIX = "." + NAME;
  static final String TEMPORARY_SUFFIX = ".tmp";
  private static final Logger LOG = LoggerFactory.getLogger(GraphTextFile.class);

  private GraphTextFile() {}

  /** Writes {@code graph} as text to {@code modelDir/graph.pbtxt}, replacing it atomically. */
  static void write(Path modelDir, GraphDef graph) throws IOException {
    Path target = modelDir.resolve(NAME);
    Path tmp = Files.createTempFile(modelDir, TEMPORARY_PREFIX, TEMPORARY_SUFFIX);
    try {
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        ByteBuffer bytes = ByteBuffer.wrap(graph.toString().getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
          // Not a POSIX file system: keep the default permissions.
        }
        FaultPoints.reach(FaultPoints.GRAPH_BEFORE_RENAME);
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Deletes the {@code .graph.pbtxt*.tmp} files in {@code modelDir} that a killed writer left:
   * those last modified before {@code processStart} and not locked by a live writer.
   *
   * @return how many files were deleted
   */
  static int removeStale(Path modelDir, Instant processStart) throws IOException {
    if (!Files.isDirectory(modelDir)) {
      return 0;
    }
    int removed = 0;
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(modelDir, TEMPORARY_PREFIX + "*" + TEMPORARY_SUFFIX)) {
      for (Path file : entries) {
        if (Files.isRegularFile(file)
            && Files.getLastModifiedTime(file).toInstant().isBefore(processStart)
            && deleteUnlessLocked(file)) {
          LOG.info("Removed {}, left by a killed process", file);
          removed++;
        }
      }
    }
    return removed;
  }

  /** When this JVM started: files younger than it may belong to a writer in this process. */
  static Instant processStart() {
    return Instant.ofEpochMilli(ManagementFactory.getRuntimeMXBean().getStartTime());
  }

  private static boolean deleteUnlessLocked(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE);
        FileLock lock = channel.tryLock()) {
      if (lock == null) {
        return false; // A live writer in another process holds it.
      }
      Files.delete(file);
      return true;
    } catch (OverlappingFileLockException e) {
      return false; // A writer in this process holds it.
    } catch (NoSuchFileException e) {
      return false; // Its writer renamed or removed it meanwhile.
    }
  }
}
