package io.estimator4j.estimator.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;

/**
 * Inverted dropout: in training, zeroes each value with probability {@code rate} and scales the
 * rest by 1 / (1 - rate); identity otherwise. Java counterpart of tf.keras.layers.Dropout.
 */
public final class Dropout {
  private final float rate;
  private final Long seed;

  private Dropout(float rate, Long seed) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
    }
    this.rate = rate;
    this.seed = seed;
  }

  /** Dropout with this drop rate (tf.estimator's {@code dropout} argument). */
  public static Dropout of(double rate, Long seed) {
    return new Dropout((float) rate, seed);
  }

  public float rate() {
    return rate;
  }

  /** Applies dropout when {@code training}; returns {@code x} unchanged otherwise. */
  public Operand<TFloat32> apply(Ops scope, Operand<TFloat32> x, boolean training) {
    if (!training || rate == 0f) {
      return x;
    }
    Ops tf = scope.withSubScope("dropout");
    RandomUniform.Options[] opts = seed == null ? new RandomUniform.Options[0]
        : new RandomUniform.Options[] {RandomUniform.seed(seed), RandomUniform.seed2(seed)};
    Operand<TFloat32> u = tf.random.randomUniform(tf.shape(x), TFloat32.class, opts);
    Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(u, tf.constant(rate)), TFloat32.class);
    return tf.math.mul(x, tf.math.mul(keep, tf.constant(1f / (1f - rate))));
  }
}
