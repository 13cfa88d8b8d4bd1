package io.estimator4j.graph;

import java.util.Arrays;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Add;
import org.tensorflow.op.random.RandomStandardNormal;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Ready-made {@link Initializer}s, the one family that layers, feature columns and the Keras loader
 * share; Java counterparts of tf.keras.initializers ({@code Zeros}, {@code Ones}, {@code Constant},
 * {@code GlorotUniform}, {@code GlorotNormal}, {@code VarianceScaling}, ...) and of the
 * tf.compat.v1 initializers feature columns use ({@code zeros_initializer}, {@code
 * truncated_normal_initializer}).
 *
 * <p>A seed makes the random initializers reproducible: the op gets {@code seed = 87654321}
 * (Python's DEFAULT_GRAPH_SEED) and {@code seed2 = seed}, the pair tf.compat.v1 graph mode derives
 * when only an op seed is set. Without a seed both are 0 and every initialisation differs. Op names
 * follow Python's ({@code random_uniform/RandomUniform}, ...).
 */
public final class Initializers {
  /** Python's {@code random_seed.DEFAULT_GRAPH_SEED}, used when only an op seed is given. */
  public static final long DEFAULT_GRAPH_SEED = 87654321L;

  /** Truncated normal's stddev correction: stddev of a unit normal truncated at two stddevs. */
  private static final double TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

  private Initializers() {}

  /** {@code zeros}: every value 0 (default bias initializer; tf.zeros_initializer). */
  public static Initializer zeros() {
    return constant(0f);
  }

  /** {@code ones}: every value 1. */
  public static Initializer ones() {
    return constant(1f);
  }

  /**
   * {@code Constant(value)}: every value {@code value}, built with Fill so the graph stays small.
   */
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
      float limit = (float) Math.sqrt(6.0 / fanSum(shape));
      // Python's names: random_uniform/{shape,min,max,RandomUniform,sub,mul}, then random_uniform
      Ops u = tf.withSubScope("random_uniform");
      Operand<TInt64> dims = u.withName("shape").constant(shape.asArray());
      Operand<TFloat32> min = u.withName("min").constant(-limit);
      Operand<TFloat32> max = u.withName("max").constant(limit);
      Operand<TFloat32> unit = draw(Unit.UNIFORM, u, dims, seed);
      Operand<TFloat32> scaled =
          u.withName("mul").math.mul(unit, u.withName("sub").math.sub(max, min));
      return Add.create(GraphNames.exact(tf.scope(), parentOf(dims)), scaled, min);
    };
  }

  /**
   * {@code glorot_normal} with an op seed (null for none): truncated normal with stddev sqrt(2 /
   * (fan_in + fan_out)) / 0.8796...
   */
  public static Initializer glorotNormal(Long seed) {
    return (tf, shape) -> {
      float stddev = (float) (Math.sqrt(2.0 / fanSum(shape)) / TRUNCATED_NORMAL_STDDEV);
      // Python's names: truncated_normal/{shape,mean,stddev,TruncatedNormal,mul}, then
      // truncated_normal
      Ops t = tf.withSubScope("truncated_normal");
      Operand<TInt64> dims = t.withName("shape").constant(shape.asArray());
      Operand<TFloat32> mean = t.withName("mean").constant(0f);
      Operand<TFloat32> scale = t.withName("stddev").constant(stddev);
      Operand<TFloat32> unit = draw(Unit.TRUNCATED_NORMAL, t, dims, seed);
      Operand<TFloat32> scaled = t.withName("mul").math.mul(unit, scale);
      return Add.create(GraphNames.exact(tf.scope(), parentOf(dims)), scaled, mean);
    };
  }

  /** {@code RandomUniform(minval, maxval, seed)}: uniform in [min, max). */
  public static Initializer randomUniform(float min, float max, Long seed) {
    return unitTimesPlus(Unit.UNIFORM, max - min, min, seed);
  }

  /** {@code RandomNormal(mean, stddev, seed)}. */
  public static Initializer randomNormal(float mean, float stddev, Long seed) {
    return unitTimesPlus(Unit.NORMAL, stddev, mean, seed);
  }

  /**
   * {@code TruncatedNormal(mean, stddev, seed)}: normal values redrawn beyond two stddevs, as
   * {@code truncated_normal(shape) * stddev + mean} (also tf.compat.v1's
   * truncated_normal_initializer, the default of embedding columns).
   */
  public static Initializer truncatedNormal(float mean, float stddev, Long seed) {
    return unitTimesPlus(Unit.TRUNCATED_NORMAL, stddev, mean, seed);
  }

  /** The unit distributions of the random ops: [0, 1), N(0, 1), N(0, 1) cut at two stddevs. */
  private enum Unit {
    UNIFORM,
    NORMAL,
    TRUNCATED_NORMAL
  }

  /** {@code unit * scale + shift}, the unit values drawn with the seed pair of {@code seed}. */
  private static Initializer unitTimesPlus(Unit unit, float scale, float shift, Long seed) {
    return (tf, shape) -> {
      Operand<TFloat32> u = draw(unit, tf, tf.constant(checkDefined(shape).asArray()), seed);
      return tf.math.add(tf.math.mul(u, tf.constant(scale)), tf.constant(shift));
    };
  }

  /**
   * Unit values of shape {@code dims}; with an op seed the op gets Python's pair {@code
   * (DEFAULT_GRAPH_SEED, seed)}, without one {@code (0, 0)}.
   */
  private static Operand<TFloat32> draw(Unit unit, Ops tf, Operand<TInt64> dims, Long seed) {
    long seed1 = graphSeed(seed);
    long seed2 = opSeed(seed);
    return switch (unit) {
      case UNIFORM ->
          tf.random.randomUniform(
              dims, TFloat32.class, RandomUniform.seed(seed1), RandomUniform.seed2(seed2));
      case NORMAL ->
          tf.random.randomStandardNormal(
              dims,
              TFloat32.class,
              RandomStandardNormal.seed(seed1),
              RandomStandardNormal.seed2(seed2));
      case TRUNCATED_NORMAL ->
          tf.random.truncatedNormal(
              dims, TFloat32.class, TruncatedNormal.seed(seed1), TruncatedNormal.seed2(seed2));
    };
  }

  /**
   * {@code VarianceScaling(scale, mode, distribution, seed)}, which also gives he_*, lecun_* and
   * glorot_*: scale / n with n = fan_in, fan_out or their mean ({@code mode}), then a truncated
   * normal ({@code truncated_normal}, or Keras 2.0's {@code normal}), a normal ({@code
   * untruncated_normal}) or a uniform ({@code uniform}) of that variance.
   */
  public static Initializer varianceScaling(
      double scale, String mode, String distribution, Long seed) {
    return (tf, shape) -> {
      double[] fans = fans(shape);
      double n =
          switch (mode) {
            case "fan_in" -> fans[0];
            case "fan_out" -> fans[1];
            case "fan_avg" -> (fans[0] + fans[1]) / 2.0;
            default ->
                throw new IllegalArgumentException(
                    "Unknown VarianceScaling mode '"
                        + mode
                        + "'. Expected fan_in, fan_out or fan_avg.");
          };
      double s = scale / Math.max(1.0, n);
      return switch (distribution) {
        case "truncated_normal", "normal" ->
            truncatedNormal(0f, (float) (Math.sqrt(s) / TRUNCATED_NORMAL_STDDEV), seed)
                .create(tf, shape);
        case "untruncated_normal" -> randomNormal(0f, (float) Math.sqrt(s), seed).create(tf, shape);
        case "uniform" -> {
          float limit = (float) Math.sqrt(3.0 * s);
          yield randomUniform(-limit, limit, seed).create(tf, shape);
        }
        default ->
            throw new IllegalArgumentException(
                "Unknown VarianceScaling distribution '"
                    + distribution
                    + "'. Expected truncated_normal, untruncated_normal or uniform.");
      };
    };
  }

  /**
   * {@code Orthogonal(gain, seed)}: the Q of a QR decomposition of a normal matrix (signs fixed by
   * R's diagonal), reshaped to the variable's shape, times gain.
   */
  public static Initializer orthogonal(float gain, Long seed) {
    return (tf, shape) -> {
      long[] dims = checkDefined(shape).asArray();
      if (dims.length < 2) {
        throw new IllegalArgumentException(
            "The Orthogonal initializer needs a shape of rank 2 or more; found " + shape + ".");
      }
      long cols = dims[dims.length - 1];
      long rows = shape.size() / cols;
      Shape flat = Shape.of(Math.max(rows, cols), Math.min(rows, cols));
      Operand<TFloat32> a = randomNormal(0f, 1f, seed).create(tf, flat);
      org.tensorflow.op.linalg.Qr<TFloat32> qr =
          tf.linalg.qr(a, org.tensorflow.op.linalg.Qr.fullMatrices(false));
      Operand<TFloat32> d = tf.linalg.matrixDiagPart(qr.r(), tf.constant(0), tf.constant(0f));
      Operand<TFloat32> q = tf.math.mul(qr.q(), tf.math.sign(d));
      if (rows < cols) {
        q = tf.linalg.transpose(q, tf.constant(new int[] {1, 0}));
      }
      return tf.math.mul(tf.reshape(q, tf.constant(dims)), tf.constant(gain));
    };
  }

  /** {@code Identity(gain)}: gain times the identity matrix (rank 2 only). */
  public static Initializer identity(float gain) {
    return (tf, shape) -> {
      long[] dims = checkDefined(shape).asArray();
      if (dims.length != 2) {
        throw new IllegalArgumentException(
            "The Identity initializer needs a shape of rank 2; found " + shape + ".");
      }
      float[] values = new float[(int) (dims[0] * dims[1])];
      for (int i = 0; i < Math.min(dims[0], dims[1]); i++) {
        values[(int) (i * dims[1] + i)] = gain;
      }
      return tf.constant(shape, DataBuffers.of(values));
    };
  }

  /** fan_in and fan_out as Keras computes them. */
  static double[] fans(Shape shape) {
    long[] dims = checkDefined(shape).asArray();
    if (dims.length == 0) {
      return new double[] {1, 1};
    }
    if (dims.length == 1) {
      return new double[] {dims[0], dims[0]};
    }
    long receptiveField = Arrays.stream(dims, 0, dims.length - 2).reduce(1L, (a, b) -> a * b);
    return new double[] {
      (double) receptiveField * dims[dims.length - 2],
      (double) receptiveField * dims[dims.length - 1]
    };
  }

  /** {@code a/b/shape} -> {@code a/b}: the full name of the sub-scope an op was created in. */
  private static String parentOf(Operand<?> op) {
    String name = op.op().name();
    return name.substring(0, name.lastIndexOf('/'));
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
