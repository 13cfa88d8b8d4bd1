package io.estimator4j.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Crash-safe saving and deletion of checkpoint files in a model directory; counterpart of the file
 * handling in TensorFlow's {@code tf.train.Saver} and {@code checkpoint_management}.
 *
 * <p>Every temporary name starts with {@code .tmp} (directories) or {@code checkpoint.tmp} (state
 * files), so {@link #removeStaleTemporaries} can clean up after a killed process.
 */
public final class CheckpointFiles {

  /** Name prefix of the temporary directories that {@link #createTemporaryDirectory} makes. */
  public static final String TEMPORARY_DIRECTORY_PREFIX = ".tmp-checkpoint-";

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointFiles.class);
  private static final String INDEX = ".index";
  private static final String META = ".meta";
  private static final Pattern DATA = Pattern.compile("\\.data-(\\d{5})-of-(\\d{5})");
  private static final String STATE_TEMPORARY_PREFIX = CheckpointState.FILENAME + ".tmp";

  private CheckpointFiles() {}

  /**
   * Creates an empty {@code .tmp-checkpoint-<random>} directory inside {@code modelDir} (so that
   * {@link #commit} can rename across it atomically) and returns it.
   */
  public static Path createTemporaryDirectory(Path modelDir) throws IOException {
    Files.createDirectories(modelDir);
    return Files.createTempDirectory(modelDir, TEMPORARY_DIRECTORY_PREFIX);
  }

  /**
   * Moves the checkpoint saved with prefix {@code tmpPrefixDir/basename} into {@code modelDir}:
   * data shards and other files first, the {@code .index} last, each fsynced and renamed with
   * {@code ATOMIC_MOVE}; then deletes {@code tmpPrefixDir}. A crash at any moment leaves no
   * half-written file under a final name, and an index never appears before its data. An older
   * checkpoint with the same basename is replaced, its index removed first: until the new index is
   * in place no complete checkpoint of that name exists, so never replace the checkpoint that the
   * state file names (CheckpointManager keeps the checkpoint it restored instead of saving it
   * again). {@link FaultPoints#BEFORE_DATA} and {@link FaultPoints#BEFORE_INDEX} mark the windows.
   *
   * @throws IOException if the saved checkpoint is incomplete, or {@code tmpPrefixDir} is on
   *     another file system than {@code modelDir}
   */
  public static void commit(Path tmpPrefixDir, String basename, Path modelDir) throws IOException {
    requireBasename(basename);
    Path index = tmpPrefixDir.resolve(basename + INDEX);
    if (!isComplete(tmpPrefixDir.resolve(basename))) {
      throw new IOException(
          "Cannot commit checkpoint "
              + tmpPrefixDir.resolve(basename)
              + ": expected "
              + basename
              + ".index and all its data shards ("
              + basename
              + ".data-00000-of-00001, ...) in "
              + tmpPrefixDir
              + ", found "
              + filesOf(tmpPrefixDir, basename)
              + ". Save the checkpoint with exactly that prefix before committing it.");
    }
    Files.createDirectories(modelDir);
    FaultPoints.reach(FaultPoints.BEFORE_DATA);
    delete(modelDir, basename); // An older save under this name: index first, then its data.
    for (Path file : filesOf(tmpPrefixDir, basename)) {
      if (!file.equals(index)) {
        move(file, modelDir.resolve(file.getFileName()));
      }
    }
    fsyncDirectory(modelDir);
    FaultPoints.reach(FaultPoints.BEFORE_INDEX);
    move(index, modelDir.resolve(basename + INDEX));
    fsyncDirectory(modelDir);
    deleteRecursively(tmpPrefixDir);
  }

  /**
   * Deletes the files of one checkpoint: {@code .index} first (so no index outlives its data), then
   * every {@code .data-*} shard and the {@code .meta} file if any. Missing files are ignored, like
   * {@code tf.compat.v1.train.remove_checkpoint}.
   *
   * @param prefix the checkpoint prefix relative to {@code modelDir} (as the state file records it,
   *     e.g. {@code model.ckpt-1000}) or absolute
   */
  public static void delete(Path modelDir, String prefix) throws IOException {
    Path full = modelDir.toAbsolutePath().resolve(prefix);
    String basename = full.getFileName().toString();
    if (Files.deleteIfExists(full.resolveSibling(basename + INDEX))) {
      FaultPoints.reach(FaultPoints.DELETE_AFTER_INDEX);
    }
    for (Path file : filesOf(full.getParent(), basename)) {
      Files.deleteIfExists(file);
    }
  }

  /**
   * Deletes what a killed process may have left in {@code modelDir}: directories named {@code
   * .tmp*} and files named {@code checkpoint.tmp*} (also Python's temporary state-file name). Call
   * it only while no other process is saving into {@code modelDir}.
   */
  public static void removeStaleTemporaries(Path modelDir) throws IOException {
    if (!Files.isDirectory(modelDir)) {
      return;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(modelDir)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        if (name.startsWith(".tmp") || name.startsWith(STATE_TEMPORARY_PREFIX)) {
          LOG.info("Removing stale temporary checkpoint file {}", entry);
          deleteRecursively(entry);
        }
      }
    }
  }

  /** Returns {@code prefix.data-NNNNN-of-MMMMM}, TensorFlow's name of one data shard. */
  static String dataFileName(String prefix, int shard, int shards) {
    return String.format("%s.data-%05d-of-%05d", prefix, shard, shards);
  }

  /**
   * Tells whether a complete checkpoint exists at {@code prefix}: {@code prefix.index} parses and
   * every data shard it counts ({@code prefix.data-NNNNN-of-MMMMM}) exists and is long enough to
   * hold the tensors the index places in it. Never throws for a missing or unreadable file.
   */
  public static boolean isComplete(Path prefix) {
    Path full = prefix.toAbsolutePath();
    Path indexFile = full.resolveSibling(full.getFileName() + INDEX);
    if (!Files.isRegularFile(indexFile)) {
      return false;
    }
    try {
      BundleIndex index = BundleIndex.read(indexFile);
      int shards = Math.max(1, index.header().getNumShards());
      for (int shard = 0; shard < shards; shard++) {
        Path data = Path.of(dataFileName(full.toString(), shard, shards));
        if (!Files.isRegularFile(data)
            || Files.size(data) < index.shardEnds().getOrDefault(shard, 0L)) {
          return false;
        }
      }
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Returns the full prefixes of the complete checkpoints (see {@link #isComplete}) directly inside
   * {@code modelDir}, whatever their names, sorted by name; empty if the directory does not exist.
   */
  public static List<String> listComplete(Path modelDir) throws IOException {
    List<String> prefixes = new ArrayList<>();
    if (!Files.isDirectory(modelDir)) {
      return prefixes;
    }
    Path dir = modelDir.toAbsolutePath();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*" + INDEX)) {
      for (Path entry : entries) {
        String name = entry.getFileName().toString();
        Path prefix = dir.resolve(name.substring(0, name.length() - INDEX.length()));
        if (!name.equals(INDEX) && isComplete(prefix)) {
          prefixes.add(prefix.toString());
        }
      }
    }
    prefixes.sort(Comparator.naturalOrder());
    return prefixes;
  }

  /**
   * Writes {@code text} to {@code target} through a fsynced {@code <name>.tmp<random>} file (also
   * used for other text files that must never be half-written, e.g. by {@code e4j bench all}).
   */
  public static void writeAtomically(Path target, String text) throws IOException {
    Path dir = target.toAbsolutePath().getParent();
    // Named like Python's atomic_write_string_to_file; created with the default permissions.
    String random = UUID.randomUUID().toString().replace("-", "");
    Path tmp = dir.resolve(target.getFileName() + ".tmp" + random);
    try {
      try (FileChannel channel =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (bytes.hasRemaining()) {
          channel.write(bytes);
        }
        channel.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      fsyncDirectory(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Files in {@code dir} named {@code basename.*}: index, data shards, meta; sorted by name. */
  private static List<Path> filesOf(Path dir, String basename) throws IOException {
    List<Path> files = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return files;
    }
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        String rest = entry.getFileName().toString();
        if (!rest.startsWith(basename)) {
          continue;
        }
        rest = rest.substring(basename.length());
        if (rest.equals(INDEX) || rest.equals(META) || DATA.matcher(rest).matches()) {
          files.add(entry);
        }
      }
    }
    files.sort(Comparator.naturalOrder());
    return files;
  }

  private static void move(Path source, Path target) throws IOException {
    try (FileChannel channel = FileChannel.open(source, StandardOpenOption.WRITE)) {
      channel.force(true);
    }
    try {
      Files.move(
          source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException(
          "Cannot move "
              + source
              + " to "
              + target
              + " atomically: the two are on different file systems. Save the checkpoint into"
              + " a directory made by CheckpointFiles.createTemporaryDirectory(modelDir).",
          e);
    }
  }

  /** Makes renames in {@code dir} durable; a no-op where directories cannot be opened. */
  private static void fsyncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      LOG.debug("Cannot fsync directory {} ({}); renames may not be durable", dir, e.toString());
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void requireBasename(String basename) {
    Objects.requireNonNull(basename, "basename");
    if (basename.isEmpty() || basename.contains("/") || basename.contains("\\")) {
      throw new IllegalArgumentException(
          "basename must be a file name prefix such as model.ckpt-1000, without directories;"
              + " got '"
              + basename
              + "'");
    }
  }
}
