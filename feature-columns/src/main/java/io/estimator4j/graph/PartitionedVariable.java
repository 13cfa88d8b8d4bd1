package io.estimator4j.graph;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.DynamicPartition;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A float32 variable stored as slices along axis 0, {@code <name>/part_0}, {@code <name>/part_1},
 * ...; Java counterpart of tf.compat.v1's PartitionedVariable ({@code get_variable(...,
 * partitioner=)}). With a replica device setter each part is a variable of its own, so the parts
 * spread over the parameter servers. {@link #sliceSpec} gives each part's SaveV2 slice, so a
 * checkpoint holds the joined variable under {@link #name()} as Python's Saver writes it.
 *
 * <p>Slice sizes are Python's {@code _iter_slices}: {@code rows / n} rows each, the first {@code
 * rows % n} parts one more.
 */
public final class PartitionedVariable {
  /** How ids map to parts in {@link #gather} (embedding_lookup's {@code partition_strategy}). */
  public enum Strategy {
    /** id to part {@code id % n}, row {@code id / n}. */
    MOD,
    /**
     * Contiguous ranges: the parts' rows in order (the layout of the slices); feature columns use
     * it.
     */
    DIV
  }

  /** Decides the number of parts of a variable from its full shape and element size in bytes. */
  @FunctionalInterface
  public interface Partitioner {
    int partitions(Shape fullShape, int elementBytes);
  }

  private final String name;
  private final Shape fullShape;
  private final List<Variable<TFloat32>> parts;
  private final long[] offsets;

  private PartitionedVariable(
      String name, Shape fullShape, List<Variable<TFloat32>> parts, long[] offsets) {
    this.name = name;
    this.fullShape = fullShape;
    this.parts = List.copyOf(parts);
    this.offsets = offsets;
  }

  /**
   * Python's {@code fixed_size_partitioner(num_shards)} on axis 0: {@code min(numShards, rows)}.
   */
  public static Partitioner fixedSize(int numShards) {
    if (numShards <= 0) {
      throw new IllegalArgumentException("numShards must be > 0, got " + numShards);
    }
    return (shape, bytes) -> (int) Math.min(numShards, shape.get(0));
  }

  /**
   * Python's {@code min_max_variable_partitioner(max_partitions, axis=0, min_slice_size)}: {@code
   * max(1, min(rows, maxPartitions, ceil(bytes / minSliceSize)))} parts, each of at least {@code
   * minSliceSize} bytes where the variable allows (Python's defaults: 1 and 256 KiB).
   */
  public static Partitioner minMax(int maxPartitions, long minSliceSize) {
    if (maxPartitions <= 0 || minSliceSize <= 0) {
      throw new IllegalArgumentException(
          "maxPartitions and minSliceSize must be > 0, got " + maxPartitions + ", " + minSliceSize);
    }
    return (shape, bytes) -> {
      double total = (double) shape.size() * bytes;
      long byBytes = (long) Math.ceil(total / minSliceSize);
      return (int) Math.max(1, Math.min(shape.get(0), Math.min(maxPartitions, byBytes)));
    };
  }

  /**
   * Creates the parts of the float32 variable {@code <scope>/<name>} of {@code fullShape}, each
   * initialised by {@code initializer} with its own shape (as Python calls the initializer per
   * slice).
   *
   * @throws IllegalArgumentException if the shape is not fully defined or of rank 0
   */
  public static PartitionedVariable create(
      Ops scopeOps,
      String name,
      Shape fullShape,
      Partitioner partitioner,
      Initializer initializer) {
    if (fullShape.isUnknown() || fullShape.hasUnknownDimension() || fullShape.numDimensions() < 1) {
      throw new IllegalArgumentException(
          "Partitioned variable '"
              + name
              + "' needs a fully defined shape of rank >= 1, got "
              + fullShape
              + ". Fix: give its full shape.");
    }
    int n = partitioner.partitions(fullShape, Float.BYTES);
    long rows = fullShape.get(0);
    if (n < 1 || n > rows) {
      throw new IllegalArgumentException(
          "Partitioned variable '"
              + name
              + "' cannot have "
              + n
              + " parts of its "
              + rows
              + " rows. Fix: use between 1 and "
              + rows
              + " parts.");
    }
    Ops scope = scopeOps.withSubScope(name);
    List<Variable<TFloat32>> parts = new ArrayList<>();
    long[] offsets = new long[n + 1];
    long base = rows / n;
    long extra = rows % n;
    for (int i = 0; i < n; i++) {
      long[] dims = fullShape.asArray().clone();
      dims[0] = base + (i < extra ? 1 : 0);
      parts.add(Variables.global(scope, "part_" + i, Shape.of(dims), initializer));
      offsets[i + 1] = offsets[i] + dims[0];
    }
    String fullName = parts.get(0).op().name();
    fullName = fullName.substring(0, fullName.length() - "/part_0".length());
    return new PartitionedVariable(fullName, fullShape, parts, offsets);
  }

  /** The full variable's name, its checkpoint key (e.g. {@code .../embedding_weights}). */
  public String name() {
    return name;
  }

  public Shape fullShape() {
    return fullShape;
  }

  public List<Variable<TFloat32>> parts() {
    return parts;
  }

  /** First row of part {@code i} in the full variable. */
  public long offset(int i) {
    return offsets[i];
  }

  /**
   * SaveV2's {@code shape_and_slices} of part {@code i}: the full shape, then {@code offset,length}
   * per dimension joined by ':' (Python's {@code SaveSliceInfo.spec}), e.g. {@code "10 3 0,4:0,3"}.
   */
  public String sliceSpec(int i) {
    StringBuilder sb = new StringBuilder();
    for (long d : fullShape.asArray()) {
      sb.append(d).append(' ');
    }
    for (int d = 0; d < fullShape.numDimensions(); d++) {
      if (d > 0) {
        sb.append(':');
      }
      long offset = d == 0 ? offsets[i] : 0;
      long length = d == 0 ? offsets[i + 1] - offsets[i] : fullShape.get(d);
      sb.append(offset).append(',').append(length);
    }
    return sb.toString();
  }

  /**
   * The rows {@code ids} of the full variable, gathered from the parts that hold them; Python's
   * {@code embedding_lookup(parts, ids, partition_strategy)}: ids are split by part with
   * DynamicPartition, gathered from each part (on its device) and put back in order with
   * DynamicStitch. All of these have C++ gradients, so each part gets its own gradient.
   *
   * @param ids a vector of ids in {@code [0, rows)}
   */
  public Operand<TFloat32> gather(Ops tf, Operand<TInt64> ids, Strategy strategy) {
    int n = parts.size();
    if (n == 1) {
      return tf.gather(Variables.read(tf, parts.get(0)), ids, tf.constant(0));
    }
    Operand<TInt64>[] split = partAndRow(tf, ids, strategy);
    Operand<TInt64> partOf = split[0];
    Operand<TInt64> rowInPart = split[1];
    Operand<TInt32> partitions = tf.dtypes.cast(partOf, TInt32.class);
    DynamicPartition<TInt64> rowsByPart = tf.dynamicPartition(rowInPart, partitions, (long) n);
    Operand<TInt32> positions =
        tf.range(tf.constant(0), tf.dtypes.cast(tf.size(ids), TInt32.class), tf.constant(1));
    DynamicPartition<TInt32> positionsByPart = tf.dynamicPartition(positions, partitions, (long) n);
    List<Operand<TInt32>> indices = new ArrayList<>();
    List<Operand<TFloat32>> gathered = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      indices.add(positionsByPart.outputs().get(i));
      gathered.add(
          tf.gather(Variables.read(tf, parts.get(i)), rowsByPart.outputs().get(i), tf.constant(0)));
    }
    return tf.dynamicStitch(indices, gathered);
  }

  /**
   * The rows of each part that {@code ids} (rows of the full variable) fall in, as row numbers of
   * that part, in the {@link Strategy#DIV} layout (the slices'): element {@code i} holds the ids in
   * {@code [offset(i), offset(i + 1))} minus {@code offset(i)}, possibly none. Sparse optimizer
   * updates of the parts use it, as Python's IndexedSlices gradient of each part holds these rows.
   */
  public List<Operand<TInt64>> rowsByPart(Ops tf, Operand<TInt64> ids) {
    if (parts.size() == 1) {
      return List.of(ids);
    }
    Operand<TInt64>[] split = partAndRow(tf, ids, Strategy.DIV);
    DynamicPartition<TInt64> rows =
        tf.dynamicPartition(split[1], tf.dtypes.cast(split[0], TInt32.class), (long) parts.size());
    return List.copyOf(rows.outputs());
  }

  /** Each part's {@link #sliceSpec}, in part order. */
  public List<String> sliceSpecs() {
    List<String> specs = new ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      specs.add(sliceSpec(i));
    }
    return specs;
  }

  /** For each id: {part, row in that part}. */
  @SuppressWarnings("unchecked")
  private Operand<TInt64>[] partAndRow(Ops tf, Operand<TInt64> ids, Strategy strategy) {
    int n = parts.size();
    Operand<TInt64> partOf;
    Operand<TInt64> rowInPart;
    if (strategy == Strategy.MOD) {
      partOf = tf.math.floorMod(ids, tf.constant((long) n));
      rowInPart = tf.math.floorDiv(ids, tf.constant((long) n));
    } else {
      // Python: ids_per_partition = rows // n, extras = rows % n;
      // part = max(id // (ids_per_partition + 1), (id - extras) // ids_per_partition)
      long rows = fullShape.get(0);
      long perPart = rows / n;
      long extras = rows % n;
      Operand<TInt64> big = tf.constant(perPart + 1);
      Operand<TInt64> small = tf.constant(perPart);
      Operand<TInt64> shifted = tf.math.sub(ids, tf.constant(extras));
      partOf = tf.math.maximum(tf.math.floorDiv(ids, big), tf.math.floorDiv(shifted, small));
      rowInPart =
          tf.select(
              tf.math.less(partOf, tf.constant(extras)),
              tf.math.floorMod(ids, big),
              tf.math.floorMod(shifted, small));
    }
    return new Operand[] {partOf, rowInPart};
  }
}
