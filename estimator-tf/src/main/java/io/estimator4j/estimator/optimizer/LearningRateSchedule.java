package io.estimator4j.estimator.optimizer;

import java.util.Arrays;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A learning rate that depends on the training step, built into the graph so that every step
 * applies its own rate; Java counterpart of tf.keras.optimizers.schedules.LearningRateSchedule (and
 * of tf.compat.v1.train.exponential_decay and its siblings).
 *
 * <p>An optimizer given a schedule (e.g. {@code GradientDescent.of(schedule)}) evaluates it once
 * per {@link Optimizer#applyGradients} call on the global step as read before that step's
 * increment: the first step uses {@code value(0)}, as Keras's optimizers use their {@code
 * iterations} counter.
 */
@FunctionalInterface
public interface LearningRateSchedule {
  /**
   * Builds the learning rate at {@code step}.
   *
   * @param tf the scope to build in
   * @param step the step as a float32 scalar (the global step before this step's increment)
   * @return a float32 scalar
   */
  Operand<TFloat32> value(Ops tf, Operand<TFloat32> step);

  /**
   * Builds the rate an optimizer applies in one training step: the value at {@code globalStep}
   * (read before this step's increment, cast to float32), in the sub-scope {@code learning_rate} of
   * {@code optimizerScope} (e.g. {@code GradientDescent/learning_rate}).
   *
   * @throws IllegalArgumentException if {@code globalStep} is null
   */
  default Operand<TFloat32> valueAtGlobalStep(Ops optimizerScope, Operand<TInt64> globalStep) {
    if (globalStep == null) {
      throw new IllegalArgumentException(
          "The learning-rate schedule "
              + this
              + " needs the global step: pass the global step"
              + " to applyGradients (or minimize).");
    }
    Ops lrScope = optimizerScope.withSubScope("learning_rate");
    Operand<TFloat32> step = lrScope.dtypes.cast(lrScope.identity(globalStep), TFloat32.class);
    return value(lrScope, step);
  }

  /**
   * This schedule divided by {@code 1 + decay * step}: the time-based decay of Keras 2's optimizers
   * ({@code decay} argument), which Keras applies on top of the learning rate or schedule ({@code
   * lr_t = lr(step) / (1 + decay * step)}).
   *
   * @throws IllegalArgumentException if decay is negative or not finite
   */
  default LearningRateSchedule withTimeBasedDecay(double decay) {
    if (!(decay >= 0) || Double.isInfinite(decay)) {
      throw new IllegalArgumentException("decay must be a finite value >= 0; found " + decay);
    }
    LearningRateSchedule base = this;
    float d = (float) decay;
    return new NamedSchedule(
        base + " / (1 + " + decay + " * step)",
        (tf, step) ->
            tf.math.div(
                base.value(tf, step),
                tf.math.add(tf.constant(1f), tf.math.mul(tf.constant(d), step))));
  }

  /** A constant learning rate. */
  static LearningRateSchedule constant(double learningRate) {
    float lr = (float) learningRate;
    return new NamedSchedule(Double.toString(learningRate), (tf, step) -> tf.constant(lr));
  }

  /** {@code step / decaySteps}, floored when {@code staircase} (Keras's decay schedules). */
  private static Operand<TFloat32> progress(
      org.tensorflow.op.Ops tf, Operand<TFloat32> step, float decaySteps, boolean staircase) {
    Operand<TFloat32> p = tf.math.div(step, tf.constant(decaySteps));
    return staircase ? tf.math.floor(p) : p;
  }

  /**
   * {@code initial * decayRate ^ (step / decaySteps)}, with the exponent floored when {@code
   * staircase}; tf.keras.optimizers.schedules.ExponentialDecay.
   */
  static LearningRateSchedule exponentialDecay(
      double initial, double decaySteps, double decayRate, boolean staircase) {
    checkPositive("decay_steps", decaySteps);
    float lr = (float) initial;
    float steps = (float) decaySteps;
    float rate = (float) decayRate;
    return new NamedSchedule(
        "ExponentialDecay("
            + initial
            + ", "
            + decaySteps
            + ", "
            + decayRate
            + ", "
            + staircase
            + ")",
        (tf, step) -> {
          Operand<TFloat32> p = progress(tf, step, steps, staircase);
          return tf.math.mul(tf.constant(lr), tf.math.pow(tf.constant(rate), p));
        });
  }

  /**
   * {@code initial / (1 + decayRate * step / decaySteps)}, with {@code step / decaySteps} floored
   * when {@code staircase}; tf.keras.optimizers.schedules.InverseTimeDecay.
   */
  static LearningRateSchedule inverseTimeDecay(
      double initial, double decaySteps, double decayRate, boolean staircase) {
    checkPositive("decay_steps", decaySteps);
    float lr = (float) initial;
    float steps = (float) decaySteps;
    float rate = (float) decayRate;
    return new NamedSchedule(
        "InverseTimeDecay("
            + initial
            + ", "
            + decaySteps
            + ", "
            + decayRate
            + ", "
            + staircase
            + ")",
        (tf, step) -> {
          Operand<TFloat32> p = progress(tf, step, steps, staircase);
          return tf.math.div(
              tf.constant(lr), tf.math.add(tf.constant(1f), tf.math.mul(tf.constant(rate), p)));
        });
  }

