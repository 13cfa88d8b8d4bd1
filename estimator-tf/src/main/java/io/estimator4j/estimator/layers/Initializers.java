package io.estimator4j.estimator.layers;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.types.TFloat32;

/**
 * Ready-made {@link Initializer}s; Java counterparts of tf.keras.initializers {@code Zeros}, {@code
 * Ones}, {@code Constant}, {@code GlorotUniform} and {@code GlorotNormal}.
 *
 * <p>Seeded random initializers use TensorFlow's op seeds the way Python graph mode does when no
 * graph seed is set: {@code seed = 87654321} (Python's DEFAULT_GRAPH_SEED), {@code seed2 = seed};
 * unseeded ones use {@code seed = seed2 = 0} (fresh values per run).
 */
public final class Initializers {
  /** Python's {@code random_seed.DEFAULT_GRAPH_SEED}, used when only an op seed is given. */
  public static final long DEFAULT_GRAPH_SEED = 87654321L;

  /** Truncated normal's stddev correction: stddev of a unit normal truncated at two stddevs. */
  private static final double TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

  private Initializers() {}

  /** {@code zeros}: every value 0 (default bias initializer). */
  public static Initializer zeros() {
    return constant(0f);
  }

  /** {@code ones}: every value 1. */
  public static Initializer ones() {
    return constant(1f);
  }

  /** {@code Constant(value)}: every value {@code value}, built with Fill so the graph stays small. */
  public static Initializer constant(float value) {
    return (tf, shape) -> tf.fill(tf.constant(checkDefined(shape).asArray()), tf.constant(value));
  }

  /**
   * Exactly {@code values}, in row-major order (the last dimension varies fastest); for known
   * weights, e.g. loaded from Keras or written in a test.
   *
   * @throws IllegalArgumentException at graph building if the count differs from the shape's size
   */
  public static Initializer values(float... values) {
    float[] copy = values.clone();
    return (tf, shape) -> {
      if (checkDefined(shape).size() != copy.length) {
        throw new IllegalArgumentException(
            "Initializer has "
                + copy.length
                + " values but the variable shape "
                + shape
                + " holds "
                + shape.size()
                + ".");
      }
      return tf.constant(shape, DataBuffers.of(copy));
    };
  }

  /**
   * {@code glorot_uniform}, unseeded: uniform in [-limit, limit] with limit = sqrt(6 / (fan_in +
   * fan_out)) (the default kernel initializer of Dense).
   */
  public static Initializer glorotUniform() {
    return glorotUniform(null);
  }

  /** {@code glorot_uniform} with an op seed (reproducible values; null for none). */
  public static Initializer glorotUniform(Long seed) {
    return (tf, shape) -> {
      double limit = Math.sqrt(6.0 / fanSum(shape));
      Ops u = tf.withSubScope("random_uniform");
      Operand<TFloat32> unit =
          u.random.randomUniform(
              u.constant(shape.asArray()),
              TFloat32.class,
              RandomUniform.seed(graphSeed(seed)),
              RandomUniform.seed2(opSeed(seed)));
      // Python: unit * (max - min) + min
      return u.math.add(
          u.math.mul(unit, u.constant((float) (2 * limit))), u.constant((float) -limit));
    };
  }

  /**
   * {@code glorot_normal} with an op seed (null for none): truncated normal with stddev sqrt(2 /
   * (fan_in + fan_out)) / 0.8796...
   */
  public static Initializer glorotNormal(Long seed) {
    return (tf, shape) -> {
      double stddev = Math.sqrt(2.0 / fanSum(shape)) / TRUNCATED_NORMAL_STDDEV;
      Ops t = tf.withSubScope("truncated_normal");
      Operand<TFloat32> unit =
          t.random.truncatedNormal(
              t.constant(shape.asArray()),
              TFloat32.class,
              TruncatedNormal.seed(graphSeed(seed)),
              TruncatedNormal.seed2(opSeed(seed)));
      return t.math.mul(unit, t.constant((float) stddev));
    };
  }

  /** fan_in + fan_out as Keras computes them (receptive field times the last two dimensions). */
  static double fanSum(Shape shape) {
    long[] dims = checkDefined(shape).asArray();
    if (dims.length == 0) {
      return 2.0;
    }
    if (dims.length == 1) {
      return 2.0 * dims[0];
    }
    long receptiveField = Arrays.stream(dims, 0, dims.length - 2).reduce(1L, (a, b) -> a * b);
    return (double) receptiveField * (dims[dims.length - 2] + dims[dims.length - 1]);
  }

  private static long graphSeed(Long seed) {
    return seed == null ? 0L : DEFAULT_GRAPH_SEED;
  }

  private static long opSeed(Long seed) {
    return seed == null ? 0L : seed;
  }

  private static Shape checkDefined(Shape shape) {
    if (shape.isUnknown() || shape.hasUnknownDimension()) {
      throw new IllegalArgumentException(
          "Initializers need a fully defined shape; found " + shape + ".");
    }
    return shape;
  }
}
