package io.estimator4j.estimator.layers;

import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * An element-wise activation built as graph ops; Java counterpart of tf.keras.activations (the
 * {@code activation} argument of tf.keras.layers.Dense and tf.compat.v1.layers.dense).
 *
 * <p>All the constants below train: TensorFlow's C++ gradient registry (the only one
 * tensorflow-java uses) has gradients for Relu, Relu6, Elu, Selu, LeakyRelu, Sigmoid, Tanh,
 * Softmax, LogSoftmax, Softplus, Softsign, Exp and Erf. Ops are named as Python names them ({@code
 * Relu}, {@code Sigmoid}, ...) in the caller's scope.
 */
@FunctionalInterface
public interface Activation {
  /** {@code linear}: the input itself, no op. */
  Activation LINEAR = new NamedActivation("linear", (tf, x) -> x);

  /** {@code relu}: max(x, 0). */
  Activation RELU = new NamedActivation("relu", (tf, x) -> tf.nn.relu(x));

  /** {@code relu6}: min(max(x, 0), 6). */
  Activation RELU6 = new NamedActivation("relu6", (tf, x) -> tf.nn.relu6(x));

  /** {@code elu} with alpha 1. */
  Activation ELU = new NamedActivation("elu", (tf, x) -> tf.nn.elu(x));

  /** {@code selu}: scaled elu with the fixed constants of Klambauer et al. */
  Activation SELU = new NamedActivation("selu", (tf, x) -> tf.nn.selu(x));

  /** {@code sigmoid}: 1 / (1 + exp(-x)). */
  Activation SIGMOID = new NamedActivation("sigmoid", (tf, x) -> tf.math.sigmoid(x));

  /** {@code tanh}. */
  Activation TANH = new NamedActivation("tanh", (tf, x) -> tf.math.tanh(x));

  /** {@code softmax} over the last axis. */
  Activation SOFTMAX = new NamedActivation("softmax", (tf, x) -> tf.nn.softmax(x));

  /** {@code log_softmax} over the last axis. */
  Activation LOG_SOFTMAX = new NamedActivation("log_softmax", (tf, x) -> tf.nn.logSoftmax(x));

  /** {@code softplus}: log(exp(x) + 1). */
  Activation SOFTPLUS = new NamedActivation("softplus", (tf, x) -> tf.math.softplus(x));

  /** {@code softsign}: x / (|x| + 1). */
  Activation SOFTSIGN = new NamedActivation("softsign", (tf, x) -> tf.nn.softsign(x));

  /** {@code exponential}: exp(x). */
  Activation EXPONENTIAL = new NamedActivation("exponential", (tf, x) -> tf.math.exp(x));

  /** {@code swish} (also {@code silu}): x * sigmoid(x). */
  Activation SWISH =
      new NamedActivation("swish", (tf, x) -> tf.withName("swish").math.mul(x, tf.math.sigmoid(x)));

  /** {@code gelu}, exact form (Keras' default): 0.5 * x * (1 + erf(x / sqrt(2))). */
  Activation GELU = new NamedActivation("gelu", Activation::gelu);

  /** {@code leaky_relu} with tf.nn.leaky_relu's default slope 0.2. */
  Activation LEAKY_RELU = leakyRelu(0.2f);

  /**
   * {@code hard_sigmoid} as Keras 2 and tf.keras define it: clip(0.2 * x + 0.5, 0, 1). (Keras 3
   * changed the slope: see {@link #HARD_SIGMOID_KERAS3}.)
   */
  Activation HARD_SIGMOID =
      new NamedActivation(
          "hard_sigmoid",
          (tf, x) -> {
            Operand<TFloat32> y = tf.math.add(tf.math.mul(x, tf.constant(0.2f)), tf.constant(0.5f));
            return tf.clipByValue(y, tf.constant(0f), tf.constant(1f));
          });

  /** {@code hard_sigmoid} as Keras 3 defines it: relu6(x + 3) / 6. */
  Activation HARD_SIGMOID_KERAS3 = new NamedActivation("hard_sigmoid", Activation::hardSigmoid3);

  /** {@code hard_silu} (also {@code hard_swish}, Keras 3): x * relu6(x + 3) / 6. */
  Activation HARD_SILU =
      new NamedActivation("hard_silu", (tf, x) -> tf.math.mul(x, hardSigmoid3(tf, x)));

  /** {@code mish}: x * tanh(softplus(x)). */
  Activation MISH =
      new NamedActivation("mish", (tf, x) -> tf.math.mul(x, tf.math.tanh(tf.math.softplus(x))));

  /** {@code log_sigmoid}: -softplus(-x). */
  Activation LOG_SIGMOID =
      new NamedActivation("log_sigmoid", (tf, x) -> tf.math.neg(tf.math.softplus(tf.math.neg(x))));

  /** {@code hard_tanh} (Keras 3): clip(x, -1, 1). */
  Activation HARD_TANH =
      new NamedActivation(
          "hard_tanh", (tf, x) -> tf.clipByValue(x, tf.constant(-1f), tf.constant(1f)));

  /** {@code tanh_shrink} (Keras 3): x - tanh(x). */
  Activation TANH_SHRINK =
      new NamedActivation("tanh_shrink", (tf, x) -> tf.math.sub(x, tf.math.tanh(x)));

