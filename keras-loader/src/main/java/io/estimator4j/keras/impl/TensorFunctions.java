package io.estimator4j.keras.impl;

import java.util.Arrays;
import java.util.Map;
import java.util.function.BiFunction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceMin;
import org.tensorflow.op.core.ReduceProd;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * The TensorFlow functions that both tf.keras 2's TFOpLambda and Keras 3's operations name, keyed
 * by one canonical name; {@link TfOpLambdaMappers} and {@link Keras3OpsMappers} map their own
 * spellings ({@code math.exp}, {@code Exp}) onto them.
 */
final class TensorFunctions {
  private TensorFunctions() {}

  /** Element-wise functions of one float tensor. */
  static final Map<String, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>>> UNARY =
      Map.ofEntries(
          Map.entry("negative", (tf, x) -> tf.math.neg(x)),
          Map.entry("exp", (tf, x) -> tf.math.exp(x)),
          Map.entry("log", (tf, x) -> tf.math.log(x)),
          Map.entry("sqrt", (tf, x) -> tf.math.sqrt(x)),
          Map.entry("rsqrt", (tf, x) -> tf.math.rsqrt(x)),
          Map.entry("square", (tf, x) -> tf.math.square(x)),
          Map.entry("abs", (tf, x) -> tf.math.abs(x)),
          Map.entry("reciprocal", (tf, x) -> tf.math.reciprocal(x)),
          Map.entry("sin", (tf, x) -> tf.math.sin(x)),
          Map.entry("cos", (tf, x) -> tf.math.cos(x)),
          Map.entry("erf", (tf, x) -> tf.math.erf(x)),
          Map.entry("sigmoid", (tf, x) -> tf.math.sigmoid(x)),
          Map.entry("tanh", (tf, x) -> tf.math.tanh(x)),
          Map.entry("relu", (tf, x) -> tf.nn.relu(x)),
          Map.entry("relu6", (tf, x) -> tf.nn.relu6(x)),
          Map.entry("elu", (tf, x) -> tf.nn.elu(x)),
          Map.entry("selu", (tf, x) -> tf.nn.selu(x)),
          Map.entry("softplus", (tf, x) -> tf.math.softplus(x)),
          Map.entry("silu", (tf, x) -> tf.math.mul(x, tf.math.sigmoid(x))));

  /** Element-wise functions of two float tensors (broadcasting). */
  static final Map<String, BinaryFunction> BINARY =
      Map.of(
          "add", (tf, x, y) -> tf.math.add(x, y),
          "subtract", (tf, x, y) -> tf.math.sub(x, y),
          "multiply", (tf, x, y) -> tf.math.mul(x, y),
          "divide", (tf, x, y) -> tf.math.div(x, y),
          "maximum", (tf, x, y) -> tf.math.maximum(x, y),
          "minimum", (tf, x, y) -> tf.math.minimum(x, y),
          "pow", (tf, x, y) -> tf.math.pow(x, y),
          "squared_difference", (tf, x, y) -> tf.math.squaredDifference(x, y));

  /** Reductions over {@code axes}, keeping them when {@code keepDims}. */
  static final Map<String, Reduction> REDUCTIONS =
      Map.of(
          "mean", (tf, x, a, k) -> tf.math.mean(x, a, Mean.keepDims(k)),
          "sum", (tf, x, a, k) -> tf.reduceSum(x, a, ReduceSum.keepDims(k)),
          "max", (tf, x, a, k) -> tf.reduceMax(x, a, ReduceMax.keepDims(k)),
          "min", (tf, x, a, k) -> tf.reduceMin(x, a, ReduceMin.keepDims(k)),
          "prod", (tf, x, a, k) -> tf.reduceProd(x, a, ReduceProd.keepDims(k)));

  @FunctionalInterface
  interface BinaryFunction {
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TFloat32> y);
  }

  @FunctionalInterface
  interface Reduction {
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TInt32> axes, boolean keepDims);
  }

  /** A reduction over {@code axes}, or over every axis when they are null (numpy's None). */
  static Operand<TFloat32> reduce(
      Ops tf, Reduction r, Operand<TFloat32> x, int[] axes, boolean keepDims) {
    int[] a = axes != null ? axes : range(x.shape().numDimensions());
    return r.apply(tf, x, tf.constant(a), keepDims);
  }

  /** numpy.transpose: {@code perm}, or the axes reversed when it is null. */
  static Operand<?> transpose(Ops tf, Operand<?> x, int[] perm) {
    int[] p = perm;
    if (p == null) {
      int r = x.shape().numDimensions();
      p = new int[r];
      for (int i = 0; i < r; i++) {
        p[i] = r - 1 - i;
      }
    }
    return tf.linalg.transpose(x, tf.constant(p));
  }

  /** numpy.squeeze: the given axes, or every axis of size 1 when they are null. */
  @SuppressWarnings("unchecked")
  static Operand<?> squeeze(Ops tf, Operand<?> x, int[] axes) {
    Operand<TType> t = (Operand<TType>) x;
    return axes == null
        ? tf.squeeze(t)
        : tf.squeeze(t, Squeeze.axis(Arrays.stream(axes).mapToObj(a -> (long) a).toList()));
  }

  /** {@code [0, 1, ..., n - 1]}. */
  static int[] range(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }
}
