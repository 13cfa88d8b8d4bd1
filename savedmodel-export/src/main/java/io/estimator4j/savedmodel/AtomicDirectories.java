package io.estimator4j.savedmodel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file mechanics of {@link SavedModelWriter}'s atomic writes, in one place: the output checks,
 * the temporary directory (its name, its permissions, its removal on failure or after a killed
 * process) and the final rename. Messages name the paths the caller gave, never a temporary one.
 */
final class AtomicDirectories {
  private static final Logger LOG = LoggerFactory.getLogger(AtomicDirectories.class);

  /**
   * Attempts at a free version directory, a second apart, before giving up; as TensorFlow's
   * get_timestamped_export_dir (MAX_DIRECTORY_CREATION_ATTEMPTS).
   */
  static final int MAX_VERSION_ATTEMPTS = 10;

  /** A versioned export's temporary directory: {@code temp-<seconds>-<pid>-<random>}. */
  private static final Pattern VERSIONED_TEMPORARY = Pattern.compile("temp-\\d+-(\\d+)-[0-9a-f]+");

  /** An explicit target's temporary sibling: {@code .<name>.tmp-<pid>-<random>}. */
  private static final Pattern SIBLING_TEMPORARY = Pattern.compile("\\..+\\.tmp-(\\d+)-[0-9a-f]+");

  private static final String BASE_FIX =
      "Fix: pass an export directory base that is, or can be created as, a directory this process"
          + " may write to.";
  private static final String OUT_DIR_FIX =
      "Fix: choose an output directory whose parent is, or can be created as, a directory this"
          + " process may write to.";

  /** Pauses the writer until the clock may show a free version; tests pass one that does not. */
  @FunctionalInterface
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  private AtomicDirectories() {}

  /** Refuses a base that is a file or that cannot be created or written to. */
  static void checkExportDirBase(Path exportDirBase) throws IOException {
    if (Files.exists(exportDirBase) && !Files.isDirectory(exportDirBase)) {
      throw new FileSystemException(
          exportDirBase.toString(),
          null,
          "is a file; the export directory base must be a directory. Fix: pass a directory (it is"
              + " created if missing).");
    }
    checkWritable(exportDirBase, absolute(exportDirBase), BASE_FIX);
  }

  /** Refuses a target that exists and is not an empty directory, or whose parent is unusable. */
  static void checkOutDir(Path outDir) throws IOException {
    if (Files.exists(outDir) && !isEmptyDirectory(outDir)) {
      throw new FileAlreadyExistsException(
          outDir.toString(),
          null,
          (Files.isDirectory(outDir) ? "exists and is not empty" : "exists and is a file")
              + "; the SavedModel is written into a new or empty directory. Fix: remove it or"
              + " choose another directory (for TF Serving a new version, e.g. my_model/2)");
    }
    Path parent = absolute(outDir).getParent();
    if (parent == null) {
      throw new FileSystemException(
          outDir.toString(),
          null,
          "is a root directory; the SavedModel is written beside it and renamed. " + OUT_DIR_FIX);
    }
    checkWritable(outDir, parent, OUT_DIR_FIX);
  }

