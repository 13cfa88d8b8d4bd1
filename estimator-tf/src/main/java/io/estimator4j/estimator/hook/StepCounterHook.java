package io.estimator4j.estimator.hook;

import io.estimator4j.estimator.summary.SummaryWriter;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs and records training speed as {@code global_step/sec}; Java counterpart of
 * tf.estimator.StepCounterHook.
 */
public final class StepCounterHook implements SessionRunHook {
  private static final Logger LOG = LoggerFactory.getLogger("io.estimator4j.estimator.Estimator");
  public static final String TAG = "global_step/sec";
  private final SecondOrStepTimer timer;
  private SummaryWriter writer;
  private long currentStep = -1;

  public StepCounterHook(int everyNSteps) {
    this.timer = SecondOrStepTimer.everySteps(everyNSteps);
  }

  @Override
  public void begin(HookContext context) {
    this.writer = context.summaryWriter().orElse(null);
  }

  @Override
  public void afterRun(SessionRunContext ctx, SessionRunValues values) {
    long step = values.globalStep();
    if (currentStep < 0) {
      currentStep = step - 1;
      timer.update(step);
      return;
    }
    currentStep = step;
    if (timer.shouldTrigger(step)) {
      double[] elapsed = timer.update(step);
      if (elapsed != null && elapsed[0] > 0) {
        double rate = elapsed[1] / elapsed[0];
        LOG.info(String.format(Locale.ROOT, TAG + ": %.4g", rate));
        if (writer != null) {
          writer.scalar(TAG, step, rate);
        }
      }
    }
  }
}
