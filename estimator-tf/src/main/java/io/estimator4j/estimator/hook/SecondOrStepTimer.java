package io.estimator4j.estimator.hook;

/**
 * Fires every N steps or every N seconds; Java counterpart of tf.estimator.SecondOrStepTimer. Not
 * thread-safe: one loop owns it.
 */
public final class SecondOrStepTimer {
  private final Integer everySteps;
  private final Double everySecs;
  private long lastStep = Long.MIN_VALUE;
  private long lastNanos;

  private SecondOrStepTimer(Integer everySteps, Double everySecs) {
    if ((everySteps == null) == (everySecs == null)) {
      throw new IllegalArgumentException("Give exactly one of everySteps and everySecs");
    }
    if (everySteps != null && everySteps <= 0 || everySecs != null && everySecs <= 0) {
      throw new IllegalArgumentException(
          "Timer cadence must be > 0, got steps=" + everySteps + " secs=" + everySecs);
    }
    this.everySteps = everySteps;
    this.everySecs = everySecs;
  }

  public static SecondOrStepTimer everySteps(int steps) {
    return new SecondOrStepTimer(steps, null);
  }

  public static SecondOrStepTimer everySecs(double secs) {
    return new SecondOrStepTimer(null, secs);
  }

  /** True if the timer has never fired or its period has elapsed at {@code step}. */
  public boolean shouldTrigger(long step) {
    if (lastStep == Long.MIN_VALUE) {
      return true;
    }
    if (step == lastStep) {
      return false;
    }
    if (everySteps != null) {
      return step >= lastStep + everySteps;
    }
    return (System.nanoTime() - lastNanos) / 1e9 >= everySecs;
  }

  /** Records a firing; returns seconds and steps since the previous one (null the first time). */
  public double[] update(long step) {
    long now = System.nanoTime();
    double[] elapsed =
        lastStep == Long.MIN_VALUE ? null : new double[] {(now - lastNanos) / 1e9, step - lastStep};
    lastStep = step;
    lastNanos = now;
    return elapsed;
  }

  public long lastTriggeredStep() {
    return lastStep;
  }
}
