package io.estimator4j.estimator.layers;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/** Shape and layout helpers shared by the layer builders of this package. */
final class Tensors {
  private Tensors() {}

  /** The rank of {@code x}; fails clearly when it is unknown. */
  static int rank(Operand<?> x, String layer) {
    Shape s = x.shape();
    if (s.isUnknown()) {
      throw new IllegalArgumentException(
          layer + " needs an input of known rank; found an unknown shape.");
    }
    return s.numDimensions();
  }

  /** Static dimension {@code axis} (negative counts from the end), -1 when unknown. */
  static long dim(Operand<?> x, int axis) {
    int r = x.shape().numDimensions();
    return x.shape().get(axis < 0 ? r + axis : axis);
  }

  /** Checks that dimensions {@code from..rank-1} are known and returns them. */
  static long[] knownDims(Operand<?> x, int from, String layer) {
    long[] all = x.shape().asArray();
    long[] out = new long[all.length - from];
    for (int i = from; i < all.length; i++) {
      if (all[i] < 0) {
        throw new IllegalArgumentException(
            layer
                + " needs the dimensions after the batch to be known; found input shape "
                + x.shape()
                + ". Give the model input a fixed shape.");
      }
      out[i - from] = all[i];
    }
    return out;
  }

  static List<Long> longs(long... values) {
    List<Long> out = new ArrayList<>(values.length);
    for (long v : values) {
      out.add(v);
    }
    return out;
  }

  static <T extends TType> Operand<T> transpose(Ops tf, Operand<T> x, int... perm) {
    return tf.linalg.transpose(x, tf.constant(perm));
  }

  /** {@code [batch, channels, s...]} to {@code [batch, s..., channels]}. */
  static <T extends TType> Operand<T> toChannelsLast(Ops tf, Operand<T> x) {
    int r = x.shape().numDimensions();
    int[] perm = new int[r];
    perm[0] = 0;
    for (int i = 1; i < r - 1; i++) {
      perm[i] = i + 1;
    }
    perm[r - 1] = 1;
    return transpose(tf, x, perm);
  }

  /** {@code [batch, s..., channels]} to {@code [batch, channels, s...]}. */
  static <T extends TType> Operand<T> toChannelsFirst(Ops tf, Operand<T> x) {
    int r = x.shape().numDimensions();
    int[] perm = new int[r];
    perm[0] = 0;
    perm[1] = r - 1;
    for (int i = 2; i < r; i++) {
      perm[i] = i - 1;
    }
    return transpose(tf, x, perm);
  }

  /**
   * Reshapes to {@code [batch] + dims}: with -1 for the batch when every other dimension is known
   * (keeping the static shape), else with the batch size read at run time.
   */
  static <T extends TType> Operand<T> reshapeKeepBatch(Ops tf, Operand<T> x, long... dims) {
    boolean known = true;
    for (long d : dims) {
      known &= d >= 0;
    }
    long[] target = new long[dims.length + 1];
    System.arraycopy(dims, 0, target, 1, dims.length);
    if (known) {
      target[0] = -1;
      return tf.reshape(x, tf.constant(target));
    }
    Operand<TInt32> batch =
        tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    int[] rest = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      rest[i] = (int) dims[i];
    }
    return tf.reshape(x, tf.concat(List.of(batch, tf.constant(rest)), tf.constant(0)));
  }

  /** Normalises a possibly negative axis against {@code rank}. */
  static int axis(int axis, int rank) {
    int a = axis < 0 ? axis + rank : axis;
    if (a < 0 || a >= rank) {
      throw new IllegalArgumentException(
          "Axis " + axis + " is out of range for rank " + rank + ".");
    }
    return a;
  }
}
