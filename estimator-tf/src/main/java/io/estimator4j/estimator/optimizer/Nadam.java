package io.estimator4j.estimator.optimizer;

import io.estimator4j.graph.Variables;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * Nadam, Adam with Nesterov momentum, as tf.keras 2.x's {@code Nadam} (OptimizerV2, {@code
 * nadam.py}) computes it at step t (1, 2, ...), with {@code μ_t = β1·(1 - ½·0.96^(decay·t))} and
 * {@code m_schedule = Π μ_1..μ_t} (the non-slot {@code momentum_cache}, starting at 1):
 *
 * <pre>
 * ĝ = g / (1 - m_schedule_t)
 * m = β1·m + (1-β1)·g;        m̂ = m / (1 - m_schedule_t·μ_{t+1})
 * v = β2·v + (1-β2)·g²;       v̂ = v / (1 - β2^t)
 * var -= lr · ((1-μ_t)·ĝ + μ_{t+1}·m̂) / (sqrt(v̂) + ε)
 * </pre>
 *
 * <p>{@code decay} is Keras's {@code schedule_decay} (default 0.004); the learning rate itself is
 * not decayed. Slots {@code <var>/Nadam} (m) and {@code <var>/Nadam_1} (v); the step count is the
 * non-slot {@code nadam_iterations}. float32 variables only.
 */
public final class Nadam extends BaseOptimizer<Nadam.State> {
  /** The name scope and slot name. */
  public static final String NAME = "Nadam";

  public static final double DEFAULT_LEARNING_RATE = 0.001;
  public static final double DEFAULT_BETA1 = 0.9;
  public static final double DEFAULT_BETA2 = 0.999;
  public static final double DEFAULT_EPSILON = 1e-7;

  /** Keras's default {@code schedule_decay}. */
  public static final double DEFAULT_SCHEDULE_DECAY = 0.004;

  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final double scheduleDecay;

  /**
   * The values shared by every variable's update of one step.
   *
   * @param iterations the TF1 form's step count variable (t - 1 before the step); null in the Keras
   *     form, which counts in the optimizer's iterations
   * @param beta1 β1
   * @param beta2 β2
   * @param mt μ_t
   * @param mt1 μ_{t+1}
   * @param scheduleNew m_schedule_t, written back to momentum_cache
   * @param scheduleNext m_schedule_t · μ_{t+1}
   * @param v2Denominator 1 - β2^t
   */
  record State(
      Variable<TFloat32> iterations,
      Operand<TFloat32> beta1,
      Operand<TFloat32> beta2,
      Operand<TFloat32> mt,
      Operand<TFloat32> mt1,
      Operand<TFloat32> scheduleNew,
      Operand<TFloat32> scheduleNext,
      Operand<TFloat32> v2Denominator) {}

  private Nadam(Builder b) {
    super(NAME, b);
    checkBeta("beta1", b.beta1());
    checkBeta("beta2", b.beta2());
    checkNonNegative("epsilon", b.epsilon());
    checkNonNegative("schedule_decay", b.scheduleDecay);
    this.beta1 = b.beta1();
    this.beta2 = b.beta2();
    this.epsilon = b.epsilon();
    this.scheduleDecay = b.scheduleDecay;
  }

  /** A builder starting from tf.keras's defaults. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  State prepare(Ops tf, List<? extends GradAndVar<?>> gradsAndVars) {
    gradsAndVars.forEach(Nadam::checkFloat32);
    Variable<TFloat32> cache = nonSlot(tf, "momentum_cache", TFloat32.class, 1);
    Variable<TFloat32> iterations = nonSlot(tf, "nadam_iterations", TFloat32.class, 0);
    return state(
        tf,
        iterations,
        cache,
        tf.math.add(iterations, tf.constant(1f)),
        tf.constant((float) beta1),
        tf.constant((float) beta2));
  }

  private static void checkFloat32(GradAndVar<?> gv) {
    if (gv.variable().type() != TFloat32.class) {
      throw new IllegalArgumentException(
          "Nadam updates float32 variables; " + gv.variableName() + " is " + gv.variable().type());
    }
  }

  /** The step's schedule values at step t (1, 2, ...), updating {@code cache} to m_schedule_t. */
  private State state(
      Ops tf,
      Variable<TFloat32> iterations,
      Variable<TFloat32> cache,
      Operand<TFloat32> t,
      Operand<TFloat32> b1,
      Operand<TFloat32> b2) {
    Operand<TFloat32> next = tf.math.add(t, tf.constant(1f));
    Operand<TFloat32> mt = momentum(tf, b1, t);
    Operand<TFloat32> mt1 = momentum(tf, b1, next);
    Operand<TFloat32> scheduleNew = tf.assign(cache, tf.math.mul(cache, mt));
    Operand<TFloat32> scheduleNext = tf.math.mul(scheduleNew, mt1);
    Operand<TFloat32> v2 = tf.math.sub(tf.constant(1f), tf.math.pow(b2, t));
    return new State(iterations, b1, b2, mt, mt1, scheduleNew, scheduleNext, v2);
  }

