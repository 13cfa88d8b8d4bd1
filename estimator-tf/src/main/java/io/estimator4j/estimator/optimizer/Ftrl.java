package io.estimator4j.estimator.optimizer;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TNumber;

/**
 * FTRL-Proximal (op ApplyFtrlV2; with {@code l2Shrinkage = 0} it computes what Python's ApplyFtrl
 * does); Java counterpart of tf.compat.v1.train.FtrlOptimizer, the default optimizer of the linear
 * estimators.
 *
 * <p>Per step: {@code accum' = accum + g²; linear += g - (accum'^-p - accum^-p) / lr · var; var =
 * |linear| > l1 ? (sign(linear)·l1 - linear) / (accum'^-p / lr + 2·l2) : 0}, with p the learning
 * rate power. Slots {@code <var>/Ftrl} (accumulator) and {@code <var>/Ftrl_1} (linear). With {@code
 * beta}, the L2 strength is {@code l2 + beta / (2 lr)}, as in TensorFlow 2.
 *
 * <p>Variables given with {@link GradAndVar#rowIds()} get the sparse update (SparseApplyFtrlV2 on
 * the distinct looked-up rows), as Python updates the IndexedSlices gradients of categorical
 * columns: rows no example used keep their weights.
 *
 * <p>The TF2 form ({@link #applyGradientsV2}) is Keras's Ftrl: slots {@code
 * training/Ftrl/<var>/accumulator} and {@code .../linear}, hyper variables {@code beta}, {@code
 * decay}, {@code l1_regularization_strength}, {@code l2_regularization_strength}, {@code
 * learning_rate} and {@code learning_rate_power}, read each step.
 */
public final class Ftrl extends BaseOptimizer<Void> {
  /** Python's default name: name scope and slot name. */
  public static final String NAME = "Ftrl";

  /** Python's default {@code learning_rate_power}. */
  public static final double DEFAULT_LEARNING_RATE_POWER = -0.5;

  /** Python's default {@code initial_accumulator_value}. */
  public static final double DEFAULT_INITIAL_ACCUMULATOR_VALUE = 0.1;

  /** Python's default L1 regularization strength. */
  public static final double DEFAULT_L1 = 0.0;

  /** Python's default L2 regularization strength. */
  public static final double DEFAULT_L2 = 0.0;

  /** Python's default L2 shrinkage regularization strength. */
  public static final double DEFAULT_L2_SHRINKAGE = 0.0;

  private final double learningRatePower;
  private final double initialAccumulatorValue;
  private final double l1;
  private final double l2;
  private final double l2Shrinkage;
  private final double beta;

  private Ftrl(Builder b) {
    super(NAME, b);
    if (!(b.learningRatePower <= 0) || Double.isInfinite(b.learningRatePower)) {
      throw new IllegalArgumentException(
          "learning_rate_power must be a finite value <= 0; found " + b.learningRatePower + ".");
    }
    checkNonNegative("initial_accumulator_value", b.initialAccumulatorValue);
    checkNonNegative("l1_regularization_strength", b.l1);
    checkNonNegative("l2_regularization_strength", b.l2);
    checkNonNegative("l2_shrinkage_regularization_strength", b.l2Shrinkage);
    checkNonNegative("beta", b.beta);
    this.learningRatePower = b.learningRatePower;
    this.initialAccumulatorValue = b.initialAccumulatorValue;
    this.l1 = b.l1;
    this.l2 = b.l2;
    this.l2Shrinkage = b.l2Shrinkage;
    this.beta = b.beta;
  }

  /** FTRL with the given learning rate and Python's other defaults. */
  public static Ftrl of(double learningRate) {
    return builder().learningRate(learningRate).build();
  }

  /** A builder; the learning rate is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The learning rate power p (at most 0). */
  public double learningRatePower() {
    return learningRatePower;
  }

  /** The starting value of every accumulator. */
  public double initialAccumulatorValue() {
    return initialAccumulatorValue;
  }

  /** The L1 regularization strength. */
  public double l1() {
    return l1;
  }

  /** The L2 regularization strength. */
  public double l2() {
    return l2;
  }

  /** The L2 shrinkage regularization strength. */
  public double l2Shrinkage() {
    return l2Shrinkage;
  }

  /** The beta of TensorFlow 2's FTRL: the L2 strength grows by {@code beta / (2 lr)}. */
  public double beta() {
    return beta;
  }

