package io.estimator4j.estimator.hook;

import io.estimator4j.estimator.summary.EventFileReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hooks that stop training when an evaluation metric stops improving, judged from the eval
 * directory's event files; Java counterpart of tf.estimator.experimental.stop_if_no_decrease_hook
 * and its siblings (early_stopping.py).
 */
public final class EarlyStopping {
  private static final Logger LOG = LoggerFactory.getLogger(EarlyStopping.class);

  private EarlyStopping() {}

  /** Stops when {@code metric} has not decreased for {@code maxStepsWithoutDecrease} steps. */
  public static SessionRunHook stopIfNoDecreaseHook(
      Path evalDir,
      String metric,
      long maxStepsWithoutDecrease,
      long minSteps,
      SecondOrStepTimer runEvery) {
    return predicateHook(
        () -> noImprovement(evalDir, metric, maxStepsWithoutDecrease, minSteps, true), runEvery);
  }

  /** Stops when {@code metric} has not increased for {@code maxStepsWithoutIncrease} steps. */
  public static SessionRunHook stopIfNoIncreaseHook(
      Path evalDir,
      String metric,
      long maxStepsWithoutIncrease,
      long minSteps,
      SecondOrStepTimer runEvery) {
    return predicateHook(
        () -> noImprovement(evalDir, metric, maxStepsWithoutIncrease, minSteps, false), runEvery);
  }

  /** Stops once {@code metric} is above {@code threshold} in any evaluation. */
  public static SessionRunHook stopIfHigherHook(
      Path evalDir, String metric, double threshold, long minSteps, SecondOrStepTimer runEvery) {
    return predicateHook(
        () ->
            readEval(evalDir).entrySet().stream()
                .filter(e -> e.getKey() >= minSteps && e.getValue().containsKey(metric))
                .anyMatch(e -> e.getValue().get(metric) > threshold),
        runEvery);
  }

  /** Stops once {@code metric} is below {@code threshold} in any evaluation. */
  public static SessionRunHook stopIfLowerHook(
      Path evalDir, String metric, double threshold, long minSteps, SecondOrStepTimer runEvery) {
    return predicateHook(
        () ->
            readEval(evalDir).entrySet().stream()
                .filter(e -> e.getKey() >= minSteps && e.getValue().containsKey(metric))
                .anyMatch(e -> e.getValue().get(metric) < threshold),
        runEvery);
  }

  /** A hook that stops training when {@code shouldStop} answers true, checked every period. */
  public static SessionRunHook predicateHook(BooleanSupplier shouldStop, SecondOrStepTimer every) {
    return new SessionRunHook() {
      @Override
      public void afterRun(SessionRunContext ctx, SessionRunValues values) {
        if (every.shouldTrigger(values.globalStep())) {
          every.update(values.globalStep());
          if (shouldStop.getAsBoolean()) {
            LOG.info("Early stopping at step {}.", values.globalStep());
            ctx.requestStop("early stopping");
          }
        }
      }
    };
  }

  /**
   * True when, walking evaluations by step, the best value of {@code metric} is at least {@code
   * maxSteps} steps older than some later evaluation.
   */
  static boolean noImprovement(
      Path evalDir, String metric, long maxSteps, long minSteps, boolean lowerIsBetter) {
    Double best = null;
    long bestStep = 0;
    for (Map.Entry<Long, Map<String, Double>> e : readEval(evalDir).entrySet()) {
      long step = e.getKey();
      Double v = e.getValue().get(metric);
      if (step < minSteps || v == null) {
        continue;
      }
      if (best == null || (lowerIsBetter ? v < best : v > best)) {
        best = v;
        bestStep = step;
      }
      if (step - bestStep >= maxSteps) {
        LOG.info(
            "No {} in metric '{}' for {} steps (best {} at step {}).",
            lowerIsBetter ? "decrease" : "increase",
            metric,
            step - bestStep,
            best,
            bestStep);
        return true;
      }
    }
    return false;
  }

  private static Map<Long, Map<String, Double>> readEval(Path evalDir) {
    if (!Files.isDirectory(evalDir)) {
      return Map.of();
    }
    try {
      return EventFileReader.scalarsByStep(evalDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read evaluation events in " + evalDir, e);
    }
  }
}