  /** μ = β1·(1 - ½·0.96^(decay·step)). */
  private Operand<TFloat32> momentum(Ops tf, Operand<TFloat32> b1, Operand<TFloat32> step) {
    Operand<TFloat32> power =
        tf.math.pow(tf.constant(0.96f), tf.math.mul(tf.constant((float) scheduleDecay), step));
    return tf.math.mul(b1, tf.math.sub(tf.constant(1f), tf.math.mul(tf.constant(0.5f), power)));
  }

  @Override
  @SuppressWarnings("unchecked")
  <T extends TNumber> Op applyDense(Ops tf, GradAndVar<T> gv, Operand<T> learningRate, State s) {
    Variable<TFloat32> var = (Variable<TFloat32>) gv.variable();
    return update(
        tf,
        var,
        (Operand<TFloat32>) gv.gradient(),
        (Operand<TFloat32>) learningRate,
        slot(tf, var, NAME, 0.0),
        slot(tf, var, NAME + "_1", 0.0),
        s);
  }

  @Override
  Map<String, Double> kerasHypers() {
    // Keras keeps schedule_decay as its decay hyper (the learning rate itself is not decayed)
    return Map.of("beta_1", beta1, "beta_2", beta2, "decay", scheduleDecay);
  }

  /**
   * The Keras form (nadam.py's {@code _prepare_local} and {@code _resource_apply_dense}): slots
   * {@code training/Nadam/<var>/m} and {@code .../v}, the non-slot {@code training/Nadam/
   * momentum_cache} updated once per step, t = iterations + 1.
   */
  @Override
  @SuppressWarnings("unchecked")
  <T extends TNumber> Op applyKeras(Ops tf, GradAndVar<T> gv, KerasState k) {
    checkFloat32(gv);
    State s =
        k.shared(
            "nadam",
            scope ->
                state(
                    scope,
                    null,
                    Variables.global(
                        scope, "momentum_cache", init -> init.withName("ones").constant(1f)),
                    k.localStep(scope, TFloat32.class),
                    k.hyper(scope, "beta_1", TFloat32.class),
                    k.hyper(scope, "beta_2", TFloat32.class)));
    Variable<TFloat32> var = (Variable<TFloat32>) gv.variable();
    return update(
        tf,
        var,
        (Operand<TFloat32>) gv.gradient(),
        k.learningRate(tf, TFloat32.class),
        k.slot(tf, var, "m", 0.0),
        k.slot(tf, var, "v", 0.0),
        s);
  }

  /** One variable's update, the same in both forms. */
  private Op update(
      Ops tf,
      Variable<TFloat32> var,
      Operand<TFloat32> g,
      Operand<TFloat32> lr,
      Variable<TFloat32> m,
      Variable<TFloat32> v,
      State s) {
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> gPrime = tf.math.div(g, tf.math.sub(one, s.scheduleNew()));
    Operand<TFloat32> mNew =
        tf.assign(
            m, tf.math.add(tf.math.mul(s.beta1(), m), tf.math.mul(tf.math.sub(one, s.beta1()), g)));
    Operand<TFloat32> mPrime = tf.math.div(mNew, tf.math.sub(one, s.scheduleNext()));
    Operand<TFloat32> vNew =
        tf.assign(
            v,
            tf.math.add(
                tf.math.mul(s.beta2(), v),
                tf.math.mul(tf.math.sub(one, s.beta2()), tf.math.square(g))));
    Operand<TFloat32> vPrime = tf.math.div(vNew, s.v2Denominator());
    Operand<TFloat32> mBar =
        tf.math.add(tf.math.mul(tf.math.sub(one, s.mt()), gPrime), tf.math.mul(s.mt1(), mPrime));
    Operand<TFloat32> step =
        tf.math.div(
            tf.math.mul(lr, mBar), tf.math.add(tf.math.sqrt(vPrime), tf.constant((float) epsilon)));
    return tf.assignSub(var, step);
  }

  @Override
  List<Op> finish(Ops tf, List<Op> updates, State s) {
    Ops after = tf.withControlDependencies(updates);
    return List.of(after.assignAdd(s.iterations(), after.constant(1f)));
  }

  @Override
  public String toString() {
    return "Nadam(learning_rate="
        + learningRateText()
        + ", beta1="
        + beta1
        + ", beta2="
        + beta2
        + ", epsilon="
        + epsilon
        + ", schedule_decay="
        + scheduleDecay
        + ")";
  }

  /** Builder of {@link Nadam}, starting from tf.keras's defaults. */
  public static final class Builder extends MomentsBuilder<Builder> {
    private double scheduleDecay = DEFAULT_SCHEDULE_DECAY;

    private Builder() {
      super(DEFAULT_LEARNING_RATE, DEFAULT_EPSILON);
    }

    /** Keras's {@code schedule_decay} (saved as {@code decay}), default 0.004. */
    public Builder scheduleDecay(double scheduleDecay) {
      this.scheduleDecay = scheduleDecay;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if a value is out of range
     */
    public Nadam build() {
      return new Nadam(this);
    }
  }
}
