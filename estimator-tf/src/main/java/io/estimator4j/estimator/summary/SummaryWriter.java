package io.estimator4j.estimator.summary;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.SummaryMetadata;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Writes TensorBoard event files ({@code events.out.tfevents.*}) with TensorFlow's own summary ops;
 * Java counterpart of {@code tf.summary.create_file_writer}.
 *
 * <p>The writer owns a private graph and session holding one summary writer resource; every {@code
 * write} feeds placeholders of ops built once at construction. All methods are thread-safe. Records
 * are buffered by TensorFlow and reach the file after {@link #flush()}, after {@link
 * Options#flushInterval()}, or when the queue holds {@link Options#maxQueue()} records.
 */
public final class SummaryWriter implements AutoCloseable {

  /** Plugin name TensorBoard's text dashboard reads ({@code tensorboard.plugins.text}). */
  static final String TEXT_PLUGIN_NAME = "text";

  private final Path logDir;
  private final Graph graph;
  private final Session session;
  private final Placeholder<TInt64> step;
  private final Placeholder<TString> tag;
  private final Placeholder<TFloat32> scalarValue;
  private final Placeholder<TFloat32> histogramValues;
  private final Placeholder<TString> textValue;
  private final Placeholder<TString> serializedGraph;
  private final Placeholder<TString> serializedEvent;
  private final Op writeScalar;
  private final Op writeHistogram;
  private final Op writeText;
  private final Op writeGraph;
  private final Op importEvent;
  private final Op flushOp;
  private final Op closeOp;
  private boolean closed;

  /** Opens a writer on {@code logDir} with {@link Options#DEFAULT}; creates the directory. */
  public SummaryWriter(Path logDir) {
    this(logDir, Options.DEFAULT);
  }

  /** Opens a writer on {@code logDir} with {@code options}; creates the directory. */
  public SummaryWriter(Path logDir, Options options) {
    if (logDir == null || options == null) {
      throw new IllegalArgumentException(
          "SummaryWriter needs a log directory and options; use Options.DEFAULT for defaults.");
    }
    this.logDir = createDirectory(logDir.toAbsolutePath().normalize());
    this.graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      var writer =
          tf.summary.summaryWriter(
              org.tensorflow.op.summary.SummaryWriter.sharedName("estimator4j_summary_writer"));
      Op create =
          tf.summary.createSummaryFileWriter(
              writer,
              tf.constant(this.logDir.toString()),
              tf.constant(options.maxQueue()),
              tf.constant((int) options.flushInterval().toMillis()),
              tf.constant(options.filenameSuffix()));
      step = tf.placeholder(TInt64.class, Placeholder.shape(Shape.scalar()));
      tag = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
      scalarValue = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.scalar()));
      histogramValues = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      textValue = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
      serializedGraph = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
      writeScalar = tf.summary.writeScalarSummary(writer, step, tag, scalarValue);
      writeHistogram = tf.summary.writeHistogramSummary(writer, step, tag, histogramValues);
      try (TString metadata =
          TString.tensorOfBytes(NdArrays.scalarOfObject(textMetadata().toByteArray()))) {
        writeText = tf.summary.writeSummary(writer, step, textValue, tag, tf.constantOf(metadata));
      }
      writeGraph = tf.summary.writeGraphSummary(writer, step, serializedGraph);
      serializedEvent = tf.placeholder(TString.class, Placeholder.shape(Shape.scalar()));
      importEvent = tf.summary.importEvent(writer, serializedEvent);
      flushOp = tf.summary.flushSummaryWriter(writer);
      closeOp = tf.summary.closeSummaryWriter(writer);
      Session s = new Session(graph);
      try {
        run(s.runner().addTarget(create));
      } catch (RuntimeException e) {
        s.close();
        throw e;
      }
      session = s;
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** The absolute log directory the event file is written to. */
  public Path logDir() {
    return logDir;
  }

  /** Writes a float32 scalar; mirrors {@code tf.summary.scalar(tag, value, step)}. */
  public synchronized void scalar(String tag, long step, double value) {
    checkOpen();
    try (TInt64 s = TInt64.scalarOf(step);
        TString t = TString.scalarOf(checkTag(tag));
        TFloat32 v = TFloat32.scalarOf((float) value)) {
      run(
          session
              .runner()
              .feed(this.step, s)
              .feed(this.tag, t)
              .feed(scalarValue, v)
              .addTarget(writeScalar));
    }
  }

  /** Writes a histogram of {@code values}; mirrors {@code tf.summary.histogram}. */
  public synchronized void histogram(String tag, long step, float[] values) {
    checkOpen();
    if (values == null) {
      throw new IllegalArgumentException(
          "Histogram '" + tag + "' needs a values array; found null. Pass new float[0] for none.");
    }
    try (TInt64 s = TInt64.scalarOf(step);
        TString t = TString.scalarOf(checkTag(tag));
        TFloat32 v = TFloat32.vectorOf(values)) {
      run(
          session
              .runner()
              .feed(this.step, s)
              .feed(this.tag, t)
              .feed(histogramValues, v)
              .addTarget(writeHistogram));
    }
  }

  /** Writes a string for TensorBoard's text dashboard; mirrors {@code tf.summary.text}. */
  public synchronized void text(String tag, long step, String value) {
    checkOpen();
    if (value == null) {
      throw new IllegalArgumentException(
          "Text summary '" + tag + "' needs a value; found null. Pass \"\" for an empty text.");
    }
    try (TInt64 s = TInt64.scalarOf(step);
        TString t = TString.scalarOf(checkTag(tag));
        TString v = TString.scalarOf(value)) {
      run(
          session
              .runner()
              .feed(this.step, s)
              .feed(this.tag, t)
              .feed(textValue, v)
              .addTarget(writeText));
    }
  }

  /** Writes a graph for TensorBoard's graph dashboard; mirrors {@code tf.summary.graph}. */
  public synchronized void graph(long step, GraphDef graphDef) {
    checkOpen();
    if (graphDef == null) {
      throw new IllegalArgumentException(
          "graph() needs a GraphDef; found null. Use Graph.toGraphDef() to get one.");
    }
    try (TInt64 s = TInt64.scalarOf(step);
        TString g = TString.tensorOfBytes(NdArrays.scalarOfObject(graphDef.toByteArray()))) {
      run(session.runner().feed(this.step, s).feed(serializedGraph, g).addTarget(writeGraph));
    }
  }

  /**
   * Writes a whole Event as given (its wall_time and step kept): a {@code meta_graph_def} or a
   * {@code session_log}, as Python's {@code add_meta_graph} and {@code add_session_log} write them.
   */
  public synchronized void event(Event event) {
    checkOpen();
    if (event == null) {
      throw new IllegalArgumentException("event() needs an Event; found null.");
    }
    try (TString e = TString.tensorOfBytes(NdArrays.scalarOfObject(event.toByteArray()))) {
      run(session.runner().feed(serializedEvent, e).addTarget(importEvent));
    }
  }

  /**
   * Writes a MetaGraphDef event ({@code meta_graph_def}); mirrors Python's {@code
   * FileWriter.add_meta_graph}.
   */
  public void metaGraph(long step, org.tensorflow.proto.MetaGraphDef metaGraph) {
    event(
        Event.newBuilder()
            .setWallTime(System.currentTimeMillis() / 1000.0)
            .setStep(step)
            .setMetaGraphDef(metaGraph.toByteString())
            .build());
  }

  /**
   * Writes a SessionLog event; mirrors Python's {@code add_session_log} (CheckpointSaverHook's
   * {@code SessionLog(status=CHECKPOINT, checkpoint_path=<model_dir>/model.ckpt)} after each save,
   * SummarySaverHook's START).
   */
  public void sessionLog(long step, SessionLog log) {
    event(
        Event.newBuilder()
            .setWallTime(System.currentTimeMillis() / 1000.0)
            .setStep(step)
            .setSessionLog(log)
            .build());
  }

  /** Writes every buffered record to the event file; mirrors {@code writer.flush()}. */
  public synchronized void flush() {
    checkOpen();
    run(session.runner().addTarget(flushOp));
  }

  /** Flushes and closes the event file, then frees the graph and session; idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      // Two runs: targets of one run have no order, and the close op deletes the resource.
      run(session.runner().addTarget(flushOp));
      run(session.runner().addTarget(closeOp));
    } finally {
      try {
        session.close();
      } finally {
        graph.close();
      }
    }
  }

  private static void run(Session.Runner runner) {
    try (Result ignored = runner.run()) {
      // Targets only: nothing to fetch.
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("SummaryWriter for " + logDir + " is closed");
    }
  }

  private static String checkTag(String tag) {
    if (tag == null || tag.isEmpty()) {
      throw new IllegalArgumentException(
          "Summary tag must be a non-empty string such as \"loss\"; found "
              + (tag == null ? "null" : "\"\"")
              + ".");
    }
    return tag;
  }

  private static SummaryMetadata textMetadata() {
    // TensorBoard's TextPluginData{version: 0} serializes to no bytes, as in tf.summary.text.
    return SummaryMetadata.newBuilder()
        .setPluginData(SummaryMetadata.PluginData.newBuilder().setPluginName(TEXT_PLUGIN_NAME))
        .build();
  }

  private static Path createDirectory(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      Path blocker = dir;
      while (blocker != null && !Files.exists(blocker)) {
        blocker = blocker.getParent();
      }
      String found =
          blocker != null && Files.isRegularFile(blocker)
              ? blocker + " is a regular file"
              : e.getClass().getSimpleName() + ": " + e.getMessage();
      throw new IllegalArgumentException(
          String.format(
              "Cannot create summary log directory %s: expected a directory or a path where one"
                  + " can be created, but %s. Fix: choose a log directory that is not inside a"
                  + " file (e.g. the model directory) or remove the file.",
              dir, found),
          e);
    }
  }

  /**
   * Settings of a {@link SummaryWriter}; mirrors the {@code max_queue}, {@code flush_millis} and
   * {@code filename_suffix} arguments of {@code tf.summary.create_file_writer}.
   */
  public static final class Options {

    /** Default queue length before a flush, as in {@code tf.summary.create_file_writer}. */
    public static final int DEFAULT_MAX_QUEUE = 10;

    /** Default interval between automatic flushes, as in {@code tf.summary.create_file_writer}. */
    public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofMinutes(2);

    /** Default event file name suffix, as in {@code tf.summary.create_file_writer}. */
    public static final String DEFAULT_FILENAME_SUFFIX = ".v2";

    /** Options with all defaults. */
    public static final Options DEFAULT = builder().build();

    private final int maxQueue;
    private final Duration flushInterval;
    private final String filenameSuffix;

    private Options(Builder b) {
      this.maxQueue = b.maxQueue;
      this.flushInterval = b.flushInterval;
      this.filenameSuffix = b.filenameSuffix;
    }

    /** A builder initialised with the defaults. */
    public static Builder builder() {
      return new Builder();
    }

    /** Records queued before TensorFlow writes them to the file. */
    public int maxQueue() {
      return maxQueue;
    }

    /** Longest time a record waits in the queue. */
    public Duration flushInterval() {
      return flushInterval;
    }

    /** Suffix appended to the event file name. */
    public String filenameSuffix() {
      return filenameSuffix;
    }

    /** Builder of {@link Options}; validated in {@link #build()}. */
    public static final class Builder {
      private int maxQueue = DEFAULT_MAX_QUEUE;
      private Duration flushInterval = DEFAULT_FLUSH_INTERVAL;
      private String filenameSuffix = DEFAULT_FILENAME_SUFFIX;

      private Builder() {}

      /** Sets {@link Options#maxQueue()}. */
      public Builder maxQueue(int maxQueue) {
        this.maxQueue = maxQueue;
        return this;
      }

      /** Sets {@link Options#flushInterval()}. */
      public Builder flushInterval(Duration flushInterval) {
        this.flushInterval = flushInterval;
        return this;
      }

      /** Sets {@link Options#filenameSuffix()}. */
      public Builder filenameSuffix(String filenameSuffix) {
        this.filenameSuffix = filenameSuffix;
        return this;
      }

      /** Validates and builds the options. */
      public Options build() {
        if (maxQueue < 1) {
          throw new IllegalArgumentException(
              "maxQueue must be at least 1; found "
                  + maxQueue
                  + ". The default is "
                  + DEFAULT_MAX_QUEUE
                  + ".");
        }
        if (flushInterval == null
            || flushInterval.isNegative()
            || flushInterval.toMillis() > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(
              "flushInterval must be between 0 and "
                  + Integer.MAX_VALUE
                  + " ms; found "
                  + flushInterval
                  + ". The default is "
                  + DEFAULT_FLUSH_INTERVAL
                  + ".");
        }
        if (filenameSuffix == null || filenameSuffix.contains("/")) {
          throw new IllegalArgumentException(
              "filenameSuffix must be a file name part without '/'; found "
                  + filenameSuffix
                  + ". The default is \""
                  + DEFAULT_FILENAME_SUFFIX
                  + "\".");
        }
        return new Options(this);
      }
    }
  }
}
