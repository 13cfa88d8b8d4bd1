package io.estimator4j.estimator.input;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.framework.data.Dataset;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * An input function over in-memory Java arrays; Java counterpart of
 * tf.compat.v1.estimator.inputs.numpy_input_fn. The arrays are fed into the graph when the iterator
 * starts (they are not baked into the graph as constants), then sliced on their first dimension,
 * shuffled, repeated and batched by tf.data.
 *
 * <pre>{@code
 * InputFn train = ArrayInput.builder()
 *     .feature("x", xTrain)            // float[][] -> float32 [batch, d]
 *     .labels(yTrain)                  // int[] -> int32 [batch]
 *     .batchSize(32).numEpochs(null).shuffle(true).seed(42)
 *     .build();
 * }</pre>
 */
public final class ArrayInput implements InputFn {
  public static final int DEFAULT_BATCH_SIZE = 128;
  public static final int DEFAULT_QUEUE_CAPACITY = 1000;

  private final Map<String, Column> features;
  private final Column labels;
  private final Batching batching;
  private final int rows;

  /** One array: its dtype, per-row shape, and a factory of the whole tensor. */
  private record Column(
      String name,
      Class<? extends TType> type,
      Shape rowShape,
      int rows,
      Supplier<Tensor> tensor) {}

  private ArrayInput(Builder b) {
    this.features = new LinkedHashMap<>(b.features);
    this.labels = b.labels;
    this.batching = b.batching();
    this.rows = b.rows;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Number of examples (rows). */
  public int rows() {
    return rows;
  }

  @Override
  public Input build(InputContext ctx) {
    Ops tf = ctx.tf().withSubScope("input");
    List<Column> columns = new ArrayList<>(features.values());
    if (labels != null) {
      columns.add(labels);
    }
    List<Operand<?>> components = new ArrayList<>();
    List<Class<? extends TType>> types = new ArrayList<>();
    Map<Operand<?>, Supplier<Tensor>> feeds = new LinkedHashMap<>();
    for (Column c : columns) {
      Placeholder<?> p =
          tf.placeholder(c.type(), Placeholder.shape(prepend(c.rows(), c.rowShape())));
      components.add(p);
      types.add(c.type());
      feeds.put(p, c.tensor());
    }
    Dataset ds = Dataset.fromTensorSlices(tf, components, types);
    ds = batching.apply(ctx, ds);
    List<Operand<?>> next = Datasets.iterate(ctx, ds, feeds);
    Map<String, Operand<?>> feats = new LinkedHashMap<>();
    int i = 0;
    for (String name : features.keySet()) {
      feats.put(name, next.get(i++));
    }
    return Input.of(feats, labels == null ? null : next.get(i));
  }

  private static Shape prepend(long first, Shape rest) {
    long[] dims = new long[rest.numDimensions() + 1];
    dims[0] = first;
    for (int i = 0; i < rest.numDimensions(); i++) {
      dims[i + 1] = rest.size(i);
    }
    return Shape.of(dims);
  }

  /** Builder of {@link ArrayInput}. */
  public static final class Builder extends Batching.Builder<Builder> {
    private final Map<String, Column> features = new LinkedHashMap<>();
    private Column labels;
    private int rows = -1;

    private Builder() {
      super(DEFAULT_BATCH_SIZE, DEFAULT_QUEUE_CAPACITY);
    }

    public Builder feature(String name, float[][] values) {
      return add(
          name,
          column(
              name,
              TFloat32.class,
              Shape.of(width(name, values)),
              values.length,
              () -> TFloat32.tensorOf(StdArrays.ndCopyOf(values))));
    }

    /**
     * A float feature of any rank, as numpy_input_fn takes an ndarray: the first dimension is the
     * rows, the rest the shape of each row (e.g. images {@code [n, 299, 299, 3]}).
     *
     * @throws IllegalArgumentException for a scalar or an array without rows
     */
    public Builder feature(String name, org.tensorflow.ndarray.FloatNdArray values) {
      Shape shape = values.shape();
      if (shape.numDimensions() < 1 || shape.size(0) > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "Array for "
                + name
                + " has shape "
                + shape
                + "; expected rows first ([rows, ...]), at most "
                + Integer.MAX_VALUE
                + " rows.");
      }
      long[] dims = shape.asArray();
      Shape rowShape = Shape.of(java.util.Arrays.copyOfRange(dims, 1, dims.length));
      return add(
          name,
          column(
              name,
              TFloat32.class,
              rowShape,
              (int) shape.size(0),
              () -> {
                TFloat32 t = TFloat32.tensorOf(shape);
                values.copyTo(t);
                return t;
              }));
    }

    /** Images or other rank-4 float features ({@code [rows, height, width, channels]}). */
    public Builder feature(String name, float[][][][] values) {
      if (values.length == 0) {
        throw new IllegalArgumentException("Array for " + name + " is empty");
      }
      return feature(name, StdArrays.ndCopyOf(values));
    }

    public Builder feature(String name, float[] values) {
      return add(
          name,
          column(
              name,
              TFloat32.class,
              Shape.scalar(),
              values.length,
              () -> TFloat32.vectorOf(values)));
    }

    public Builder feature(String name, double[] values) {
      return add(
          name,
          column(
              name,
              TFloat64.class,
              Shape.scalar(),
              values.length,
              () -> TFloat64.vectorOf(values)));
    }

    public Builder feature(String name, int[] values) {
      return add(
          name,
          column(name, TInt32.class, Shape.scalar(), values.length, () -> TInt32.vectorOf(values)));
    }

    public Builder feature(String name, long[] values) {
      return add(
          name,
          column(name, TInt64.class, Shape.scalar(), values.length, () -> TInt64.vectorOf(values)));
    }

    public Builder feature(String name, String[] values) {
      return add(
          name,
          column(
              name, TString.class, Shape.scalar(), values.length, () -> TString.vectorOf(values)));
    }

    public Builder labels(int[] values) {
      labels =
          column(
              "labels", TInt32.class, Shape.scalar(), values.length, () -> TInt32.vectorOf(values));
      return checkRows("labels", values.length);
    }

    public Builder labels(long[] values) {
      labels =
          column(
              "labels", TInt64.class, Shape.scalar(), values.length, () -> TInt64.vectorOf(values));
      return checkRows("labels", values.length);
    }

    public Builder labels(float[] values) {
      labels =
          column(
              "labels",
              TFloat32.class,
              Shape.scalar(),
              values.length,
              () -> TFloat32.vectorOf(values));
      return checkRows("labels", values.length);
    }

    public Builder labels(float[][] values) {
      labels =
          column(
              "labels",
              TFloat32.class,
              Shape.of(width("labels", values)),
              values.length,
              () -> TFloat32.tensorOf(StdArrays.ndCopyOf(values)));
      return checkRows("labels", values.length);
    }

    public Builder labels(String[] values) {
      labels =
          column(
              "labels",
              TString.class,
              Shape.scalar(),
              values.length,
              () -> TString.vectorOf(values));
      return checkRows("labels", values.length);
    }

    /** Shuffle (with a buffer of 1000 rows, numpy_input_fn's queue_capacity) or keep order. */
    public Builder shuffle(boolean shuffle) {
      return shuffleBuffer(shuffle ? DEFAULT_QUEUE_CAPACITY : 0);
    }

    public ArrayInput build() {
      if (features.isEmpty()) {
        throw new IllegalArgumentException(
            "ArrayInput needs at least one feature: call feature(...)");
      }
      batching();
      return new ArrayInput(this);
    }

    private Builder add(String name, Column c) {
      if (features.containsKey(name)) {
        throw new IllegalArgumentException("Feature '" + name + "' was given twice");
      }
      features.put(name, c);
      return checkRows("feature '" + name + "'", c.rows());
    }

    private Column column(
        String name, Class<? extends TType> type, Shape rowShape, int n, Supplier<Tensor> t) {
      if (n == 0) {
        throw new IllegalArgumentException("Array for " + name + " is empty");
      }
      return new Column(name, type, rowShape, n, t);
    }

    private Builder checkRows(String what, int n) {
      if (rows >= 0 && rows != n) {
        throw new IllegalArgumentException(
            "All arrays must have the same number of rows: "
                + what
                + " has "
                + n
                + ", others "
                + rows
                + ". Fix: pass arrays of equal length.");
      }
      rows = n;
      return this;
    }

    private static long width(String name, float[][] values) {
      if (values.length == 0) {
        throw new IllegalArgumentException("Array for " + name + " is empty");
      }
      int w = values[0].length;
      for (int i = 1; i < values.length; i++) {
        if (values[i].length != w) {
          throw new IllegalArgumentException(
              "Array for "
                  + name
                  + " is ragged: row 0 has "
                  + w
                  + " values, row "
                  + i
                  + " has "
                  + values[i].length
                  + ". Fix: pad rows to the same length.");
        }
      }
      return w;
    }
  }
}
