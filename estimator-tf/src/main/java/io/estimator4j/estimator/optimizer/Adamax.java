package io.estimator4j.estimator.optimizer;

import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TNumber;

/**
 * Adamax, Adam under the infinity norm (op ApplyAdaMax): {@code m = β1·m + (1-β1)·g; v = max(β2·v,
 * |g|); var -= lr / (1-β1^t) · m / (v + ε)}; Java counterpart of tf.keras.optimizers.Adamax (and of
 * tf.contrib.opt.AdaMaxOptimizer). Slots {@code <var>/Adamax} (m) and {@code <var>/Adamax_1} (v);
 * the non-trainable {@code beta1_power} (β1^t, starting at β1) is multiplied by β1 after every
 * step.
 */
public final class Adamax extends BaseOptimizer<Variable<? extends TNumber>> {
  /** The name scope and slot name. */
  public static final String NAME = "Adamax";

  /** tf.keras's default learning rate. */
  public static final double DEFAULT_LEARNING_RATE = 0.001;

  /** tf.keras's default β1. */
  public static final double DEFAULT_BETA1 = 0.9;

  /** tf.keras's default β2. */
  public static final double DEFAULT_BETA2 = 0.999;

  /** tf.keras's default ε. */
  public static final double DEFAULT_EPSILON = 1e-7;

  private final double beta1;
  private final double beta2;
  private final double epsilon;

  private Adamax(Builder b) {
    super(NAME, b);
    checkBeta("beta1", b.beta1());
    checkBeta("beta2", b.beta2());
    checkNonNegative("epsilon", b.epsilon());
    this.beta1 = b.beta1();
    this.beta2 = b.beta2();
    this.epsilon = b.epsilon();
  }

  /** A builder starting from tf.keras's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  Variable<? extends TNumber> prepare(Ops tf, List<? extends GradAndVar<?>> gradsAndVars) {
    return nonSlot(tf, "beta1_power", gradsAndVars.get(0).variable().type(), beta1);
  }

  @Override
  <T extends TNumber> Op applyDense(
      Ops tf, GradAndVar<T> gv, Operand<T> learningRate, Variable<? extends TNumber> beta1Power) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> m = slot(tf, var, NAME, 0.0);
    Variable<T> v = slot(tf, var, NAME + "_1", 0.0);
    return tf.train.applyAdaMax(
        var,
        m,
        v,
        TypedScalars.as(tf.scope(), beta1Power, type),
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

  /**
   * Keras's Adamax (adamax.py): slots {@code training/Adamax/<var>/m} and {@code .../v}, no power
   * variable: β1^t is {@code pow(beta_1, iterations + 1)}.
   */
  @Override
  <T extends TNumber> Op applyKeras(Ops tf, GradAndVar<T> gv, KerasState k) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Operand<T> b1 = k.hyper(tf, "beta_1", type);
    return tf.train.applyAdaMax(
        var,
        k.slot(tf, var, "m", 0.0),
        k.slot(tf, var, "v", 0.0),
        tf.math.pow(b1, k.localStep(tf, type)),
        k.learningRate(tf, type),
        b1,
        k.hyper(tf, "beta_2", type),
        hyper(tf, "epsilon", type, epsilon),
        gv.gradient());
  }

  @Override
  List<Op> finish(Ops tf, List<Op> updates, Variable<? extends TNumber> beta1Power) {
    return List.of(multiplyBy(tf.withControlDependencies(updates), beta1Power, beta1));
  }

  @Override
  public String toString() {
    return "Adamax(learning_rate="
        + learningRateText()
        + ", beta1="
        + beta1
        + ", beta2="
        + beta2
        + ", epsilon="
        + epsilon
        + ")";
  }

  /** Builder of {@link Adamax}, starting from tf.keras's defaults. */
  public static final class Builder extends MomentsBuilder<Builder> {
    private Builder() {
      super(DEFAULT_LEARNING_RATE, DEFAULT_EPSILON);
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public Adamax build() {
      return new Adamax(this);
    }
  }
}
