package io.estimator4j.checkpoint;

import io.estimator4j.io.Dims;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Lists and reads the tensors of a TensorFlow V2 checkpoint; Java counterpart of Python's {@code
 * tf.train.load_checkpoint} ({@code CheckpointReader}).
 *
 * <p>The variable list comes from parsing the {@code .index} file; values are read by TensorFlow
 * itself through a private graph holding one {@code RestoreV2} op per dtype, so every dtype,
 * strings included, is supported. The graph is built on the first read. Thread-safe.
 */
public final class CheckpointReader implements AutoCloseable {

  private static final String INDEX_SUFFIX = ".index";
  private static final int SUGGESTIONS = 5;

  private final String prefix;
  private final Map<String, VariableInfo> variables;
  private final Map<DataType, Restorer> restorers = new EnumMap<>(DataType.class);
  private Graph graph;
  private Session session;
  private Ops tf;
  private boolean closed;

  private CheckpointReader(String prefix, Map<String, VariableInfo> variables) {
    this.prefix = prefix;
    this.variables = variables;
  }

  /**
   * Opens the checkpoint whose files are {@code prefix.index} and {@code prefix.data-*}.
   *
   * @param prefix the checkpoint prefix, e.g. {@code /dir/model.ckpt-1000}
   * @throws IOException if the index is missing, truncated or not a checkpoint index, or a data
   *     shard it refers to is missing
   */
  public static CheckpointReader open(String prefix) throws IOException {
    Objects.requireNonNull(prefix, "prefix");
    BundleIndex index = BundleIndex.read(Paths.get(prefix + INDEX_SUFFIX));
    int shards = Math.max(1, index.header().getNumShards());
    for (int shard = 0; shard < shards; shard++) {
      Path data = Paths.get(CheckpointFiles.dataFileName(prefix, shard, shards));
      if (!Files.isRegularFile(data)) {
        throw new IOException(
            "Checkpoint "
                + prefix
                + " is incomplete: its index refers to "
                + shards
                + " data shard(s) but "
                + data
                + " does not exist. Copy all of the checkpoint's files, or use an older one.");
      }
    }
    return new CheckpointReader(prefix, index.variables());
  }

  /**
   * Tells whether a complete checkpoint exists at {@code prefix}: its {@code .index} file and all
   * the data shards named {@code prefix.data-NNNNN-of-MMMMM}. Never throws for a missing file.
   */
  public static boolean exists(String prefix) {
    return CheckpointFiles.isComplete(Paths.get(prefix));
  }

  /** Returns the prefix this reader was opened with. */
  public String prefix() {
    return prefix;
  }

  /** Returns every tensor in the checkpoint by name, sorted by name; unmodifiable. */
  public Map<String, VariableInfo> variables() {
    return variables;
  }

  /** Tells whether the checkpoint holds a tensor called {@code name}. */
  public boolean contains(String name) {
    return variables.containsKey(name);
  }

  /**
   * Returns the dtype and shape of {@code name}.
   *
   * @throws IllegalArgumentException if the checkpoint has no such tensor; the message lists the
   *     closest names
   */
  public VariableInfo variable(String name) {
    VariableInfo info = variables.get(Objects.requireNonNull(name, "name"));
    if (info == null) {
      throw new IllegalArgumentException(
          "Checkpoint "
              + prefix
              + " has no variable '"
              + name
              + "'. Closest of its "
              + variables.size()
              + " variables: "
              + closest(name)
              + ". Call variables() to list them all.");
    }
    return info;
  }