  /**
   * {@code values[0]} while {@code step <= boundaries[0]}, {@code values[i]} while {@code
   * boundaries[i-1] < step <= boundaries[i]}, {@code values[n]} after the last boundary;
   * tf.keras.optimizers.schedules.PiecewiseConstantDecay.
   *
   * @throws IllegalArgumentException unless there is one more value than boundaries and the
   *     boundaries increase
   */
  static LearningRateSchedule piecewiseConstant(double[] boundaries, double[] values) {
    Objects.requireNonNull(boundaries, "boundaries");
    Objects.requireNonNull(values, "values");
    if (values.length != boundaries.length + 1) {
      throw new IllegalArgumentException(
          "PiecewiseConstantDecay needs one more value than boundaries; found "
              + boundaries.length
              + " boundaries and "
              + values.length
              + " values.");
    }
    for (int i = 1; i < boundaries.length; i++) {
      if (!(boundaries[i] > boundaries[i - 1])) {
        throw new IllegalArgumentException(
            "PiecewiseConstantDecay boundaries must increase; found "
                + Arrays.toString(boundaries)
                + ".");
      }
    }
    double[] b = boundaries.clone();
    double[] v = values.clone();
    return new NamedSchedule(
        "PiecewiseConstantDecay(" + Arrays.toString(b) + ", " + Arrays.toString(v) + ")",
        (tf, step) -> {
          // from the last piece backwards: each boundary b[i] selects v[i] for step <= b[i]
          Operand<TFloat32> out = tf.constant((float) v[v.length - 1]);
          for (int i = b.length - 1; i >= 0; i--) {
            Operand<TBool> below = tf.math.lessEqual(step, tf.constant((float) b[i]));
            out = tf.select(below, tf.constant((float) v[i]), out);
          }
          return out;
        });
  }

  /**
   * {@code (initial - end) * (1 - min(step, decaySteps) / decaySteps) ^ power + end}; with {@code
   * cycle}, {@code decaySteps} grows to the next multiple of itself above the step instead;
   * tf.keras.optimizers.schedules.PolynomialDecay.
   */
  static LearningRateSchedule polynomialDecay(
      double initial, double decaySteps, double end, double power, boolean cycle) {
    checkPositive("decay_steps", decaySteps);
    float lr = (float) initial;
    float steps = (float) decaySteps;
    float endLr = (float) end;
    float pw = (float) power;
    return new NamedSchedule(
        "PolynomialDecay("
            + initial
            + ", "
            + decaySteps
            + ", "
            + end
            + ", "
            + power
            + ", "
            + cycle
            + ")",
        (tf, step) -> {
          Operand<TFloat32> s = step;
          Operand<TFloat32> total = tf.constant(steps);
          if (cycle) {
            Operand<TFloat32> multiplier =
                tf.select(
                    tf.math.equal(step, tf.constant(0f)),
                    tf.constant(1f),
                    tf.math.ceil(tf.math.div(step, total)));
            total = tf.math.mul(total, multiplier);
          } else {
            s = tf.math.minimum(step, total);
          }
          Operand<TFloat32> left = tf.math.sub(tf.constant(1f), tf.math.div(s, total));
          return tf.math.add(
              tf.math.mul(tf.constant(lr - endLr), tf.math.pow(left, tf.constant(pw))),
              tf.constant(endLr));
        });
  }

  /**
   * {@code initial * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps)) +
   * alpha)}; tf.keras.optimizers.schedules.CosineDecay without warm-up.
   */
  static LearningRateSchedule cosineDecay(double initial, double decaySteps, double alpha) {
    checkPositive("decay_steps", decaySteps);
    float lr = (float) initial;
    float steps = (float) decaySteps;
    float a = (float) alpha;
    return new NamedSchedule(
        "CosineDecay(" + initial + ", " + decaySteps + ", " + alpha + ")",
        (tf, step) -> {
          Operand<TFloat32> fraction =
              tf.math.div(tf.math.minimum(step, tf.constant(steps)), tf.constant(steps));
          Operand<TFloat32> cosine =
              tf.math.mul(
                  tf.constant(0.5f),
                  tf.math.add(
                      tf.constant(1f),
                      tf.math.cos(tf.math.mul(tf.constant((float) Math.PI), fraction))));
          Operand<TFloat32> decayed =
              tf.math.add(tf.math.mul(tf.constant(1f - a), cosine), tf.constant(a));
          return tf.math.mul(tf.constant(lr), decayed);
        });
  }

  private static void checkPositive(String what, double value) {
    if (!(value > 0) || Double.isInfinite(value)) {
      throw new IllegalArgumentException(what + " must be a finite value > 0; found " + value);
    }
  }
}
