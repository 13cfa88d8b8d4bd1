package io.estimator4j.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code checkpoint} file of a model directory, naming the latest checkpoint and the ones kept;
 * Java counterpart of TensorFlow's {@code CheckpointState} proto and of {@code
 * tf.train.get_checkpoint_state} / {@code update_checkpoint_state}.
 *
 * <p>Paths are stored as written: relative to the model directory (what TensorFlow writes for
 * checkpoints inside it) or absolute. Timestamps are seconds since the epoch; the list is empty
 * when the writer recorded none (tf.compat.v1 {@code Saver} does not), and {@code
 * lastPreservedTimestamp} is 0 when unset.
 *
 * @param modelCheckpointPath the latest checkpoint prefix, e.g. {@code model.ckpt-1000}
 * @param allModelCheckpointPaths the kept checkpoints, oldest first
 * @param allModelCheckpointTimestamps save time of each kept checkpoint, or empty
 * @param lastPreservedTimestamp the save time of the last checkpoint kept forever by {@code
 *     keep_checkpoint_every_n_hours}, or 0
 */
public record CheckpointState(
    String modelCheckpointPath,
    List<String> allModelCheckpointPaths,
    List<Double> allModelCheckpointTimestamps,
    double lastPreservedTimestamp) {

  /** Name of the state file inside the model directory. */
  public static final String FILENAME = "checkpoint";

  private static final Logger LOG = LoggerFactory.getLogger(CheckpointState.class);
  private static final String MODEL_CHECKPOINT_PATH = "model_checkpoint_path";
  private static final String ALL_PATHS = "all_model_checkpoint_paths";
  private static final String ALL_TIMESTAMPS = "all_model_checkpoint_timestamps";
  private static final String LAST_PRESERVED = "last_preserved_timestamp";

  /** Name stem of tf.estimator's checkpoints, {@code model.ckpt-<step>}. */
  private static final String DEFAULT_STEM = "model.ckpt";

  /** Validates the state and copies the lists. */
  public CheckpointState {
    Objects.requireNonNull(modelCheckpointPath, "modelCheckpointPath");
    if (modelCheckpointPath.isEmpty()) {
      throw new IllegalArgumentException(
          "modelCheckpointPath is empty; expected a checkpoint prefix such as model.ckpt-1000");
    }
    allModelCheckpointPaths = List.copyOf(allModelCheckpointPaths);
    allModelCheckpointTimestamps = List.copyOf(allModelCheckpointTimestamps);
    if (!allModelCheckpointTimestamps.isEmpty()
        && allModelCheckpointTimestamps.size() != allModelCheckpointPaths.size()) {
      throw new IllegalArgumentException(
          "Expected one timestamp per checkpoint path or none, found "
              + allModelCheckpointTimestamps.size()
              + " timestamps for "
              + allModelCheckpointPaths.size()
              + " paths");
    }
    if (!(lastPreservedTimestamp >= 0) || Double.isInfinite(lastPreservedTimestamp)) {
      throw new IllegalArgumentException(
          "lastPreservedTimestamp must be finite and >= 0 (0 = unset), got "
              + lastPreservedTimestamp);
    }
  }

  /**
   * Reads {@code modelDir/checkpoint}, like {@code tf.train.get_checkpoint_state}.
   *
   * @return the state, or empty if the file does not exist
   * @throws IOException if the file cannot be read or parsed; the message names it
   */
  public static Optional<CheckpointState> read(Path modelDir) throws IOException {
    Path file = modelDir.resolve(FILENAME);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    try {
      return Optional.of(parse(text));
    } catch (IllegalArgumentException e) {
      throw new IOException(
          "Cannot parse checkpoint state file "
              + file
              + ": "
              + e.getMessage()
              + ". Expected TensorFlow's CheckpointState text format, e.g."
              + " 'model_checkpoint_path: \"model.ckpt-1000\"'. Fix or delete the file.",
          e);
    }
  }

  /**
   * Parses the text format; a timestamp list whose length does not match the paths is dropped.
   *
   * @throws IllegalArgumentException if the text is malformed, has an unknown field or no
   *     model_checkpoint_path
   */
  public static CheckpointState parse(String text) {
    String latest = null;
    List<String> paths = new ArrayList<>();
    List<Double> timestamps = new ArrayList<>();
    double lastPreserved = 0;
    for (TextProto.Field field : TextProto.parse(text)) {
      switch (field.name()) {
        case MODEL_CHECKPOINT_PATH -> latest = string(field);
        case ALL_PATHS -> paths.add(string(field));
        case ALL_TIMESTAMPS -> timestamps.add(number(field));
        case LAST_PRESERVED -> lastPreserved = number(field);
        default ->
            throw new IllegalArgumentException(
                "unknown field '"
                    + field.name()
                    + "'; CheckpointState has "
                    + MODEL_CHECKPOINT_PATH
                    + ", "
                    + ALL_PATHS
                    + ", "
                    + ALL_TIMESTAMPS
                    + " and "
                    + LAST_PRESERVED);
      }
    }
    if (latest == null || latest.isEmpty()) {
      throw new IllegalArgumentException("no " + MODEL_CHECKPOINT_PATH + " field");
    }
    if (timestamps.size() != paths.size()) {
      timestamps.clear();
    }
    return new CheckpointState(latest, paths, timestamps, lastPreserved);
  }

  /** Returns the text TensorFlow writes for this state (Python's text_format), one field a line. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    out.append(MODEL_CHECKPOINT_PATH).append(": ").append(TextProto.quote(modelCheckpointPath));
    out.append('\n');
    for (String path : allModelCheckpointPaths) {
      out.append(ALL_PATHS).append(": ").append(TextProto.quote(path)).append('\n');
    }
    for (double timestamp : allModelCheckpointTimestamps) {
      out.append(ALL_TIMESTAMPS).append(": ").append(TextProto.formatDouble(timestamp));
      out.append('\n');
    }
    if (lastPreservedTimestamp != 0) { // proto3: a zero scalar is not written.
      out.append(LAST_PRESERVED).append(": ");
      out.append(TextProto.formatDouble(lastPreservedTimestamp)).append('\n');
    }
    return out.toString();
  }

  /**
   * Returns the kept checkpoints with their save times, oldest first, as {@link RetentionPolicy}
   * takes them; {@code missingTimestamp} stands in where the file recorded no times.
   */
  public List<RetentionPolicy.Entry> entries(double missingTimestamp) {
    List<RetentionPolicy.Entry> entries = new ArrayList<>();
    for (int i = 0; i < allModelCheckpointPaths.size(); i++) {
      double time =
          allModelCheckpointTimestamps.isEmpty()
              ? missingTimestamp
              : allModelCheckpointTimestamps.get(i);
      entries.add(new RetentionPolicy.Entry(allModelCheckpointPaths.get(i), time));
    }
    return entries;
  }

  /**
   * Writes {@code modelDir/checkpoint} atomically: a {@code checkpoint.tmp<random>} file in the
   * same directory, fsync, then an atomic rename over the old file.
   */
  public void write(Path modelDir) throws IOException {
    CheckpointFiles.writeAtomically(modelDir.resolve(FILENAME), toText());
  }

  /**
   * Returns the full prefix of the checkpoint to resume from in {@code modelDir}: the one the state
   * file names if it is complete ({@link CheckpointFiles#isComplete}), else the newest complete one
   * listed in {@code all_model_checkpoint_paths} or found in {@code modelDir} under the same name
   * stem ({@code model.ckpt-<step>}), with a warning. Java counterpart of {@code
   * tf.train.latest_checkpoint}, which instead returns nothing when the named checkpoint is missing
   * (a process killed while replacing it left it so) and so made training restart from step 0.
   *
   * <p>Without a state file, the newest complete {@code model.ckpt-<step>} found in {@code
   * modelDir} is returned, with a warning (a process killed between its first checkpoint and its
   * first state file leaves that). Newest means the highest step; a listed checkpoint wins a tie.
   *
   * @throws IOException if the state file exists but cannot be read or parsed
   */
  public static Optional<String> latestCheckpoint(Path modelDir) throws IOException {
    Optional<CheckpointState> state = read(modelDir);
    String named = state.map(s -> resolve(modelDir, s.modelCheckpointPath())).orElse(null);
    if (named != null && CheckpointFiles.isComplete(Paths.get(named))) {
      return Optional.of(named);
    }
    Optional<String> fallback = newestComplete(modelDir, state.orElse(null));
    if (named != null) {
      LOG.warn(
          "Checkpoint state in {} names {}, but {}.index or its data files are missing or"
              + " incomplete; {}",
          modelDir,
          named,
          named,
          fallback
              .map(p -> "using " + p + ", the newest complete checkpoint")
              .orElse("no other complete checkpoint is listed or in the directory"));
    } else if (fallback.isPresent()) {
      LOG.warn(
          "{} has no checkpoint state file; using {}, the newest complete checkpoint in it",
          modelDir,
          fallback.get());
    }
    return fallback;
  }

  /** The newest complete checkpoint listed in {@code state} or on disk under its name stem. */
  private static Optional<String> newestComplete(Path modelDir, CheckpointState state)
      throws IOException {
    String stem = DEFAULT_STEM;
    List<String> candidates = new ArrayList<>();
    if (state != null) {
      stem = stemOf(Paths.get(state.modelCheckpointPath()).getFileName().toString());
    }
    for (String prefix : CheckpointFiles.listComplete(modelDir)) {
      String name = Paths.get(prefix).getFileName().toString();
      if (stemOf(name).equals(stem) && hasStep(name)) {
        candidates.add(prefix);
      }
    }
    if (state != null) {
      for (String path : state.allModelCheckpointPaths()) {
        String prefix = resolve(modelDir, path);
        if (CheckpointFiles.isComplete(Paths.get(prefix))) {
          candidates.add(prefix); // After the on-disk ones: a listed one wins a tie.
        }
      }
    }
    String best = null;
    long bestStep = Long.MIN_VALUE;
    for (String prefix : candidates) {
      long step = hasStep(prefix) ? stepOf(prefix) : -1;
      if (best == null || step >= bestStep) {
        best = prefix;
        bestStep = step;
      }
    }
    return Optional.ofNullable(best);
  }

  private static String stemOf(String name) {
    int dash = name.lastIndexOf('-');
    return dash < 0 ? name : name.substring(0, dash);
  }

  private static boolean hasStep(String prefix) {
    String name = Paths.get(prefix).getFileName().toString();
    int dash = name.lastIndexOf('-');
    int digits = name.length() - dash - 1;
    return dash >= 0
        && digits > 0
        && digits <= 18
        && name.substring(dash + 1).chars().allMatch(c -> c >= '0' && c <= '9');
  }

  /**
   * Returns {@code path} as a full prefix: unchanged if absolute, else resolved against {@code
   * modelDir} (what TensorFlow does with the relative paths of the state file).
   */
  public static String resolve(Path modelDir, String path) {
    Path p = Paths.get(path);
    return (p.isAbsolute() ? p : modelDir.resolve(p)).toString();
  }

  /**
   * Returns {@code prefix} relative to {@code modelDir} if it lies inside it (what TensorFlow
   * writes with {@code save_relative_paths}), else unchanged.
   */
  public static String relativize(Path modelDir, String prefix) {
    Path dir = modelDir.toAbsolutePath().normalize();
    Path p = Paths.get(prefix).toAbsolutePath().normalize();
    return p.startsWith(dir) && !p.equals(dir) ? dir.relativize(p).toString() : prefix;
  }

  /**
   * Returns the global step encoded in a checkpoint prefix, e.g. 1000 for {@code
   * /dir/model.ckpt-1000} (as tf.estimator parses it).
   *
   * @throws IllegalArgumentException if the name does not end in {@code -<digits>}
   */
  public static long stepOf(String prefix) {
    String name = Paths.get(prefix).getFileName().toString();
    int dash = name.lastIndexOf('-');
    String digits = dash < 0 ? "" : name.substring(dash + 1);
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException(
          "Cannot find the global step in checkpoint prefix '"
              + prefix
              + "': expected a name ending in -<step>, e.g. model.ckpt-1000");
    }
    return Long.parseLong(digits);
  }

  private static String string(TextProto.Field field) {
    if (!field.quoted()) {
      throw new IllegalArgumentException(
          field.name() + " must be a quoted string, found " + field.value());
    }
    return field.value();
  }

  private static double number(TextProto.Field field) {
    try {
      if (field.quoted()) {
        throw new NumberFormatException("quoted");
      }
      return TextProto.parseDouble(field.value());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          field.name() + " must be a number of seconds, found '" + field.value() + "'", e);
    }
  }
}
