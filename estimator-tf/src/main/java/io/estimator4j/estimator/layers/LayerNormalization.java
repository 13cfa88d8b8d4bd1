package io.estimator4j.estimator.layers;

import io.estimator4j.graph.Initializer;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Normalises each example over the given axes, then scales by {@code gamma} and shifts by {@code
 * beta} (shaped like those axes); Java counterpart of tf.keras.layers.LayerNormalization, computed
 * as tf.nn.moments followed by tf.nn.batch_normalization.
 */
public final class LayerNormalization {
  private LayerNormalization() {}

  /**
   * Builds the layer, asking {@code weights} for gamma (if {@code scale}) then beta (if {@code
   * center}).
   *
   * @param axes the normalised axes (negative counts from the end); their sizes must be known
   */
  public static Operand<TFloat32> apply(
      Ops scope,
      Operand<TFloat32> x,
      int[] axes,
      float epsilon,
      boolean center,
      boolean scale,
      Weights weights,
      Initializer gammaInit,
      Initializer betaInit) {
    Ops tf = scope;
    int rank = Tensors.rank(x, "LayerNormalization");
    int[] a = Arrays.stream(axes).map(v -> Tensors.axis(v, rank)).sorted().toArray();
    long[] paramShape = new long[a.length];
    long[] broadcast = new long[rank];
    Arrays.fill(broadcast, 1);
    for (int i = 0; i < a.length; i++) {
      paramShape[i] = x.shape().get(a[i]);
      if (paramShape[i] < 0) {
        throw new IllegalArgumentException(
            "LayerNormalization needs the normalised axes to be known; found shape "
                + x.shape()
                + ".");
      }
      broadcast[a[i]] = paramShape[i];
    }
    Operand<TFloat32> gamma =
        scale ? weights.get(scope, "gamma", Shape.of(paramShape), gammaInit, true) : null;
    Operand<TFloat32> beta =
        center ? weights.get(scope, "beta", Shape.of(paramShape), betaInit, true) : null;
    Operand<TFloat32> mean = tf.math.mean(x, tf.constant(a), Mean.keepDims(true));
    Operand<TFloat32> variance =
        tf.math.mean(
            tf.math.squaredDifference(x, tf.stopGradient(mean)),
            tf.constant(a),
            Mean.keepDims(true));
    Operand<TFloat32> inv = tf.math.rsqrt(tf.math.add(variance, tf.constant(epsilon)));
    if (gamma != null) {
      inv = tf.math.mul(inv, tf.reshape(gamma, tf.constant(broadcast)));
    }
    Operand<TFloat32> shift = tf.math.mul(mean, inv);
    shift =
        beta != null
            ? tf.math.sub(tf.reshape(beta, tf.constant(broadcast)), shift)
            : tf.math.neg(shift);
    return tf.math.add(tf.math.mul(x, inv), shift);
  }
}
