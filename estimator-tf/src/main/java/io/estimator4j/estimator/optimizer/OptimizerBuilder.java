package io.estimator4j.estimator.optimizer;

import java.util.Objects;

/**
 * The learning-rate settings every optimizer builder shares, a constant or a {@link
 * LearningRateSchedule}; each optimizer's builder ({@link Adam.Builder}, {@link Ftrl.Builder}, ...)
 * extends it and adds only its own hyperparameters. Java counterpart of the {@code learning_rate}
 * argument of the tf.compat.v1.train optimizers.
 *
 * @param <B> the concrete builder, which the setters return so that calls chain
 */
public abstract class OptimizerBuilder<B extends OptimizerBuilder<B>> {
  private double learningRate;
  private LearningRateSchedule schedule;

  /**
   * @param defaultLearningRate Python's default learning rate, or NaN where Python has none (then
   *     {@code build()} fails until one is set)
   */
  OptimizerBuilder(double defaultLearningRate) {
    this.learningRate = defaultLearningRate;
  }

  /** A constant learning rate, finite and positive; replaces a schedule set before. */
  public final B learningRate(double learningRate) {
    this.learningRate = learningRate;
    this.schedule = null;
    return self();
  }

  /**
   * A learning rate that follows {@code schedule}, evaluated at the global step of each training
   * step, instead of a constant.
   */
  public final B learningRate(LearningRateSchedule schedule) {
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    return self();
  }

  /** The constant learning rate set (NaN when unset). */
  final double constantLearningRate() {
    return learningRate;
  }

  /** The schedule set, or null for a constant learning rate. */
  final LearningRateSchedule schedule() {
    return schedule;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