  /**
   * Creates {@code exportDirBase/<seconds>}: {@code contents} fills {@code temp-*} in the base,
   * which is renamed to the current Unix time in seconds; when that version exists, waits for the
   * next second, at most {@link #MAX_VERSION_ATTEMPTS} times. A version is never ahead of the
   * clock.
   */
  static Path exportVersioned(
      Path exportDirBase,
      SavedModelWriter.Contents contents,
      LongSupplier clockMillis,
      Sleeper sleeper)
      throws IOException {
    checkExportDirBase(exportDirBase);
    Path base = createDirectories(exportDirBase, absolute(exportDirBase), BASE_FIX);
    removeStaleTemporaries(base);
    Path tmp =
        createTemporary(exportDirBase, base, "temp-" + clockMillis.getAsLong() / 1000, BASE_FIX);
    try {
      contents.writeTo(tmp);
      for (int attempt = 1; ; attempt++) {
        long now = clockMillis.getAsLong();
        long version = now / 1000;
        Path target = base.resolve(Long.toString(version));
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)
            && rename(tmp, target, exportDirBase, BASE_FIX)) {
          return exportDirBase.resolve(target.getFileName());
        }
        if (attempt == MAX_VERSION_ATTEMPTS) {
          throw new FileAlreadyExistsException(
              exportDirBase.resolve(target.getFileName()).toString(),
              null,
              "exists, and no free export version came up in "
                  + MAX_VERSION_ATTEMPTS
                  + " attempts a second apart (versions are the Unix time in"
                  + " seconds, never ahead of the clock). Fix: remove versions dated in the future,"
                  + " or export into another directory.");
        }
        LOG.warn(
            "Export directory {} already exists; waiting for the next second (attempt {}/{})",
            target,
            attempt,
            MAX_VERSION_ATTEMPTS);
        pause(sleeper, (version + 1) * 1000 - now, exportDirBase);
      }
    } catch (IOException | RuntimeException | Error e) {
      deleteAfterFailure(tmp, e);
      throw e;
    }
  }

  /**
   * Creates {@code outDir} (new or empty): {@code contents} fills a temporary sibling, which is
   * renamed to {@code outDir} at the end.
   */
  static Path writeTo(Path outDir, SavedModelWriter.Contents contents) throws IOException {
    checkOutDir(outDir);
    Path target = absolute(outDir);
    Path parent = createDirectories(outDir, target.getParent(), OUT_DIR_FIX);
    removeStaleTemporaries(parent);
    Path tmp = createTemporary(outDir, parent, "." + target.getFileName() + ".tmp", OUT_DIR_FIX);
    try {
      contents.writeTo(tmp);
      checkOutDir(outDir);
      Files.deleteIfExists(target); // an empty directory: the rename replaces it
      if (!rename(tmp, target, outDir, OUT_DIR_FIX)) {
        checkOutDir(outDir); // another writer filled it meanwhile: say so
        throw new FileSystemException(
            outDir.toString(),
            null,
            "could not be created by renaming its temporary sibling. " + OUT_DIR_FIX);
      }
      return outDir;
    } catch (IOException | RuntimeException | Error e) {
      deleteAfterFailure(tmp, e);
      throw e;
    }
  }

  /**
   * Deletes the temporary directories a killed writer left in {@code dir}: those named by this
   * class whose process is gone and that were last modified before this JVM started. The directory
   * of a live writer on this host is never touched, as its process is alive; one written from
   * another host over a shared file system is judged by its age alone.
   */
  static void removeStaleTemporaries(Path dir) {
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path entry : entries) {
        try {
          if (isStale(entry, jvmStart)) {
            LOG.info("Removing {}, left by a SavedModel write that did not finish", entry);
            deleteRecursively(entry);
          }
        } catch (IOException e) {
          LOG.warn("Could not remove {}: {}", entry, e.toString());
        }
      }
    } catch (IOException e) {
      LOG.warn("Could not list {} for temporary directories left behind: {}", dir, e.toString());
    }
  }

  private static boolean isStale(Path entry, long jvmStartMillis) throws IOException {
    String name = entry.getFileName().toString();
    Matcher m = VERSIONED_TEMPORARY.matcher(name);
    if (!m.matches()) {
      m = SIBLING_TEMPORARY.matcher(name);
      if (!m.matches()) {
        return false;
      }
    }
    long pid;
    try {
      pid = Long.parseLong(m.group(1));
    } catch (NumberFormatException e) {
      return false;
    }
    return Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
        && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
        && Files.getLastModifiedTime(entry, LinkOption.NOFOLLOW_LINKS).toMillis() < jvmStartMillis;
  }

  /** Deletes a directory tree; missing is fine. */
  static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * {@code name-<pid>-<random>} in {@code dir}, with the permissions of any new directory (not the
   * owner-only ones of Files.createTempDirectory: they would stay with the SavedModel and keep a
   * server running as another user out; Python's exports get the umask's too).
   */
  private static Path createTemporary(Path given, Path dir, String name, String fix)
      throws IOException {
    String unique =
        ProcessHandle.current().pid()
            + "-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    try {
      return Files.createDirectory(dir.resolve(name + "-" + unique));
    } catch (IOException e) {
      throw cannotWrite(given, e, fix);
    }
  }

  private static Path createDirectories(Path given, Path dir, String fix) throws IOException {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw cannotWrite(given, e, fix);
    }
  }

  /** Refuses {@code dir} (or its nearest existing ancestor) when it is a file or read-only. */
  private static void checkWritable(Path given, Path dir, String fix) throws IOException {
    Path existing = dir;
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return; // nothing exists up to the root: creating it will say why it fails
    }
    if (!Files.isDirectory(existing)) {
      throw new FileSystemException(
          given.toString(),
          null,
          "cannot be written: " + existing + " is a file, not a directory. " + fix);
    }
    if (!Files.isWritable(existing)) {
      throw new FileSystemException(
          given.toString(), null, "cannot be written: " + existing + " is not writable. " + fix);
    }
  }

  /** An error that names the path the caller gave and the fix; the cause keeps the details. */
  private static FileSystemException cannotWrite(Path given, IOException e, String fix) {
    String reason;
    if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else if (e instanceof NotDirectoryException || e instanceof FileAlreadyExistsException) {
      reason = "a file is in the way of a directory";
    } else if (e instanceof FileSystemException f && f.getReason() != null) {
      reason = f.getReason();
    } else {
      reason = e.getClass().getSimpleName();
    }
    FileSystemException out =
        new FileSystemException(
            given.toString(), null, "cannot be written (" + reason + "). " + fix);
    out.initCause(e);
    return out;
  }

  /** Renames {@code tmp} to {@code target}; false when {@code target} appeared meanwhile. */
  private static boolean rename(Path tmp, Path target, Path given, String fix) throws IOException {
    try {
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      return true;
    } catch (IOException e) {
      if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && Files.exists(tmp)) {
        return false;
      }
      throw cannotWrite(given, e, fix);
    }
  }

  private static void pause(Sleeper sleeper, long millis, Path exportDirBase)
      throws InterruptedIOException {
    try {
      sleeper.sleep(Math.max(1, millis));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      InterruptedIOException out =
          new InterruptedIOException(
              "Interrupted while waiting for a free export version in " + exportDirBase);
      out.initCause(e);
      throw out;
    }
  }

  private static void deleteAfterFailure(Path tmp, Throwable failure) {
    try {
      deleteRecursively(tmp);
    } catch (IOException | RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  private static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }

  private static Path absolute(Path p) {
    return p.toAbsolutePath().normalize();
  }
}
