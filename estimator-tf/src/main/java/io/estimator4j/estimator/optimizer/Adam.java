package io.estimator4j.estimator.optimizer;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TNumber;

/**
 * Adam (op ApplyAdam): {@code m = β1·m + (1-β1)·g; v = β2·v + (1-β2)·g²; var -=
 * lr·sqrt(1-β2^t)/(1-β1^t) · m / (sqrt(v) + ε)}; Java counterpart of
 * tf.compat.v1.train.AdamOptimizer.
 *
 * <p>Slots {@code <var>/Adam} (m) and {@code <var>/Adam_1} (v); the non-trainable accumulators
 * {@code beta1_power} and {@code beta2_power} (β^t, starting at β) are created once per {@link
 * #applyGradients} call in the caller's scope ({@code beta1_power_1} for a second call, as Python
 * names a second optimizer's) and multiplied by β after every step.
 *
 * <p>The TF2 form ({@link #applyGradientsV2}) is Keras's Adam: slots {@code training/Adam/<var>/m}
 * and {@code .../v}, hyper variables {@code beta_1}, {@code beta_2}, {@code decay} and {@code
 * learning_rate}, no power variables: β^t is {@code pow(β, iterations + 1)}. Keras's default ε is
 * {@value #KERAS_DEFAULT_EPSILON} ({@link Optimizers#byNameV2} uses it); this optimizer's {@link
 * #epsilon()} applies in both forms.
 */
public final class Adam extends BaseOptimizer<Adam.BetaPowers> {
  /** Python's default name: name scope and slot name. */
  public static final String NAME = "Adam";

  /** Python's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;

  /** Python's default β1. */
  public static final double DEFAULT_BETA1 = 0.9;

  /** Python's default β2. */
  public static final double DEFAULT_BETA2 = 0.999;

  /** Keras's default ε (tf.keras.optimizers.Adam). */
  public static final double KERAS_DEFAULT_EPSILON = 1e-7;

  /** Python's default ε. */
  public static final double DEFAULT_EPSILON = 1e-8;

  private final double beta1;
  private final double beta2;
  private final double epsilon;

  /** The β^t accumulators of one apply_gradients call. */
  record BetaPowers(
      Variable<? extends TNumber> beta1Power, Variable<? extends TNumber> beta2Power) {}

  private Adam(Builder b) {
    super(NAME, b);
    checkBeta("beta1", b.beta1());
    checkBeta("beta2", b.beta2());
    checkNonNegative("epsilon", b.epsilon());
    this.beta1 = b.beta1();
    this.beta2 = b.beta2();
    this.epsilon = b.epsilon();
  }

  /** Adam with Python's defaults (learning rate 0.001). */
  public static Adam create() {
    return builder().build();
  }

  /** Adam with the given learning rate and Python's other defaults. */
  public static Adam of(double learningRate) {
    return builder().learningRate(learningRate).build();
  }

  /** A builder starting from Python's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Decay of the first-moment estimate. */
  public double beta1() {
    return beta1;
  }

  /** Decay of the second-moment estimate. */
  public double beta2() {
    return beta2;
  }

  /** The ε added to sqrt(v). */
  public double epsilon() {
    return epsilon;
  }

  @Override
  BetaPowers prepare(Ops tf, List<? extends GradAndVar<?>> gradsAndVars) {
    // Python: non-slot variables of the first variable's dtype, created in the caller's scope.
    return new BetaPowers(
        power(tf, "beta1_power", gradsAndVars.get(0).variable(), beta1),
        power(tf, "beta2_power", gradsAndVars.get(0).variable(), beta2));
  }

  private static <T extends TNumber> Variable<T> power(
      Ops tf, String name, Variable<T> like, double initial) {
    return nonSlot(tf, name, like.type(), initial);
  }

  @Override
  <T extends TNumber> Op applyDense(
      Ops tf, GradAndVar<T> gv, Operand<T> learningRate, BetaPowers powers) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> m = slot(tf, var, NAME, 0.0);
    Variable<T> v = slot(tf, var, NAME + "_1", 0.0);
    return tf.train.applyAdam(
        var,
        m,
        v,
        TypedScalars.as(tf.scope(), powers.beta1Power(), type),
        TypedScalars.as(tf.scope(), powers.beta2Power(), type),
        learningRate,
        hyper(tf, "beta1", type, beta1),
        hyper(tf, "beta2", type, beta2),
        hyper(tf, "epsilon", type, epsilon),
        gv.gradient());
  }

  @Override
  Map<String, Double> kerasHypers() {
    return Map.of("beta_1", beta1, "beta_2", beta2);
  }

  @Override
  <T extends TNumber> Op applyKeras(Ops tf, GradAndVar<T> gv, KerasState k) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> m = k.slot(tf, var, "m", 0.0);
    Variable<T> v = k.slot(tf, var, "v", 0.0);
    Operand<T> localStep = k.localStep(tf, type);
    Operand<T> b1 = k.hyper(tf, "beta_1", type);
    Operand<T> b2 = k.hyper(tf, "beta_2", type);
    return tf.train.applyAdam(
        var,
        m,
        v,
        tf.math.pow(b1, localStep),
        tf.math.pow(b2, localStep),
        k.learningRate(tf, type),
        b1,
        b2,
        hyper(tf, "epsilon", type, epsilon),
        gv.gradient());
  }

  @Override
  List<Op> finish(Ops tf, List<Op> updates, BetaPowers powers) {
    Ops after = tf.withControlDependencies(updates);
    return List.of(
        multiplyBy(after, powers.beta1Power(), beta1),
        multiplyBy(after, powers.beta2Power(), beta2));
  }

  @Override
  public String toString() {
    return "Adam(learning_rate="
        + learningRateText()
        + ", beta1="
        + beta1
        + ", beta2="
        + beta2
        + ", epsilon="
        + epsilon
        + ")";
  }

  /** Builder of {@link Adam}, starting from Python's defaults. */
  public static final class Builder extends MomentsBuilder<Builder> {
    private Builder() {
      super(DEFAULT_LEARNING_RATE, DEFAULT_EPSILON);
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public Adam build() {
      return new Adam(this);
    }
  }
}
