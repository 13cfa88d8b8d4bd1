package io.estimator4j.estimator.optimizer;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * Plain gradient descent, {@code var -= learning_rate * grad} (op ApplyGradientDescent); Java
 * counterpart of tf.compat.v1.train.GradientDescentOptimizer. It has no slots.
 *
 * <p>The TF2 form ({@link #applyGradientsV2}) is Keras's SGD without momentum (scope {@code
 * training/SGD}, hyper variables {@code decay}, {@code learning_rate} and {@code momentum} = 0).
 */
public final class GradientDescent extends BaseOptimizer<Void> {
  /** Python's default name, used as the name scope. */
  public static final String NAME = "GradientDescent";

  private GradientDescent(double learningRate, LearningRateSchedule schedule) {
    super(NAME, learningRate, schedule);
  }

  /**
   * Gradient descent with the given learning rate (Python has no default for it).
   *
   * @throws IllegalArgumentException if the learning rate is not a finite positive number
   */
  public static GradientDescent of(double learningRate) {
    return new GradientDescent(learningRate, null);
  }

  /**
   * Gradient descent whose learning rate follows {@code schedule}, evaluated at the global step of
   * each training step.
   */
  public static GradientDescent of(LearningRateSchedule schedule) {
    return new GradientDescent(Double.NaN, Objects.requireNonNull(schedule, "schedule"));
  }

  @Override
  String kerasName() {
    return "SGD";
  }

  @Override
  java.util.Map<String, Double> kerasHypers() {
    return java.util.Map.of("momentum", 0.0);
  }

  @Override
  <T extends TNumber> Op applyKeras(Ops tf, GradAndVar<T> gv, KerasState k) {
    return tf.train.applyGradientDescent(
        gv.variable(), k.learningRate(tf, gv.variable().type()), gv.gradient());
  }

  @Override
  <T extends TNumber> Op applyDense(Ops tf, GradAndVar<T> gv, Operand<T> learningRate, Void state) {
    return tf.train.applyGradientDescent(gv.variable(), learningRate, gv.gradient());
  }

  @Override
  public String toString() {
    return "GradientDescent(learning_rate=" + learningRateText() + ")";
  }
}
