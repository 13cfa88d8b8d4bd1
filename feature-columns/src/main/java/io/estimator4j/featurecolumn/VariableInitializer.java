package io.estimator4j.featurecolumn;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.op.random.TruncatedNormal;
import org.tensorflow.types.TFloat32;

/**
 * Builds the initial value of a variable; Java counterpart of the tf.compat.v1 initializers that
 * feature columns use (zeros, truncated_normal, glorot_uniform).
 *
 * <p>{@code tf} is an init-scope {@code Ops} named {@code <variable>/Initializer}: build every op
 * of the initial value with it.
 */
@FunctionalInterface
public interface VariableInitializer {
  /** Python's DEFAULT_GRAPH_SEED, used with an op seed when no graph seed is set. */
  long DEFAULT_GRAPH_SEED = 87654321L;

  /** Returns the initial value, of shape {@code shape}. */
  Operand<TFloat32> create(Ops tf, Shape shape);

  /** All zeros (tf.zeros_initializer). */
  static VariableInitializer zeros() {
    return (tf, shape) -> tf.zeros(tf.constant(shape), TFloat32.class);
  }

  /** Every value {@code value} (tf.constant_initializer with a scalar). */
  static VariableInitializer constant(float value) {
    return (tf, shape) -> tf.fill(tf.constant(shape), tf.constant(value));
  }

  /**
   * Truncated normal values: {@code truncated_normal(shape) * stddev + mean} (tf.compat.v1
   * truncated_normal_initializer).
   *
   * @param seed op seed, or null for a random one; with a seed the op gets Python's seeds {@code
   *     (87654321, seed)}, so values match Python's with the same op seed and no graph seed
   */
  static VariableInitializer truncatedNormal(float mean, float stddev, Long seed) {
    return (tf, shape) -> {
      Operand<TFloat32> rnd = seed == null
          ? tf.random.truncatedNormal(tf.constant(shape), TFloat32.class)
          : tf.random.truncatedNormal(tf.constant(shape), TFloat32.class,
              TruncatedNormal.seed(DEFAULT_GRAPH_SEED), TruncatedNormal.seed2(seed));
      return tf.math.add(tf.math.mul(rnd, tf.constant(stddev)), tf.constant(mean));
    };
  }

  /**
   * Uniform values in {@code [-limit, limit)} with {@code limit = sqrt(6 / (fan_in + fan_out))}
   * (tf.compat.v1 glorot_uniform_initializer).
   *
   * @param seed op seed, or null for a random one (see {@link #truncatedNormal})
   */
  static VariableInitializer glorotUniform(Long seed) {
    return (tf, shape) -> {
      long[] dims = shape.asArray();
      double fanIn;
      double fanOut;
      if (dims.length == 0) {
        fanIn = 1;
        fanOut = 1;
      } else if (dims.length == 1) {
        fanIn = dims[0];
        fanOut = dims[0];
      } else {
        double receptiveField = 1;
        for (int i = 0; i < dims.length - 2; i++) {
          receptiveField *= dims[i];
        }
        fanIn = dims[dims.length - 2] * receptiveField;
        fanOut = dims[dims.length - 1] * receptiveField;
      }
      // VarianceScaling(scale=1, mode=fan_avg, distribution=uniform)
      float limit = (float) Math.sqrt(3.0 / Math.max(1.0, (fanIn + fanOut) / 2.0));
      Operand<TFloat32> rnd = seed == null
          ? tf.random.randomUniform(tf.constant(shape), TFloat32.class)
          : tf.random.randomUniform(tf.constant(shape), TFloat32.class,
              RandomUniform.seed(DEFAULT_GRAPH_SEED), RandomUniform.seed2(seed));
      return tf.math.add(tf.math.mul(rnd, tf.constant(2 * limit)), tf.constant(-limit));
    };
  }
}
