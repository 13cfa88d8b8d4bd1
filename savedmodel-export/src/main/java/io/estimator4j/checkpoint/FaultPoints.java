package io.estimator4j.checkpoint;

import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Named points on the paths that write a model directory (checkpoint save and commit, retention,
 * {@code graph.pbtxt}, events, export) where a fault-injection test stops the process, so that a
 * {@code kill -9} lands in exactly that window. There is no TensorFlow counterpart.
 *
 * <p>Off unless the JVM is started with {@code -Destimator4j.faultPoint=<name>@<n>} (or just {@code
 * <name>} for {@code n = 1}). Then, the {@code n}-th time the point {@code name} is reached, the
 * process prints {@link #ANNOUNCEMENT}{@code <name>@<n>} on standard output and stops there: the
 * calling thread waits for the test to SIGKILL the process, and halts the JVM itself ({@link
 * Runtime#halt}, exit status {@link #HALT_STATUS}, which like SIGKILL runs no shutdown hook and
 * flushes nothing) after {@link #PAUSE_MILLIS} if nobody does. When the property is unset, {@link
 * #reach} costs one read of a static final field; the points sit only on file-writing paths.
 */
public final class FaultPoints {

  /** The system property naming the point to stop at: {@code <name>} or {@code <name>@<n>}. */
  public static final String PROPERTY = "estimator4j.faultPoint";

  /** What the process prints, followed by {@code <name>@<n>}, when it stops at a point. */
  public static final String ANNOUNCEMENT = "estimator4j-fault-point: ";

  /** How long a stopped process waits to be killed before it halts itself. */
  public static final long PAUSE_MILLIS = 60_000;

  /** Exit status of a process that halted itself at a point (128 + 9, as after SIGKILL). */
  public static final int HALT_STATUS = 137;

  /** Checkpoint save: before the saver writes the checkpoint into its temporary directory. */
  public static final String BEFORE_SAVE = "checkpoint.before-save";

  /** Checkpoint commit: saved in the temporary directory, no data file moved into model_dir. */
  public static final String BEFORE_DATA = "checkpoint.before-data";

  /** Checkpoint commit: the data files are in model_dir, the {@code .index} is not. */
  public static final String BEFORE_INDEX = "checkpoint.before-index";

  /** Checkpoint save: the checkpoint is complete in model_dir, the state file does not name it. */
  public static final String BEFORE_STATE = "checkpoint.before-state";

  /** Checkpoint save: the state file names the new checkpoint; retention has deleted nothing. */
  public static final String BEFORE_RETENTION = "checkpoint.before-retention";

  /** Checkpoint deletion: the {@code .index} of the checkpoint is gone, its data files are not. */
  public static final String DELETE_AFTER_INDEX = "checkpoint.delete-after-index";

  /** The first save of a training session (the startup save), before it writes anything. */
  public static final String STARTUP_SAVE = "checkpoint.startup-save";

  /** {@code graph.pbtxt}: the temporary file is written, not yet renamed. */
  public static final String GRAPH_BEFORE_RENAME = "graph.pbtxt.before-rename";

  /** Summaries: a step's events are handed to the event writer, not yet flushed. */
  public static final String EVENTS_AFTER_WRITE = "events.after-write";

  /** SavedModel export: variables are written in the temporary directory, saved_model.pb is not. */
  public static final String EXPORT_BEFORE_PROTO = "export.before-saved-model-pb";

  private static final FaultPoints ACTIVE = parse(System.getProperty(PROPERTY));

  private final String name;
  private final int occurrence;
  private final AtomicInteger reached = new AtomicInteger();

  private FaultPoints(String name, int occurrence) {
    this.name = name;
    this.occurrence = occurrence;
  }

  /** Marks that the calling thread reached point {@code name}; stops there if it is the target. */
  public static void reach(String name) {
    if (ACTIVE != null && ACTIVE.isTarget(name)) {
      stop(name + "@" + ACTIVE.occurrence, System.out);
    }
  }

  /** Tells whether this JVM was started with a fault point (only tests do that). */
  public static boolean enabled() {
    return ACTIVE != null;
  }

  /**
   * Parses {@code <name>} or {@code <name>@<n>}; null or blank gives null (no point).
   *
   * @throws IllegalArgumentException if {@code n} is not a positive integer
   */
  static FaultPoints parse(String spec) {
    if (spec == null || spec.isBlank()) {
      return null;
    }
    int at = spec.lastIndexOf('@');
    if (at < 0) {
      return new FaultPoints(spec.trim(), 1);
    }
    String count = spec.substring(at + 1).trim();
    int n;
    try {
      n = Integer.parseInt(count);
    } catch (NumberFormatException e) {
      n = 0;
    }
    if (n <= 0) {
      throw new IllegalArgumentException(
          PROPERTY
              + " must be <name> or <name>@<n> with n >= 1, e.g. "
              + BEFORE_INDEX
              + "@2; got '"
              + spec
              + "'");
    }
    return new FaultPoints(spec.substring(0, at).trim(), n);
  }

  /** Counts a visit of {@code point}; true on the visit this spec stops at. */
  boolean isTarget(String point) {
    return name.equals(Objects.requireNonNull(point, "point"))
        && reached.incrementAndGet() == occurrence;
  }

  String name() {
    return name;
  }

  int occurrence() {
    return occurrence;
  }

  private static void stop(String label, PrintStream out) {
    out.println(ANNOUNCEMENT + label);
    out.flush();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PAUSE_MILLIS);
    while (System.nanoTime() < deadline) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        // Keep waiting: only SIGKILL or the halt below may end the process here.
      }
    }
    Runtime.getRuntime().halt(HALT_STATUS);
  }
}
