package io.estimator4j.estimator.layers;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;

/**
 * Layers that merge several tensors; Java counterparts of tf.keras.layers.Add, Subtract, Multiply,
 * Average, Maximum, Minimum, Concatenate and Dot. Element-wise merges broadcast, and an input of
 * lower rank gets unit axes after the batch first, as Keras's {@code _Merge} does.
 */
public final class Merging {
  private Merging() {}

  /** The element-wise merges. */
  public enum Op {
    ADD,
    SUBTRACT,
    MULTIPLY,
    AVERAGE,
    MAXIMUM,
    MINIMUM
  }

  /**
   * Merges {@code inputs} element-wise, left to right ({@code SUBTRACT} takes exactly two).
   *
   * @throws IllegalArgumentException for fewer than two inputs (one for all but SUBTRACT is allowed
   *     and returned unchanged)
   */
  public static Operand<TFloat32> elementWise(Ops tf, Op op, List<Operand<TFloat32>> inputs) {
    if (inputs.isEmpty() || (op == Op.SUBTRACT && inputs.size() != 2)) {
      throw new IllegalArgumentException(
          op
              + " merges "
              + (op == Op.SUBTRACT ? "exactly 2" : "1 or more")
              + " inputs; found "
              + inputs.size()
              + ".");
    }
    List<Operand<TFloat32>> xs = alignRanks(tf, inputs);
    Operand<TFloat32> out = xs.get(0);
    for (int i = 1; i < xs.size(); i++) {
      Operand<TFloat32> x = xs.get(i);
      out =
          switch (op) {
            case ADD, AVERAGE -> tf.math.add(out, x);
            case SUBTRACT -> tf.math.sub(out, x);
            case MULTIPLY -> tf.math.mul(out, x);
            case MAXIMUM -> tf.math.maximum(out, x);
            case MINIMUM -> tf.math.minimum(out, x);
          };
    }
    if (op == Op.AVERAGE) {
      out = tf.math.div(out, tf.constant((float) xs.size()));
    }
    return out;
  }

  /** {@code Concatenate(axis)}. */
  public static Operand<TFloat32> concatenate(Ops tf, List<Operand<TFloat32>> inputs, int axis) {
    if (inputs.size() == 1) {
      return inputs.get(0);
    }
    int rank = Tensors.rank(inputs.get(0), "Concatenate");
    return tf.concat(inputs, tf.constant(Tensors.axis(axis, rank)));
  }

  /**
   * {@code Dot(axes, normalize)}: Keras's batch_dot of two tensors over {@code axes[0]} of the
   * first and {@code axes[1]} of the second (l2-normalised along those axes first when {@code
   * normalize}).
   */
  public static Operand<TFloat32> dot(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> y, int[] axes, boolean normalize) {
    int xr = Tensors.rank(x, "Dot");
    int yr = Tensors.rank(y, "Dot");
    if (xr < 2 || yr < 2) {
      throw new IllegalArgumentException(
          "Dot needs inputs of rank 2 or more; found " + x.shape() + " and " + y.shape() + ".");
    }
    int ax = Tensors.axis(axes[0], xr);
    int ay = Tensors.axis(axes[1], yr);
    Operand<TFloat32> a = normalize ? l2Normalize(tf, x, ax) : x;
    Operand<TFloat32> b = normalize ? l2Normalize(tf, y, ay) : y;
    return batchDot(tf, a, b, ax, ay);
  }

  /** x / sqrt(max(sum(x^2, axis), 1e-12)), as tf.math.l2_normalize. */
  static Operand<TFloat32> l2Normalize(Ops tf, Operand<TFloat32> x, int axis) {
    Operand<TFloat32> sq =
        tf.reduceSum(tf.math.square(x), tf.constant(axis), ReduceSum.keepDims(true));
    return tf.math.mul(x, tf.math.rsqrt(tf.math.maximum(sq, tf.constant(1e-12f))));
  }

  /**
   * Keras's batch_dot: moves the reduced axis of {@code x} last and that of {@code y} second,
   * flattens the other axes, multiplies batch by batch and restores them; a result of rank 1 gets a
   * unit axis.
   */
  static Operand<TFloat32> batchDot(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> y, int ax, int ay) {
    int xr = x.shape().numDimensions();
    int yr = y.shape().numDimensions();
    long[] xs = Tensors.knownDims(x, 1, "Dot");
    long[] ys = Tensors.knownDims(y, 1, "Dot");
    if (xs[ax - 1] != ys[ay - 1]) {
      throw new IllegalArgumentException(
          "Dot axes of different sizes: "
              + x.shape()
              + " axis "
              + ax
              + " and "
              + y.shape()
              + " axis "
              + ay
              + ".");
    }
    long d = xs[ax - 1];
    int[] px = new int[xr];
    List<Long> xOther = new ArrayList<>();
    int j = 0;
    px[j++] = 0;
    for (int i = 1; i < xr; i++) {
      if (i != ax) {
        px[j++] = i;
        xOther.add(xs[i - 1]);
      }
    }
    px[j] = ax;
    int[] py = new int[yr];
    List<Long> yOther = new ArrayList<>();
    py[0] = 0;
    py[1] = ay;
    j = 2;
    for (int i = 1; i < yr; i++) {
      if (i != ay) {
        py[j++] = i;
        yOther.add(ys[i - 1]);
      }
    }
    long xm = xOther.stream().reduce(1L, (p, q) -> p * q);
    long ym = yOther.stream().reduce(1L, (p, q) -> p * q);
    Operand<TFloat32> x3 =
        tf.reshape(Tensors.transpose(tf, x, px), tf.constant(new long[] {-1, xm, d}));
    Operand<TFloat32> y3 =
        tf.reshape(Tensors.transpose(tf, y, py), tf.constant(new long[] {-1, d, ym}));
    Operand<TFloat32> product =
        tf.train.batchMatMul(x3, y3, TFloat32.class, new BatchMatMul.Options[0]);
    List<Long> outDims = new ArrayList<>(xOther);
    outDims.addAll(yOther);
    if (outDims.isEmpty()) {
      outDims.add(1L);
    }
    long[] out = outDims.stream().mapToLong(Long::longValue).toArray();
    return Tensors.reshapeKeepBatch(tf, product, out);
  }

  private static List<Operand<TFloat32>> alignRanks(Ops tf, List<Operand<TFloat32>> inputs) {
    int max = 0;
    for (Operand<TFloat32> x : inputs) {
      max = Math.max(max, Tensors.rank(x, "Merge"));
    }
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (Operand<TFloat32> x : inputs) {
      Operand<TFloat32> e = x;
      for (int r = x.shape().numDimensions(); r < max; r++) {
        e = tf.expandDims(e, tf.constant(1));
      }
      out.add(e);
    }
    return out;
  }
}
