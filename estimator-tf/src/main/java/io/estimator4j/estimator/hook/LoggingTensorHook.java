package io.estimator4j.estimator.hook;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;

/**
 * Logs tensor values every N steps, as {@code loss = 0.52, step = 100 (0.213 sec)}; Java
 * counterpart of tf.estimator.LoggingTensorHook.
 */
public final class LoggingTensorHook implements SessionRunHook {
  private static final Logger LOG = LoggerFactory.getLogger("io.estimator4j.estimator.Estimator");
  private final Map<String, Operand<?>> tensors;
  private final SecondOrStepTimer timer;
  private final boolean includeStep;
  private boolean triggered;
  private long currentStep = -1;

  /**
   * @param tensors tensors to log, by display name (scalars print as numbers, others as shapes)
   * @param everyNIter log cadence in steps
   * @param includeStep append {@code step = N} like the Estimator's own logging hook
   */
  public LoggingTensorHook(
      Map<String, ? extends Operand<?>> tensors, int everyNIter, boolean includeStep) {
    this.tensors = new LinkedHashMap<>(tensors);
    this.timer = SecondOrStepTimer.everySteps(everyNIter);
    this.includeStep = includeStep;
  }

  @Override
  public SessionRunArgs beforeRun(SessionRunContext ctx) {
    triggered = timer.shouldTrigger(currentStep + 1);
    return triggered ? SessionRunArgs.fetch(tensors) : SessionRunArgs.NONE;
  }

  @Override
  public void afterRun(SessionRunContext ctx, SessionRunValues values) {
    currentStep = values.globalStep();
    if (!triggered) {
      return;
    }
    double[] elapsed = timer.update(currentStep);
    StringJoiner line = new StringJoiner(", ");
    for (String name : tensors.keySet()) {
      line.add(name + " = " + format(values.get(name), name));
    }
    if (includeStep) {
      line.add("step = " + currentStep);
    }
    String text = line.toString();
    if (elapsed != null) {
      text += String.format(Locale.ROOT, " (%.3f sec)", elapsed[0]);
    }
    LOG.info(text);
  }

  private static String format(Tensor t, String name) {
    if (t.shape().size() == 1) {
      try {
        double v = SessionRunValues.scalarOf(t, name);
        return String.format(Locale.ROOT, "%.6g", v);
      } catch (IllegalArgumentException e) {
        return t.dataType() + t.shape().toString();
      }
    }
    return t.dataType() + t.shape().toString();
  }
}
