package io.estimator4j.estimator;

/**
 * How long {@link Estimator#train} runs: {@code steps} more steps (incremental), up to an absolute
 * {@code maxSteps}, or until the input ends; the steps / max_steps arguments of
 * tf.estimator.Estimator.train.
 */
public final class StepLimit {
  private final Long steps;
  private final Long maxSteps;

  private StepLimit(Long steps, Long maxSteps) {
    this.steps = steps;
    this.maxSteps = maxSteps;
  }

  /** Train {@code steps} more steps (two calls with 10 give 20 steps in all). */
  public static StepLimit steps(long steps) {
    if (steps <= 0) {
      throw new IllegalArgumentException("steps must be > 0, got " + steps);
    }
    return new StepLimit(steps, null);
  }

  /** Train until the global step reaches {@code maxSteps}; nothing if already there. */
  public static StepLimit maxSteps(long maxSteps) {
    if (maxSteps <= 0) {
      throw new IllegalArgumentException("maxSteps must be > 0, got " + maxSteps);
    }
    return new StepLimit(null, maxSteps);
  }

  /** Train until the input function's data ends. */
  public static StepLimit untilInputEnds() {
    return new StepLimit(null, null);
  }

  public Long steps() {
    return steps;
  }

  public Long maxSteps() {
    return maxSteps;
  }

  @Override
  public String toString() {
    return steps != null
        ? "steps=" + steps
        : maxSteps != null ? "maxSteps=" + maxSteps : "until input ends";
  }
}
