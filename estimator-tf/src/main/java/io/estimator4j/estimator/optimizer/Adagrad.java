package io.estimator4j.estimator.optimizer;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TNumber;

/**
 * Adagrad: {@code accum += grad²; var -= learning_rate * grad / sqrt(accum)} (op ApplyAdagrad);
 * Java counterpart of tf.compat.v1.train.AdagradOptimizer. Slot: {@code <var>/Adagrad}.
 *
 * <p>The TF2 form ({@link #applyGradientsV2}) is Keras's Adagrad: {@code var -= learning_rate *
 * grad / (sqrt(accum) + epsilon)} (op ApplyAdagradV2, ε {@value #DEFAULT_EPSILON}), slot {@code
 * training/Adagrad/<var>/accumulator}, hyper variables {@code learning_rate} and {@code decay}.
 */
public final class Adagrad extends BaseOptimizer<Void> {
  /** Python's default name: name scope and slot name. */
  public static final String NAME = "Adagrad";

  /** Python's default {@code initial_accumulator_value}. */
  public static final double DEFAULT_INITIAL_ACCUMULATOR_VALUE = 0.1;

  /** Keras's default ε, added to sqrt(accum) by the TF2 form. */
  public static final double DEFAULT_EPSILON = 1e-7;

  /** Keras's default learning rate (tf.keras.optimizers.Adagrad). */
  public static final double KERAS_DEFAULT_LEARNING_RATE = 0.001;

  private final double initialAccumulatorValue;
  private final double epsilon;

  private Adagrad(Builder b) {
    super(NAME, b);
    checkPositive("initial_accumulator_value", b.initialAccumulatorValue);
    checkNonNegative("epsilon", b.epsilon);
    this.initialAccumulatorValue = b.initialAccumulatorValue;
    this.epsilon = b.epsilon;
  }

  /** Adagrad with the given learning rate and Python's other defaults. */
  public static Adagrad of(double learningRate) {
    return builder().learningRate(learningRate).build();
  }

  /** A builder; the learning rate is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The starting value of every accumulator. */
  public double initialAccumulatorValue() {
    return initialAccumulatorValue;
  }

  /** The ε of the TF2 (Keras) form; TF1's ApplyAdagrad has none. */
  public double epsilon() {
    return epsilon;
  }

  @Override
  <T extends TNumber> Op applyKeras(Ops tf, GradAndVar<T> gv, KerasState k) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> accum = k.slot(tf, var, "accumulator", initialAccumulatorValue);
    return tf.train.applyAdagradV2(
        var, accum, k.learningRate(tf, type), hyper(tf, "epsilon", type, epsilon), gv.gradient());
  }

  @Override
  <T extends TNumber> Op applyKerasSparse(
      Ops tf, GradAndVar<T> gv, SparseRows<T> rows, KerasState k) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> accum = k.slot(tf, var, "accumulator", initialAccumulatorValue);
    // op SparseApplyAdagradV2, Keras's ResourceSparseApplyAdagradV2 on deduplicated rows
    return tf.train.sparseApplyAdagrad(
        var,
        accum,
        k.learningRate(tf, type),
        hyper(tf, "epsilon", type, epsilon),
        rows.gradient(),
        rows.ids());
  }

  @Override
  <T extends TNumber> Op applyDense(Ops tf, GradAndVar<T> gv, Operand<T> learningRate, Void state) {
    Variable<T> var = gv.variable();
    Variable<T> accum = slot(tf, var, NAME, initialAccumulatorValue);
    return tf.train.applyAdagrad(var, accum, learningRate, gv.gradient());
  }

  @Override
  public String toString() {
    return "Adagrad(learning_rate="
        + learningRateText()
        + ", initial_accumulator_value="
        + initialAccumulatorValue
        + ", epsilon="
        + epsilon
        + ")";
  }

  /** Builder of {@link Adagrad}. */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private double initialAccumulatorValue = DEFAULT_INITIAL_ACCUMULATOR_VALUE;
    private double epsilon = DEFAULT_EPSILON;

    private Builder() {
      super(Double.NaN);
    }

    /** The ε of the TF2 (Keras) form, at least 0 (default 1e-7); TF1's Adagrad has none. */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /** Starting accumulator value (default 0.1, must be positive). */
    public Builder initialAccumulatorValue(double initialAccumulatorValue) {
      this.initialAccumulatorValue = initialAccumulatorValue;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if a value is out of range or the learning rate is unset
     */
    public Adagrad build() {
      return new Adagrad(this);
    }
  }
}
