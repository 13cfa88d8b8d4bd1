package io.estimator4j.keras;

import io.estimator4j.estimator.optimizer.GradAndVar;
import io.estimator4j.estimator.optimizer.LearningRateSchedule;
import io.estimator4j.estimator.optimizer.Momentum;
import io.estimator4j.estimator.optimizer.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Keras's SGD with momentum under a learning-rate schedule: {@code v = momentum * v - lr_t * g; var
 * += v} (Nesterov: {@code var += momentum * v - lr_t * g}), what Keras's ResourceApplyKerasMomentum
 * computes.
 *
 * <p>TensorFlow's ApplyMomentum ({@code accum = momentum * accum + g; var -= lr * accum}) scales
 * the whole accumulated velocity by the current rate, which differs once the rate changes. With
 * {@code lr = 1} and the gradient scaled by {@code lr_t}, its accumulator is exactly {@code -v} and
 * the update is Keras's; so this optimizer scales the gradients and delegates to {@link Momentum}
 * (slot {@code <var>/Momentum}, holding {@code -v}).
 */
final class KerasMomentum implements Optimizer {
  private final LearningRateSchedule schedule;
  private final Momentum unitRate;

  KerasMomentum(LearningRateSchedule schedule, double momentum, boolean nesterov) {
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    this.unitRate =
        Momentum.builder().learningRate(1.0).momentum(momentum).useNesterov(nesterov).build();
  }

  @Override
  public String name() {
    return unitRate.name();
  }

  @Override
  public Op applyGradients(
      Ops tf, List<? extends GradAndVar<?>> gradsAndVars, Variable<TInt64> globalStep) {
    return unitRate.applyGradients(tf, scaled(tf, gradsAndVars, globalStep), globalStep);
  }

  @Override
  public Op applyGradientsAtStep(
      Ops tf, List<? extends GradAndVar<?>> gradsAndVars, Operand<TInt64> globalStep) {
    return unitRate.applyGradientsAtStep(tf, scaled(tf, gradsAndVars, globalStep), globalStep);
  }

  /** The gradients times the schedule's rate at {@code globalStep}. */
  private List<GradAndVar<?>> scaled(
      Ops tf, List<? extends GradAndVar<?>> gradsAndVars, Operand<TInt64> globalStep) {
    Operand<TFloat32> lr = schedule.valueAtGlobalStep(tf.withSubScope(name()), globalStep);
    List<GradAndVar<?>> scaled = new ArrayList<>();
    for (GradAndVar<?> gv : gradsAndVars) {
      scaled.add(scale(tf, gv, lr));
    }
    return scaled;
  }

  private static <T extends TNumber> GradAndVar<T> scale(
      Ops tf, GradAndVar<T> gv, Operand<TFloat32> lr) {
    Class<T> type = gv.variable().type();
    Operand<T> rate = type == TFloat32.class ? cast(lr) : tf.dtypes.cast(lr, type);
    return new GradAndVar<>(tf.math.mul(gv.gradient(), rate), gv.variable());
  }

  @SuppressWarnings("unchecked")
  private static <T extends TNumber> Operand<T> cast(Operand<TFloat32> x) {
    return (Operand<T>) x;
  }

  @Override
  public String toString() {
    return "KerasMomentum(learning_rate="
        + schedule
        + ", momentum="
        + unitRate.momentum()
        + ", nesterov="
        + unitRate.useNesterov()
        + ")";
  }
}
