package io.estimator4j.estimator.hook;

import org.tensorflow.Session;
import org.tensorflow.types.TInt64;

/**
 * Stops the loop at a global step; Java counterpart of tf.estimator.StopAtStepHook. Either a number
 * of steps from the step found at session start, or an absolute last step.
 */
public final class StopAtStepHook implements SessionRunHook {
  private final Long numSteps;
  private Long lastStep;
  private HookContext context;

  private StopAtStepHook(Long numSteps, Long lastStep) {
    this.numSteps = numSteps;
    this.lastStep = lastStep;
  }

  /** Stops after {@code numSteps} more steps. */
  public static StopAtStepHook numSteps(long numSteps) {
    if (numSteps <= 0) {
      throw new IllegalArgumentException("numSteps must be > 0, got " + numSteps);
    }
    return new StopAtStepHook(numSteps, null);
  }

  /** Stops once the global step reaches {@code lastStep}. */
  public static StopAtStepHook lastStep(long lastStep) {
    return new StopAtStepHook(null, lastStep);
  }

  @Override
  public void begin(HookContext context) {
    this.context = context;
  }

  @Override
  public void afterCreateSession(Session session) {
    try (var r = session.runner().fetch(context.globalStep()).run()) {
      long step = ((TInt64) r.get(0)).getLong();
      if (numSteps != null) {
        lastStep = step + numSteps;
      }
    }
  }

  /** The absolute last step (known after session creation). */
  public long lastStepValue() {
    return lastStep;
  }

  @Override
  public void afterRun(SessionRunContext ctx, SessionRunValues values) {
    if (values.globalStep() >= lastStep) {
      ctx.requestStop("reached step " + lastStep);
    }
  }
}
