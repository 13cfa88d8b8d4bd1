package io.estimator4j.estimator.optimizer;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TNumber;

/**
 * Adadelta (op ApplyAdadelta): {@code accum = ρ·accum + (1-ρ)·g²; update = sqrt(accum_update + ε) /
 * sqrt(accum + ε) · g; accum_update = ρ·accum_update + (1-ρ)·update²; var -= lr·update}; Java
 * counterpart of tf.compat.v1.train.AdadeltaOptimizer (and of tf.keras's Adadelta, which applies
 * the same op). Slots {@code <var>/Adadelta} (accum) and {@code <var>/Adadelta_1} (accum_update).
 */
public final class Adadelta extends BaseOptimizer<Void> {
  /** Python's default name: name scope and slot name. */
  public static final String NAME = "Adadelta";

  /** tf.keras's default learning rate (tf.compat.v1's is 0.001 too). */
  public static final double DEFAULT_LEARNING_RATE = 0.001;

  /** The default decay ρ. */
  public static final double DEFAULT_RHO = 0.95;

  /** tf.keras's default ε. */
  public static final double DEFAULT_EPSILON = 1e-7;

  private final double rho;
  private final double epsilon;

  private Adadelta(Builder b) {
    super(NAME, b);
    if (!(b.rho >= 0 && b.rho <= 1)) {
      throw new IllegalArgumentException("rho must be in [0, 1]; found " + b.rho + ".");
    }
    checkNonNegative("epsilon", b.epsilon);
    this.rho = b.rho;
    this.epsilon = b.epsilon;
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  public double rho() {
    return rho;
  }

  public double epsilon() {
    return epsilon;
  }

  @Override
  <T extends TNumber> Op applyDense(Ops tf, GradAndVar<T> gv, Operand<T> learningRate, Void state) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> accum = slot(tf, var, NAME, 0.0);
    Variable<T> accumUpdate = slot(tf, var, NAME + "_1", 0.0);
    return tf.train.applyAdadelta(
        var,
        accum,
        accumUpdate,
        learningRate,
        hyper(tf, "rho", type, rho),
        hyper(tf, "epsilon", type, epsilon),
        gv.gradient());
  }

  @Override
  Map<String, Double> kerasHypers() {
    return Map.of("rho", rho);
  }

  /**
   * Keras's Adadelta (adadelta.py): the same op on slots {@code training/Adadelta/<var>/accum_grad}
   * and {@code .../accum_var}, ρ read from its hyper variable.
   */
  @Override
  <T extends TNumber> Op applyKeras(Ops tf, GradAndVar<T> gv, KerasState k) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    return tf.train.applyAdadelta(
        var,
        k.slot(tf, var, "accum_grad", 0.0),
        k.slot(tf, var, "accum_var", 0.0),
        k.learningRate(tf, type),
        k.hyper(tf, "rho", type),
        hyper(tf, "epsilon", type, epsilon),
        gv.gradient());
  }

  @Override
  public String toString() {
    return "Adadelta(learning_rate="
        + learningRateText()
        + ", rho="
        + rho
        + ", epsilon="
        + epsilon
        + ")";
  }

  /** Builder of {@link Adadelta}. */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private double rho = DEFAULT_RHO;
    private double epsilon = DEFAULT_EPSILON;

    private Builder() {
      super(DEFAULT_LEARNING_RATE);
    }

    /** ρ, in [0, 1] (default 0.95). */
    public Builder rho(double rho) {
      this.rho = rho;
      return this;
    }

    /** ε, at least 0 (default 1e-7). */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public Adadelta build() {
      return new Adadelta(this);
    }
  }
}
