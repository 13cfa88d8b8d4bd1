package io.estimator4j.estimator.optimizer;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TNumber;

/**
 * Adagrad: {@code accum += grad²; var -= learning_rate * grad / sqrt(accum)} (op ApplyAdagrad);
 * Java counterpart of tf.compat.v1.train.AdagradOptimizer. Slot: {@code <var>/Adagrad}.
 */
public final class Adagrad extends BaseOptimizer<Void> {
  /** Python's default name: name scope and slot name. */
  public static final String NAME = "Adagrad";

  /** Python's default {@code initial_accumulator_value}. */
  public static final double DEFAULT_INITIAL_ACCUMULATOR_VALUE = 0.1;

  private final double initialAccumulatorValue;

  private Adagrad(Builder b) {
    super(NAME, b);
    checkPositive("initial_accumulator_value", b.initialAccumulatorValue);
    this.initialAccumulatorValue = b.initialAccumulatorValue;
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
        + ")";
  }

  /** Builder of {@link Adagrad}. */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private double initialAccumulatorValue = DEFAULT_INITIAL_ACCUMULATOR_VALUE;

    private Builder() {
      super(Double.NaN);
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
