package io.estimator4j.estimator.layers;

import io.estimator4j.graph.Initializer;
import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The activation layers that carry settings or weights; Java counterparts of tf.keras.layers.ReLU,
 * LeakyReLU, PReLU, ELU, ThresholdedReLU and Softmax (the plain {@code Activation} layer is {@link
 * Activation}). Each method computes exactly what the Keras layer's {@code call} computes.
 */
public final class ActivationLayers {
  private ActivationLayers() {}

  /**
   * {@code ReLU(max_value, negative_slope, threshold)}: x above the threshold (capped at {@code
   * maxValue}), {@code negativeSlope * (x - threshold)} below, as tf.keras.backend.relu computes
   * it.
   *
   * @param maxValue the cap, or null for none
   */
  public static Operand<TFloat32> relu(
      Ops tf, Operand<TFloat32> x, Float maxValue, float negativeSlope, float threshold) {
    if (negativeSlope != 0f && maxValue == null && threshold == 0f) {
      return tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(negativeSlope));
    }
    Operand<TFloat32> negativePart = null;
    if (negativeSlope != 0f) {
      negativePart =
          threshold != 0f
              ? tf.nn.relu(tf.math.add(tf.math.neg(x), tf.constant(threshold)))
              : tf.nn.relu(tf.math.neg(x));
    }
    boolean clipMax = maxValue != null;
    Operand<TFloat32> y;
    if (threshold != 0f) {
      // x for x > threshold, else 0
      y =
          tf.math.mul(
              x, tf.dtypes.cast(tf.math.greater(x, tf.constant(threshold)), TFloat32.class));
    } else if (maxValue != null && maxValue == 6f) {
      y = tf.nn.relu6(x);
      clipMax = false;
    } else {
      y = tf.nn.relu(x);
    }
    if (clipMax) {
      y = tf.clipByValue(y, tf.constant(0f), tf.constant(maxValue));
    }
    if (negativePart != null) {
      y = tf.math.sub(y, tf.math.mul(tf.constant(negativeSlope), negativePart));
    }
    return y;
  }

  /** {@code LeakyReLU(alpha)}: x above 0, alpha * x below. */
  public static Operand<TFloat32> leakyRelu(Ops tf, Operand<TFloat32> x, float alpha) {
    return tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(alpha));
  }

  /** {@code ELU(alpha)}: x above 0, alpha * (exp(x) - 1) below. */
  public static Operand<TFloat32> elu(Ops tf, Operand<TFloat32> x, float alpha) {
    Operand<TFloat32> elu = tf.nn.elu(x);
    if (alpha == 1f) {
      return elu;
    }
    return tf.select(
        tf.math.greater(x, tf.constant(0f)), elu, tf.math.mul(tf.constant(alpha), elu));
  }

  /** {@code ThresholdedReLU(theta)}: x where x > theta, else 0. */
  public static Operand<TFloat32> thresholdedRelu(Ops tf, Operand<TFloat32> x, float theta) {
    return tf.math.mul(x, tf.dtypes.cast(tf.math.greater(x, tf.constant(theta)), TFloat32.class));
  }

  /**
   * {@code Softmax(axis)}: softmax over one axis (TensorFlow's kernel for the last one, a transpose
   * around it for another) or, for several axes, exp(x - logsumexp(x, axes)).
   */
  public static Operand<TFloat32> softmax(Ops tf, Operand<TFloat32> x, int... axes) {
    int rank = Tensors.rank(x, "Softmax");
    int[] norm = Arrays.stream(axes).map(a -> Tensors.axis(a, rank)).sorted().distinct().toArray();
    if (norm.length == 1) {
      int a = norm[0];
      if (a == rank - 1) {
        return tf.nn.softmax(x);
      }
      int[] perm = new int[rank];
      for (int i = 0; i < rank; i++) {
        perm[i] = i;
      }
      perm[a] = rank - 1;
      perm[rank - 1] = a;
      return Tensors.transpose(tf, tf.nn.softmax(Tensors.transpose(tf, x, perm)), perm);
    }
    Operand<TFloat32> max =
        tf.reduceMax(x, tf.constant(norm), org.tensorflow.op.core.ReduceMax.keepDims(true));
    Operand<TFloat32> shifted = tf.math.sub(x, tf.stopGradient(max));
    Operand<TFloat32> lse =
        tf.math.log(
            tf.reduceSum(
                tf.math.exp(shifted),
                tf.constant(norm),
                org.tensorflow.op.core.ReduceSum.keepDims(true)));
    return tf.math.exp(tf.math.sub(shifted, lse));
  }

  /**
   * The shape of PReLU's {@code alpha} for an input shape: the input shape without the batch, with
   * 1 on each shared axis (1-based, as Keras counts them).
   */
  public static Shape preluAlphaShape(Shape inputShape, int... sharedAxes) {
    long[] dims = Arrays.copyOfRange(inputShape.asArray(), 1, inputShape.numDimensions());
    for (int a : sharedAxes) {
      dims[a - 1] = 1;
    }
    for (long d : dims) {
      if (d < 0) {
        throw new IllegalArgumentException(
            "PReLU needs every non-shared input dimension to be known; found input shape "
                + inputShape
                + ". Share the unknown axes (shared_axes) or fix the input shape.");
      }
    }
    return Shape.of(dims);
  }

  /** {@code PReLU}: relu(x) - alpha * relu(-x), with alpha broadcast over the batch. */
  public static Operand<TFloat32> prelu(Ops tf, Operand<TFloat32> x, Operand<TFloat32> alpha) {
    Operand<TFloat32> pos = tf.nn.relu(x);
    Operand<TFloat32> neg = tf.math.mul(tf.math.neg(alpha), tf.nn.relu(tf.math.neg(x)));
    return tf.math.add(pos, neg);
  }

  /** {@code PReLU} creating its weight {@code alpha} (initialised by {@code initializer}). */
  public static Operand<TFloat32> prelu(
      Ops scope, Operand<TFloat32> x, Weights weights, Initializer initializer, int... sharedAxes) {
    Shape alphaShape = preluAlphaShape(x.shape(), sharedAxes);
    return prelu(scope, x, weights.get(scope, "alpha", alphaShape, initializer, true));
  }
}