  /**
   * Reads the value of {@code name} with TensorFlow's {@code RestoreV2}; the caller closes the
   * returned tensor.
   *
   * @throws IllegalArgumentException if the checkpoint has no such tensor
   * @throws IllegalStateException if this reader is closed
   */
  public Tensor read(String name) {
    VariableInfo info = variable(name);
    Restorer restorer;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException(
            "CheckpointReader for " + prefix + " is closed; open a new one to read " + name);
      }
      restorer = restorers.computeIfAbsent(info.dtype(), this::newRestorer);
    }
    try (TString names = TString.vectorOf(name)) {
      return session.runner().feed(restorer.names, names).fetch(restorer.output).run().get(0);
    }
  }

  /** Reads a {@code DT_FLOAT} tensor as a flat array in row-major order. */
  public float[] readFloats(String name) {
    float[] out = new float[length(name, DataType.DT_FLOAT, "readFloats")];
    try (TFloat32 t = (TFloat32) read(name)) {
      t.copyTo(DataBuffers.of(out, false, false));
    }
    return out;
  }

  /** Reads a {@code DT_DOUBLE} tensor as a flat array in row-major order. */
  public double[] readDoubles(String name) {
    double[] out = new double[length(name, DataType.DT_DOUBLE, "readDoubles")];
    try (TFloat64 t = (TFloat64) read(name)) {
      t.copyTo(DataBuffers.of(out, false, false));
    }
    return out;
  }

  /** Reads a {@code DT_INT32} tensor as a flat array in row-major order. */
  public int[] readInts(String name) {
    int[] out = new int[length(name, DataType.DT_INT32, "readInts")];
    try (TInt32 t = (TInt32) read(name)) {
      t.copyTo(DataBuffers.of(out, false, false));
    }
    return out;
  }

  /** Reads a {@code DT_INT64} tensor (such as {@code global_step}) as a flat array. */
  public long[] readLongs(String name) {
    long[] out = new long[length(name, DataType.DT_INT64, "readLongs")];
    try (TInt64 t = (TInt64) read(name)) {
      t.copyTo(DataBuffers.of(out, false, false));
    }
    return out;
  }

  /** Reads a {@code DT_BOOL} tensor as a flat array in row-major order. */
  public boolean[] readBooleans(String name) {
    boolean[] out = new boolean[length(name, DataType.DT_BOOL, "readBooleans")];
    try (TBool t = (TBool) read(name)) {
      t.copyTo(DataBuffers.of(out, false, false));
    }
    return out;
  }

  /** Reads a {@code DT_STRING} tensor as raw bytes per element, flat in row-major order. */
  public byte[][] readBytes(String name) {
    byte[][] out = new byte[length(name, DataType.DT_STRING, "readBytes")][];
    try (TString t = (TString) read(name)) {
      int i = 0;
      for (NdArray<byte[]> element : t.asBytes().scalars()) {
        out[i++] = element.getObject();
      }
    }
    return out;
  }

  /** Closes the private TensorFlow session and graph; later reads throw. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (session != null) {
        session.close();
      }
    } finally {
      if (graph != null) {
        graph.close();
      }
    }
  }

  private int length(String name, DataType expected, String method) {
    VariableInfo info = variable(name);
    if (info.dtype() != expected) {
      throw new IllegalArgumentException(
          method
              + " needs a "
              + expected
              + " tensor, but '"
              + name
              + "' in "
              + prefix
              + " is "
              + info.dtype()
              + ". Use the method for that dtype, or read(name) for any dtype.");
    }
    return Dims.toInt(
        info.numElements(),
        "The element count of '" + name + "' in " + prefix,
        "Fix: read it with read(name), which has no int limit.");
  }

  /** Builds {@code RestoreV2(prefix, names, [""], [dtype])} with {@code names} a placeholder. */
  private Restorer newRestorer(DataType dtype) {
    if (graph == null) {
      graph = new Graph();
      session = new Session(graph);
      tf = Ops.create(graph);
    }
    Operand<TString> names = tf.placeholder(TString.class);
    Output<?> output =
        tf.scope()
            .opBuilder("RestoreV2", "restore_" + dtype.name().toLowerCase(Locale.ROOT))
            .addInput(tf.constant(StandardCharsets.UTF_8, prefix).asOutput())
            .addInput(names.asOutput())
            .addInput(tf.constant(StandardCharsets.UTF_8, new String[] {""}).asOutput())
            .setAttr("dtypes", new DataType[] {dtype})
            .build()
            .output(0);
    return new Restorer(names, output);
  }

  private String closest(String name) {
    List<String> names =
        variables.keySet().stream()
            .sorted(Comparator.comparingInt((String candidate) -> distance(name, candidate)))
            .limit(SUGGESTIONS)
            .collect(Collectors.toList());
    return names.isEmpty() ? "(none: the checkpoint is empty)" : names.toString();
  }

  /** Levenshtein edit distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** One RestoreV2 op: feed a 1-element name vector to {@code names}, fetch {@code output}. */
  private record Restorer(Operand<TString> names, Output<?> output) {}
}
