package io.estimator4j.estimator.layers;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Inverted dropout: in training, zeroes each value with probability {@code rate} and scales the
 * rest by 1 / (1 - rate); identity otherwise. Java counterpart of tf.keras.layers.Dropout (and,
 * with a noise shape, of SpatialDropout1D/2D/3D).
 */
public final class Dropout {
  private final float rate;
  private final Long seed;
  private final long[] noiseShape;

  private Dropout(float rate, Long seed, long[] noiseShape) {
    if (!(rate >= 0 && rate < 1)) {
      throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
    }
    this.rate = rate;
    this.seed = seed;
    this.noiseShape = noiseShape;
  }

  /** Dropout with this drop rate (tf.estimator's {@code dropout} argument). */
  public static Dropout of(double rate, Long seed) {
    return new Dropout((float) rate, seed, null);
  }

  /**
   * This dropout with Keras's {@code noise_shape}: one keep/drop decision per entry of the noise
   * shape, broadcast over the input (a dimension of 1 shares the decision along that axis, -1 takes
   * the input's size, as Keras's {@code None}). SpatialDropout2D (channels last) is {@code [-1, 1,
   * 1, -1]}.
   *
   * @param noiseShape the noise shape, of the input's rank, or null for the input's own shape
   */
  public Dropout withNoiseShape(long[] noiseShape) {
    return new Dropout(rate, seed, noiseShape == null ? null : noiseShape.clone());
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
    Operand<TFloat32> u =
        tf.random.randomUniform(noiseShape(tf, x, noiseShape), TFloat32.class, seeds(seed));
    Operand<TFloat32> keep =
        tf.dtypes.cast(tf.math.greaterEqual(u, tf.constant(rate)), TFloat32.class);
    return tf.math.mul(x, tf.math.mul(keep, tf.constant(1f / (1f - rate))));
  }

  /** The seed options of a random op: none, or seed and seed2 both set to {@code seed}. */
  static RandomUniform.Options[] seeds(Long seed) {
    return seed == null
        ? new RandomUniform.Options[0]
        : new RandomUniform.Options[] {RandomUniform.seed(seed), RandomUniform.seed2(seed)};
  }

  /**
   * The shape of the random draw: the input's dynamic shape, or {@code noiseShape} with each -1
   * replaced by the input's size along that axis.
   */
  static Operand<TInt32> noiseShape(Ops tf, Operand<TFloat32> x, long[] noiseShape) {
    Operand<TInt32> dynamic = tf.shape(x);
    if (noiseShape == null) {
      return dynamic;
    }
    int rank = Tensors.rank(x, "Dropout");
    if (noiseShape.length != rank) {
      throw new IllegalArgumentException(
          "Dropout's noise shape "
              + Arrays.toString(noiseShape)
              + " must have the input's rank "
              + rank
              + " (input shape "
              + x.shape()
              + ").");
    }
    Operand<TInt32> fixed = tf.constant(Arrays.stream(noiseShape).mapToInt(d -> (int) d).toArray());
    boolean[] fromInput = new boolean[rank];
    for (int i = 0; i < rank; i++) {
      fromInput[i] = noiseShape[i] < 0;
    }
    return tf.select(tf.constant(fromInput), dynamic, fixed);
  }
}
