package io.estimator4j.estimator.optimizer;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TNumber;

/**
 * RMSProp (op ApplyRMSProp): {@code ms = decay·ms + (1-decay)·g²; mom = momentum·mom + lr·g /
 * sqrt(ms + ε); var -= mom}; Java counterpart of tf.compat.v1.train.RMSPropOptimizer (not
 * centered).
 *
 * <p>Slots {@code <var>/RMSProp} (ms, starting at ONE as in Python) and {@code <var>/RMSProp_1}
 * (momentum, starting at zero).
 *
 * <p>The TF2 form ({@link #applyGradientsV2}) is Keras's RMSprop (scope {@code training/RMSprop}):
 * slot {@code rms} starting at zero, {@code momentum} only when momentum &gt; 0; hyper variables
 * {@code decay} (learning-rate decay, 0), {@code learning_rate}, {@code momentum} and {@code rho}
 * (this optimizer's {@link #decay()}). Without momentum: {@code rms = rho·rms + (1-rho)·g²; var -=
 * lr·g / (sqrt(rms) + ε)}; with momentum, op ApplyRMSProp. Keras's default ε is 1e-7 ({@link
 * Optimizers#byNameV2} uses it).
 */
public final class RMSProp extends BaseOptimizer<Void> {
  /** Python's default name: name scope and slot name. */
  public static final String NAME = "RMSProp";

  /** Python's default decay (rho). */
  public static final double DEFAULT_DECAY = 0.9;

  /** Python's default momentum. */
  public static final double DEFAULT_MOMENTUM = 0.0;

  /** Python's default ε. */
  public static final double DEFAULT_EPSILON = 1e-10;

  /** Python's starting value of the ms slot. */
  static final double INITIAL_MS = 1.0;

  private final double decay;
  private final double momentum;
  private final double epsilon;

  private RMSProp(Builder b) {
    super(NAME, b);
    checkNonNegative("decay", b.decay);
    checkNonNegative("momentum", b.momentum);
    checkNonNegative("epsilon", b.epsilon);
    this.decay = b.decay;
    this.momentum = b.momentum;
    this.epsilon = b.epsilon;
  }

  /** RMSProp with the given learning rate and Python's other defaults. */
  public static RMSProp of(double learningRate) {
    return builder().learningRate(learningRate).build();
  }

  /** A builder; the learning rate is required. */
  public static Builder builder() {
    return new Builder();
  }

  /** The decay (rho) of the mean square. */
  public double decay() {
    return decay;
  }

  /** The momentum. */
  public double momentum() {
    return momentum;
  }

  /** The ε added to the mean square. */
  public double epsilon() {
    return epsilon;
  }

  @Override
  <T extends TNumber> Op applyDense(Ops tf, GradAndVar<T> gv, Operand<T> learningRate, Void state) {
    return applyTf1(tf, gv, null, learningRate);
  }

  /**
   * Python's {@code _apply_sparse} (op SparseApplyRMSProp, the ref-variable form of
   * ResourceSparseApplyRMSProp): only the looked-up rows of var, ms and momentum change; the dense
   * update would also decay every other row's ms (and with momentum move its var).
   */
  @Override
  <T extends TNumber> Op applySparse(
      Ops tf, GradAndVar<T> gv, SparseRows<T> rows, Operand<T> learningRate, Void state) {
    return applyTf1(tf, gv, rows, learningRate);
  }

  /** TF1's update: ApplyRMSProp, or SparseApplyRMSProp over {@code rows} when given. */
  private <T extends TNumber> Op applyTf1(
      Ops tf, GradAndVar<T> gv, SparseRows<T> rows, Operand<T> learningRate) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> ms = slot(tf, var, NAME, INITIAL_MS);
    Variable<T> mom = slot(tf, var, NAME + "_1", 0.0);
    Operand<T> rho = hyper(tf, "decay", type, decay);
    Operand<T> m = hyper(tf, "momentum", type, momentum);
    Operand<T> eps = hyper(tf, "epsilon", type, epsilon);
    return rows == null
        ? tf.train.applyRmsProp(var, ms, mom, learningRate, rho, m, eps, gv.gradient())
        : tf.train.sparseApplyRmsProp(
            var, ms, mom, learningRate, rho, m, eps, rows.gradient(), rows.ids());
  }

  @Override
  String kerasName() {
    return "RMSprop";
  }

  @Override
  java.util.Map<String, Double> kerasHypers() {
    return java.util.Map.of("momentum", momentum, "rho", decay);
  }

  @Override
  <T extends TNumber> Op applyKeras(Ops tf, GradAndVar<T> gv, KerasState k) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> rms = k.slot(tf, var, "rms", 0.0);
    Operand<T> lr = k.learningRate(tf, type);
    Operand<T> rho = k.hyper(tf, "rho", type);
    Operand<T> eps = hyper(tf, "epsilon", type, epsilon);
    Operand<T> grad = gv.gradient();
    if (momentum > 0) {
      Variable<T> mom = k.slot(tf, var, "momentum", 0.0);
      return tf.train.applyRmsProp(
          var, rms, mom, lr, rho, k.hyper(tf, "momentum", type), eps, grad);
    }
    Operand<T> oneMinusRho = tf.math.sub(TypedScalars.of(tf.scope(), type, 1.0), rho);
    Operand<T> rmsT =
        tf.assign(
            rms,
            tf.math.add(tf.math.mul(rho, rms), tf.math.mul(oneMinusRho, tf.math.square(grad))));
    Operand<T> step = tf.math.div(tf.math.mul(lr, grad), tf.math.add(tf.math.sqrt(rmsT), eps));
    return tf.assignSub(var, step);
  }

  /**
   * Keras's {@code _resource_apply_sparse}: with momentum, ResourceSparseApplyRMSProp (here its
   * ref-variable form SparseApplyRMSProp), which changes only the looked-up rows; without momentum
   * Keras decays rms densely and moves only the looked-up rows of var, which is what the dense
   * update does with a zero gradient (null).
   */
  @Override
  <T extends TNumber> Op applyKerasSparse(
      Ops tf, GradAndVar<T> gv, SparseRows<T> rows, KerasState k) {
    if (!(momentum > 0)) {
      return null;
    }
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> rms = k.slot(tf, var, "rms", 0.0);
    Variable<T> mom = k.slot(tf, var, "momentum", 0.0);
    return tf.train.sparseApplyRmsProp(
        var,
        rms,
        mom,
        k.learningRate(tf, type),
        k.hyper(tf, "rho", type),
        k.hyper(tf, "momentum", type),
        hyper(tf, "epsilon", type, epsilon),
        rows.gradient(),
        rows.ids());
  }

  @Override
  public String toString() {
    return "RMSProp(learning_rate="
        + learningRateText()
        + ", decay="
        + decay
        + ", momentum="
        + momentum
        + ", epsilon="
        + epsilon
        + ")";
  }

  /** Builder of {@link RMSProp}, starting from Python's defaults. */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private double decay = DEFAULT_DECAY;
    private double momentum = DEFAULT_MOMENTUM;
    private double epsilon = DEFAULT_EPSILON;

    private Builder() {
      super(Double.NaN);
    }

    /** Decay of the mean square, at least 0 (default 0.9). */
    public Builder decay(double decay) {
      this.decay = decay;
      return this;
    }

    /** Momentum, at least 0 (default 0). */
    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    /** ε, at least 0 (default 1e-10). */
    public Builder epsilon(double epsilon) {
      this.epsilon = epsilon;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if a value is out of range or the learning rate is unset
     */
    public RMSProp build() {
      return new RMSProp(this);
    }
  }
}
