package io.estimator4j.estimator.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomStandardNormal;
import org.tensorflow.types.TFloat32;

/**
 * The noise layers that act only in training and are the identity otherwise; Java counterparts of
 * tf.keras.layers.GaussianDropout, GaussianNoise and AlphaDropout.
 */
public final class Noise {
  /** SELU's alpha, as Keras's AlphaDropout uses it. */
  static final double SELU_ALPHA = 1.6732632423543772848170429916717;

  /** SELU's scale, as Keras's AlphaDropout uses it. */
  static final double SELU_SCALE = 1.0507009873554804934193349852946;

  private Noise() {}

  /**
   * GaussianDropout: in training, {@code x * n} with {@code n ~ N(1, sqrt(rate / (1 - rate)))}
   * drawn per value; identity otherwise or unless {@code 0 < rate < 1}.
   */
  public static Operand<TFloat32> gaussianDropout(
      Ops scope, Operand<TFloat32> x, double rate, Long seed, boolean training) {
    if (!training || !(rate > 0 && rate < 1)) {
      return x;
    }
    Ops tf = scope.withSubScope("gaussian_dropout");
    float stddev = (float) Math.sqrt(rate / (1.0 - rate));
    Operand<TFloat32> n =
        tf.math.add(tf.math.mul(normal(tf, x, seed), tf.constant(stddev)), tf.constant(1f));
    return tf.math.mul(x, n);
  }

  /** GaussianNoise: in training, {@code x + n} with {@code n ~ N(0, stddev)}; else identity. */
  public static Operand<TFloat32> gaussianNoise(
      Ops scope, Operand<TFloat32> x, double stddev, Long seed, boolean training) {
    if (!training) {
      return x;
    }
    Ops tf = scope.withSubScope("gaussian_noise");
    return tf.math.add(x, tf.math.mul(normal(tf, x, seed), tf.constant((float) stddev)));
  }

  /**
   * AlphaDropout: in training, each value (or each entry of {@code noiseShape}, as in {@link
   * Dropout#withNoiseShape}) is kept with probability {@code 1 - rate} or set to SELU's negative
   * saturation {@code -alpha * scale}, then {@code a * x + b} restores mean and variance, with
   * {@code a = ((1 - rate) * (1 + rate * alpha_p^2))^-0.5} and {@code b = -a * alpha_p * rate};
   * identity otherwise or unless {@code 0 < rate < 1}.
   */
  public static Operand<TFloat32> alphaDropout(
      Ops scope, Operand<TFloat32> x, double rate, long[] noiseShape, Long seed, boolean training) {
    if (!training || !(rate > 0 && rate < 1)) {
      return x;
    }
    Ops tf = scope.withSubScope("alpha_dropout");
    double alphaP = -SELU_ALPHA * SELU_SCALE;
    double a = Math.pow((1 - rate) * (1 + rate * alphaP * alphaP), -0.5);
    double b = -a * alphaP * rate;
    Operand<TFloat32> u =
        tf.random.randomUniform(
            Dropout.noiseShape(tf, x, noiseShape), TFloat32.class, Dropout.seeds(seed));
    Operand<TFloat32> kept =
        tf.dtypes.cast(tf.math.greaterEqual(u, tf.constant((float) rate)), TFloat32.class);
    Operand<TFloat32> dropped = tf.math.sub(tf.constant(1f), kept);
    Operand<TFloat32> y =
        tf.math.add(tf.math.mul(x, kept), tf.math.mul(dropped, tf.constant((float) alphaP)));
    return tf.math.add(tf.math.mul(y, tf.constant((float) a)), tf.constant((float) b));
  }

  private static Operand<TFloat32> normal(Ops tf, Operand<TFloat32> x, Long seed) {
    RandomStandardNormal.Options[] opts =
        seed == null
            ? new RandomStandardNormal.Options[0]
            : new RandomStandardNormal.Options[] {
              RandomStandardNormal.seed(seed), RandomStandardNormal.seed2(seed)
            };
    return tf.random.randomStandardNormal(tf.shape(x), TFloat32.class, opts);
  }
}