  /** {@code celu} (Keras 3) with alpha 1: max(x, 0) + alpha * (exp(min(x, 0) / alpha) - 1). */
  Activation CELU =
      new NamedActivation(
          "celu",
          (tf, x) ->
              tf.math.add(tf.nn.relu(x), tf.math.expm1(tf.math.minimum(x, tf.constant(0f)))));

  /** {@code squareplus} (Keras 3) with b 4: (x + sqrt(x^2 + b)) / 2. */
  Activation SQUAREPLUS =
      new NamedActivation(
          "squareplus",
          (tf, x) ->
              tf.math.mul(
                  tf.math.add(x, tf.math.sqrt(tf.math.add(tf.math.square(x), tf.constant(4f)))),
                  tf.constant(0.5f)));

  /**
   * {@code soft_shrink} (Keras 3) with threshold 0.5: x - 0.5 above 0.5, x + 0.5 below -0.5, else
   * 0.
   */
  Activation SOFT_SHRINK =
      new NamedActivation(
          "soft_shrink",
          (tf, x) -> {
            Operand<TFloat32> t = tf.constant(0.5f);
            // sign(x) * max(|x| - t, 0)
            return tf.math.mul(tf.math.sign(x), tf.nn.relu(tf.math.sub(tf.math.abs(x), t)));
          });

  /** {@code hard_shrink} (Keras 3) with threshold 0.5: x where |x| > 0.5, else 0. */
  Activation HARD_SHRINK =
      new NamedActivation(
          "hard_shrink",
          (tf, x) ->
              tf.select(tf.math.greater(tf.math.abs(x), tf.constant(0.5f)), x, tf.zerosLike(x)));

  /** {@code sparse_plus} (Keras 3): 0 for x <= -1, (x + 1)^2 / 4 for -1 < x < 1, x for x >= 1. */
  Activation SPARSE_PLUS =
      new NamedActivation(
          "sparse_plus",
          (tf, x) -> {
            Operand<TFloat32> mid =
                tf.math.mul(tf.math.square(tf.math.add(x, tf.constant(1f))), tf.constant(0.25f));
            Operand<TFloat32> upper = tf.select(tf.math.greaterEqual(x, tf.constant(1f)), x, mid);
            return tf.select(tf.math.lessEqual(x, tf.constant(-1f)), tf.zerosLike(x), upper);
          });

  /** {@code sparse_sigmoid} (Keras 3): clip((x + 1) / 2, 0, 1). */
  Activation SPARSE_SIGMOID =
      new NamedActivation(
          "sparse_sigmoid",
          (tf, x) ->
              tf.clipByValue(
                  tf.math.mul(tf.math.add(x, tf.constant(1f)), tf.constant(0.5f)),
                  tf.constant(0f),
                  tf.constant(1f)));

  /**
   * Applies the activation to {@code x}.
   *
   * @param tf the scope the ops go in
   * @param x the pre-activation values
   * @return the activated values, same shape as {@code x}
   */
  Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x);

  /** {@code leaky_relu}: x if x > 0, else alpha * x. */
  static Activation leakyRelu(float alpha) {
    return new NamedActivation(
        "leaky_relu", (tf, x) -> tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(alpha)));
  }

  /**
   * Returns the activation Keras names {@code name} ({@code "relu"}, {@code "sigmoid"}, ...; {@code
   * null} or {@code "linear"} give {@link #LINEAR}). {@code hard_sigmoid} is the Keras 2 one.
   *
   * @throws IllegalArgumentException for an unknown name, listing the known ones
   */
  static Activation byName(String name) {
    if (name == null) {
      return LINEAR;
    }
    Map<String, Activation> known = new TreeMap<>();
    for (Activation a :
        new Activation[] {
          LINEAR,
          RELU,
          RELU6,
          ELU,
          SELU,
          SIGMOID,
          TANH,
          SOFTMAX,
          LOG_SOFTMAX,
          SOFTPLUS,
          SOFTSIGN,
          EXPONENTIAL,
          SWISH,
          GELU,
          LEAKY_RELU,
          HARD_SIGMOID,
          HARD_SILU,
          MISH,
          LOG_SIGMOID,
          HARD_TANH,
          TANH_SHRINK,
          CELU,
          SQUAREPLUS,
          SOFT_SHRINK,
          HARD_SHRINK,
          SPARSE_PLUS,
          SPARSE_SIGMOID
        }) {
      known.put(a.toString(), a);
    }
    known.put("silu", SWISH);
    known.put("hard_swish", HARD_SILU);
    Activation found = known.get(name);
    if (found == null) {
      throw new IllegalArgumentException(
          "Unknown activation '" + name + "'. Expected one of " + known.keySet() + ".");
    }
    return found;
  }

  private static Operand<TFloat32> hardSigmoid3(Ops tf, Operand<TFloat32> x) {
    return tf.math.div(tf.nn.relu6(tf.math.add(x, tf.constant(3f))), tf.constant(6f));
  }

  private static Operand<TFloat32> gelu(Ops tf, Operand<TFloat32> x) {
    // no sub-scope: creating one scans the whole graph, too slow inside unrolled loops
    Operand<TFloat32> erf =
        tf.math.erf(tf.math.mul(x, tf.constant((float) (1.0 / Math.sqrt(2.0)))));
    Operand<TFloat32> onePlusErf = tf.math.add(tf.constant(1f), erf);
    return tf.math.mul(tf.math.mul(tf.constant(0.5f), x), onePlusErf);
  }
}
