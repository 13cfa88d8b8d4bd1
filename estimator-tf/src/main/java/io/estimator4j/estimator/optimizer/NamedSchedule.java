package io.estimator4j.estimator.optimizer;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** A learning-rate schedule with a readable description (shown by the optimizers' toString). */
final class NamedSchedule implements LearningRateSchedule {
  private final String description;
  private final LearningRateSchedule body;

  NamedSchedule(String description, LearningRateSchedule body) {
    this.description = description;
    this.body = body;
  }

  @Override
  public Operand<TFloat32> value(Ops tf, Operand<TFloat32> step) {
    return body.value(tf, step);
  }

  @Override
  public String toString() {
    return description;
  }
}