  @Override
  <T extends TNumber> Op applyDense(Ops tf, GradAndVar<T> gv, Operand<T> learningRate, Void state) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> accum = slot(tf, var, NAME, initialAccumulatorValue);
    Variable<T> linear = slot(tf, var, NAME + "_1", 0.0);
    return tf.train.applyFtrl(
        var,
        accum,
        linear,
        gv.gradient(),
        learningRate,
        hyper(tf, "l1_regularization_strength", type, l1),
        tf1L2(tf, type, learningRate),
        hyper(tf, "l2_shrinkage_regularization_strength", type, l2Shrinkage),
        hyper(tf, "learning_rate_power", type, learningRatePower));
  }

  @Override
  <T extends TNumber> Op applySparse(
      Ops tf, GradAndVar<T> gv, SparseRows<T> rows, Operand<T> learningRate, Void state) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> accum = slot(tf, var, NAME, initialAccumulatorValue);
    Variable<T> linear = slot(tf, var, NAME + "_1", 0.0);
    return tf.train.sparseApplyFtrl(
        var,
        accum,
        linear,
        rows.gradient(),
        rows.ids(),
        learningRate,
        hyper(tf, "l1_regularization_strength", type, l1),
        tf1L2(tf, type, learningRate),
        hyper(tf, "l2_shrinkage_regularization_strength", type, l2Shrinkage),
        hyper(tf, "learning_rate_power", type, learningRatePower));
  }

  /** TF1's L2 strength: the constant l2, or {@code l2 + beta / (2 lr)} with a beta. */
  private <T extends TNumber> Operand<T> tf1L2(Ops tf, Class<T> type, Operand<T> learningRate) {
    Operand<T> l2Value = hyper(tf, "l2_regularization_strength", type, l2);
    if (beta == 0) {
      return l2Value;
    }
    return adjustedL2(tf, l2Value, hyper(tf, "beta", type, beta), learningRate);
  }

  /** Keras's {@code l2 + beta / (2 lr)}. */
  private static <T extends TNumber> Operand<T> adjustedL2(
      Ops tf, Operand<T> l2, Operand<T> beta, Operand<T> lr) {
    Operand<T> twoLr = tf.math.mul(TypedScalars.of(tf.scope(), lr.type(), 2.0), lr);
    return tf.math.add(l2, tf.math.div(beta, twoLr));
  }

  @Override
  Map<String, Double> kerasHypers() {
    return Map.of(
        "beta", beta,
        "l1_regularization_strength", l1,
        "l2_regularization_strength", l2,
        "learning_rate_power", learningRatePower);
  }

  @Override
  <T extends TNumber> Op applyKeras(Ops tf, GradAndVar<T> gv, KerasState k) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> accum = k.slot(tf, var, "accumulator", initialAccumulatorValue);
    Variable<T> linear = k.slot(tf, var, "linear", 0.0);
    Operand<T> lr = k.learningRate(tf, type);
    return tf.train.applyFtrl(
        var,
        accum,
        linear,
        gv.gradient(),
        lr,
        k.hyper(tf, "l1_regularization_strength", type),
        adjustedL2(
            tf, k.hyper(tf, "l2_regularization_strength", type), k.hyper(tf, "beta", type), lr),
        hyper(tf, "l2_shrinkage_regularization_strength", type, l2Shrinkage),
        k.hyper(tf, "learning_rate_power", type));
  }

  @Override
  <T extends TNumber> Op applyKerasSparse(
      Ops tf, GradAndVar<T> gv, SparseRows<T> rows, KerasState k) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> accum = k.slot(tf, var, "accumulator", initialAccumulatorValue);
    Variable<T> linear = k.slot(tf, var, "linear", 0.0);
    Operand<T> lr = k.learningRate(tf, type);
    return tf.train.sparseApplyFtrl(
        var,
        accum,
        linear,
        rows.gradient(),
        rows.ids(),
        lr,
        k.hyper(tf, "l1_regularization_strength", type),
        adjustedL2(
            tf, k.hyper(tf, "l2_regularization_strength", type), k.hyper(tf, "beta", type), lr),
        hyper(tf, "l2_shrinkage_regularization_strength", type, l2Shrinkage),
        k.hyper(tf, "learning_rate_power", type));
  }

  @Override
  public String toString() {
    return "Ftrl(learning_rate="
        + learningRateText()
        + ", learning_rate_power="
        + learningRatePower
        + ", initial_accumulator_value="
        + initialAccumulatorValue
        + ", l1="
        + l1
        + ", l2="
        + l2
        + ", l2_shrinkage="
        + l2Shrinkage
        + (beta == 0 ? "" : ", beta=" + beta)
        + ")";
  }

  /** Builder of {@link Ftrl}, starting from Python's defaults. */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private double learningRatePower = DEFAULT_LEARNING_RATE_POWER;
    private double initialAccumulatorValue = DEFAULT_INITIAL_ACCUMULATOR_VALUE;
    private double l1 = DEFAULT_L1;
    private double l2 = DEFAULT_L2;
    private double l2Shrinkage = DEFAULT_L2_SHRINKAGE;
    private double beta;

    private Builder() {
      super(Double.NaN);
    }

    /** TensorFlow 2's beta, at least 0 (default 0): the L2 strength grows by beta / (2 lr). */
    public Builder beta(double beta) {
      this.beta = beta;
      return this;
    }

    /** The learning rate power, at most 0 (default -0.5). */
    public Builder learningRatePower(double learningRatePower) {
      this.learningRatePower = learningRatePower;
      return this;
    }

    /** Starting accumulator value, at least 0 (default 0.1). */
    public Builder initialAccumulatorValue(double initialAccumulatorValue) {
      this.initialAccumulatorValue = initialAccumulatorValue;
      return this;
    }

    /** L1 regularization strength, at least 0 (default 0). */
    public Builder l1(double l1) {
      this.l1 = l1;
      return this;
    }

    /** L2 regularization strength, at least 0 (default 0). */
    public Builder l2(double l2) {
      this.l2 = l2;
      return this;
    }

    /** L2 shrinkage regularization strength, at least 0 (default 0). */
    public Builder l2Shrinkage(double l2Shrinkage) {
      this.l2Shrinkage = l2Shrinkage;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if a value is out of range or the learning rate is unset
     */
    public Ftrl build() {
      return new Ftrl(this);
    }
  }
}
