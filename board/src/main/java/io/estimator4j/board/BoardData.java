package io.estimator4j.board;

import io.estimator4j.estimator.summary.EventFileReader;
import io.estimator4j.savedmodel.SavedModelLoader;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runs under a log directory, followed as they are written: TensorBoard's {@code
 * EventMultiplexer} with its {@code DirectoryWatcher}s. A run is every directory at or below the
 * log directory that holds event files ({@code events.out.tfevents.*}): a model_dir, its {@code
 * eval/} and {@code eval_<name>/}, and any number of model_dirs side by side. Its name is its path
 * relative to the log directory, "." for the log directory itself, as in TensorBoard.
 *
 * <p>{@link #reload()} finds new runs and reads what every run's files gained; a log directory that
 * does not exist yet, holds no event files yet, or holds damaged files is not an error but a {@link
 * #messages() message}. SavedModel directories are not searched. Thread-safe: one thread reloads
 * while others read.
 */
public final class BoardData {

  /** Scalar points kept per run and tag, as TensorBoard's default {@code --samples_per_plugin}. */
  public static final int DEFAULT_MAX_SCALARS = 1000;

  /** Histogram steps kept per run and tag, as TensorBoard's default. */
  public static final int DEFAULT_MAX_HISTOGRAMS = 500;

  /** Run names in order: "." first, then by name. */
  static final Comparator<String> RUN_ORDER =
      Comparator.comparing((String r) -> !r.equals(".")).thenComparing(Comparator.naturalOrder());

  private final Path logDir;
  private final int maxScalars;
  private final int maxHistograms;
  private final Map<String, RunData> runs = new ConcurrentSkipListMap<>(RUN_ORDER);
  private final AtomicLong generation = new AtomicLong();
  private volatile List<String> logDirMessages = List.of();
  private volatile long lastReloadMillis;

  /** Follows {@code logDir} with TensorBoard's default sample sizes. */
  public BoardData(Path logDir) {
    this(logDir, DEFAULT_MAX_SCALARS, DEFAULT_MAX_HISTOGRAMS);
  }

  /**
   * Follows {@code logDir}, keeping at most {@code maxScalars} points per scalar tag and {@code
   * maxHistograms} steps per histogram tag (0 keeps all).
   */
  public BoardData(Path logDir, int maxScalars, int maxHistograms) {
    if (maxScalars < 0 || maxHistograms < 0) {
      throw new IllegalArgumentException(
          "Sample sizes must be >= 0 (0 keeps every point); got scalars="
              + maxScalars
              + ", histograms="
              + maxHistograms);
    }
    this.logDir = logDir.toAbsolutePath().normalize();
    this.maxScalars = maxScalars;
    this.maxHistograms = maxHistograms;
  }

  /** The log directory, absolute. */
  public Path logDir() {
    return logDir;
  }

  /**
   * Finds new runs, drops runs whose directory lost its event files, and reads the new events of
   * every run.
   *
   * @return whether anything changed
   */
  public synchronized boolean reload() {
    List<String> messages = new ArrayList<>();
    Set<Path> runDirs = findRunDirs(messages);
    boolean changed = runs.keySet().removeIf(name -> !runDirs.contains(runs.get(name).dir()));
    for (Path dir : runDirs) {
      String name = runName(dir);
      RunData run = runs.get(name);
      if (run == null) {
        run = new RunData(name, dir, maxScalars, maxHistograms);
        runs.put(name, run);
        changed = true;
      }
      changed |= run.reload();
    }
    if (Files.isDirectory(logDir) && runDirs.isEmpty()) {
      messages.add(
          "No event files under "
              + logDir
              + " (yet). A run is a folder holding events.out.tfevents.* files: a model_dir, its"
              + " eval/ folder, or several model_dirs side by side. The page shows them as soon as"
              + " training writes them.");
    }
    if (!messages.equals(logDirMessages)) {
      logDirMessages = List.copyOf(messages);
      changed = true;
    }
    if (changed) {
      generation.incrementAndGet();
    }
    lastReloadMillis = System.currentTimeMillis();
    return changed;
  }

  private Set<Path> findRunDirs(List<String> messages) {
    Set<Path> dirs = new TreeSet<>();
    if (!Files.exists(logDir)) {
      messages.add(
          "Log directory "
              + logDir
              + " does not exist (yet). Pass the model_dir of a training run (or a folder above"
              + " several); the page shows its runs once training writes event files there.");
      return dirs;
    }
    if (!Files.isDirectory(logDir)) {
      messages.add(
          logDir
              + " is a file, not a directory. Pass the model_dir (the folder holding"
              + " events.out.tfevents.* files) or a folder above it.");
      return dirs;
    }
    try {
      Files.walkFileTree(
          logDir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              // A SavedModel's variables/ and assets/ hold no event files.
              return Files.exists(dir.resolve(SavedModelLoader.SAVED_MODEL_PB))
                  ? FileVisitResult.SKIP_SUBTREE
                  : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
              if (attrs.isRegularFile()
                  && file.getFileName().toString().contains(EventFileReader.EVENT_FILE_MARKER)) {
                dirs.add(file.getParent());
              }
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
              if (Files.isDirectory(file)) {
                messages.add(
                    "Cannot read folder "
                        + file
                        + " ("
                        + e.getClass().getSimpleName()
                        + "); runs inside it are left out.");
              }
              return FileVisitResult.CONTINUE; // a file removed while listing is no problem
            }
          });
    } catch (IOException e) {
      messages.add("Cannot list " + logDir + ": " + e);
    }
    return dirs;
  }

  private String runName(Path dir) {
    Path relative = logDir.relativize(dir);
    String name = relative.toString().replace('\\', '/');
    return name.isEmpty() ? "." : name;
  }

  /** The run names: "." first, then sorted. */
  public List<String> runNames() {
    return List.copyOf(runs.keySet());
  }

  /** The run of that name, if any. */
  Optional<RunData> run(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(runs.get(name));
  }

  /** The runs in {@link #runNames()} order. */
  List<RunData> runs() {
    return List.copyOf(runs.values());
  }

  /** The scalar tags of every run, sorted and without repeats. */
  public Set<String> scalarTags() {
    Set<String> tags = new TreeSet<>();
    runs.values().forEach(r -> tags.addAll(r.scalarTags()));
    return tags;
  }

  /** The kept points of one run's scalar tag, or empty if the run has no such tag. */
  public Optional<List<ScalarEvent>> scalars(String run, String tag) {
    return run(run).flatMap(r -> r.scalars(tag));
  }

  /** The kept steps of one run's histogram tag, compressed, or empty. */
  public Optional<List<DistributionEvent>> distributions(String run, String tag) {
    return run(run).flatMap(r -> r.distributions(tag));
  }

  /**
   * What the page should say: a missing or empty log directory, and every file that could not be
   * read (each prefixed by its run).
   */
  public List<String> messages() {
    List<String> out = new ArrayList<>(logDirMessages);
    for (RunData run : runs.values()) {
      run.problems().forEach(p -> out.add("Run " + run.name() + ": " + p));
    }
    return out;
  }

  /** A number that grows whenever a reload found something new; the page polls it. */
  public long generation() {
    return generation.get();
  }

  /** When the last reload ended, in milliseconds since the epoch (0 before the first). */
  public long lastReloadMillis() {
    return lastReloadMillis;
  }
}
