package io.estimator4j.estimator.optimizer;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.ApplyMomentum;
import org.tensorflow.op.train.SparseApplyMomentum;
import org.tensorflow.types.family.TNumber;

/**
 * Momentum (op ApplyMomentum): {@code accum = momentum·accum + g; var -= lr·accum} (Nesterov:
 * {@code var -= lr·g + lr·momentum·accum}); Java counterpart of
 * tf.compat.v1.train.MomentumOptimizer. Slot {@code <var>/Momentum}.
 *
 * <p>The TF2 form ({@link #applyGradientsV2}) is Keras's SGD with momentum (scope {@code
 * training/SGD}): {@code accum = momentum·accum - lr·g; var += accum} (Nesterov: {@code var +=
 * momentum·accum - lr·g}), slot {@code training/SGD/<var>/momentum} when momentum &gt; 0, hyper
 * variables {@code decay}, {@code learning_rate} and {@code momentum}. Its slot holds -lr times
 * TF1's: never copy one across flavours.
 */
public final class Momentum extends BaseOptimizer<Void> {
  /** Python's default name: name scope and slot name. */
  public static final String NAME = "Momentum";

  /** Python's default: no Nesterov momentum. */
  public static final boolean DEFAULT_USE_NESTEROV = false;

  private final double momentum;
  private final boolean useNesterov;

  private Momentum(Builder b) {
    super(NAME, b);
    checkNonNegative("momentum", b.momentum);
    this.momentum = b.momentum;
    this.useNesterov = b.useNesterov;
  }

  /** A builder; learning rate and momentum are required (Python has no defaults for them). */
  public static Builder builder() {
    return new Builder();
  }

  /** The momentum. */
  public double momentum() {
    return momentum;
  }

  /** Whether Nesterov momentum is used. */
  public boolean useNesterov() {
    return useNesterov;
  }

  @Override
  <T extends TNumber> Op applyDense(Ops tf, GradAndVar<T> gv, Operand<T> learningRate, Void state) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> accum = slot(tf, var, NAME, 0.0);
    return tf.train.applyMomentum(
        var,
        accum,
        learningRate,
        gv.gradient(),
        hyper(tf, "momentum", type, momentum),
        ApplyMomentum.useNesterov(useNesterov));
  }

  /**
   * Python's {@code _apply_sparse} (op SparseApplyMomentum, the ref-variable form of
   * ResourceSparseApplyMomentum): only the looked-up rows of var and accum change; the dense update
   * would also move every other row by {@code lr·momentum·accum}.
   */
  @Override
  <T extends TNumber> Op applySparse(
      Ops tf, GradAndVar<T> gv, SparseRows<T> rows, Operand<T> learningRate, Void state) {
    Variable<T> var = gv.variable();
    Variable<T> accum = slot(tf, var, NAME, 0.0);
    return tf.train.sparseApplyMomentum(
        var,
        accum,
        learningRate,
        rows.gradient(),
        rows.ids(),
        hyper(tf, "momentum", var.type(), momentum),
        SparseApplyMomentum.useNesterov(useNesterov));
  }

  @Override
  String kerasName() {
    return "SGD";
  }

  @Override
  java.util.Map<String, Double> kerasHypers() {
    return java.util.Map.of("momentum", momentum);
  }

  @Override
  <T extends TNumber> Op applyKeras(Ops tf, GradAndVar<T> gv, KerasState k) {
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Operand<T> lr = k.learningRate(tf, type);
    if (!(momentum > 0)) {
      return tf.train.applyGradientDescent(var, lr, gv.gradient());
    }
    Variable<T> accum = k.slot(tf, var, "momentum", 0.0);
    Operand<T> m = k.hyper(tf, "momentum", type);
    Operand<T> lrGrad = tf.math.mul(lr, gv.gradient());
    // ResourceApplyKerasMomentum, with ref-variable ops
    Operand<T> accumT = tf.assign(accum, tf.math.sub(tf.math.mul(m, accum), lrGrad));
    Operand<T> delta = useNesterov ? tf.math.sub(tf.math.mul(m, accumT), lrGrad) : accumT;
    return tf.assignAdd(var, delta);
  }

  /**
   * Keras's {@code _resource_apply_sparse} with momentum (ResourceSparseApplyKerasMomentum, written
   * with ref-variable gather and scatter ops): for each looked-up row i, {@code accum[i] =
   * momentum·accum[i] - lr·g[i]; var[i] += accum[i]} (Nesterov: {@code var[i] += momentum·accum[i]
   * - lr·g[i]}); other rows keep their values. Without momentum Keras's sparse SGD equals the dense
   * one (null).
   */
  @Override
  <T extends TNumber> Op applyKerasSparse(
      Ops tf, GradAndVar<T> gv, SparseRows<T> rows, KerasState k) {
    if (!(momentum > 0)) {
      return null;
    }
    Variable<T> var = gv.variable();
    Class<T> type = var.type();
    Variable<T> accum = k.slot(tf, var, "momentum", 0.0);
    Operand<T> m = k.hyper(tf, "momentum", type);
    Operand<T> lrGrad = tf.math.mul(k.learningRate(tf, type), rows.gradient());
    Operand<T> accumRows =
        tf.math.sub(tf.math.mul(m, tf.gather(accum, rows.ids(), tf.constant(0))), lrGrad);
    Operand<T> accumT = tf.scatterUpdate(accum, rows.ids(), accumRows);
    Operand<T> delta = useNesterov ? tf.math.sub(tf.math.mul(m, accumRows), lrGrad) : accumRows;
    return tf.withControlDependencies(List.of(accumT)).scatterAdd(var, rows.ids(), delta);
  }

  @Override
  public String toString() {
    return "Momentum(learning_rate="
        + learningRateText()
        + ", momentum="
        + momentum
        + ", use_nesterov="
        + useNesterov
        + ")";
  }

  /** Builder of {@link Momentum}. */
  public static final class Builder extends OptimizerBuilder<Builder> {
    private double momentum = Double.NaN;
    private boolean useNesterov = DEFAULT_USE_NESTEROV;

    private Builder() {
      super(Double.NaN);
    }

    /** The momentum (required, at least 0). */
    public Builder momentum(double momentum) {
      this.momentum = momentum;
      return this;
    }

    /** Whether to use Nesterov momentum (default false). */
    public Builder useNesterov(boolean useNesterov) {
      this.useNesterov = useNesterov;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if a value is out of range or unset
     */
    public Momentum build() {
      return new Momentum(this);
    }
  }
}
