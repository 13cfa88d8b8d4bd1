package io.estimator4j.estimator.distributed;

import io.estimator4j.estimator.Exporter;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.input.InputFn;
import java.util.List;
import java.util.Objects;

/**
 * The evaluation half of {@link TrainAndEvaluate}; Java counterpart of tf.estimator.EvalSpec.
 *
 * @param inputFn evaluation input
 * @param steps batches per evaluation, or null for the whole input (TensorFlow's default is 100)
 * @param name evaluation name (events in eval_&lt;name&gt;), or null
 * @param hooks evaluation hooks
 * @param exporters run after each evaluation
 * @param startDelaySecs distributed evaluator start delay (unused locally)
 * @param throttleSecs minimum seconds between evaluations; they happen after checkpoint saves
 */
public record EvalSpec(
    InputFn inputFn,
    Long steps,
    String name,
    List<SessionRunHook> hooks,
    List<Exporter> exporters,
    int startDelaySecs,
    int throttleSecs) {
  public static final long DEFAULT_STEPS = 100;
  public static final int DEFAULT_START_DELAY_SECS = 120;
  public static final int DEFAULT_THROTTLE_SECS = 600;

  public EvalSpec {
    Objects.requireNonNull(inputFn, "inputFn");
    if (steps != null && steps <= 0) {
      throw new IllegalArgumentException("steps must be > 0 or null, got " + steps);
    }
    if (throttleSecs < 0 || startDelaySecs < 0) {
      throw new IllegalArgumentException("throttleSecs and startDelaySecs must be >= 0");
    }
    hooks = List.copyOf(hooks);
    exporters = List.copyOf(exporters);
    if (exporters.stream().map(Exporter::name).distinct().count() != exporters.size()) {
      throw new IllegalArgumentException(
          "Exporter names must be unique: " + exporters.stream().map(Exporter::name).toList());
    }
  }

  /** TensorFlow's defaults: 100 steps, throttle 600 s, no exporters. */
  public static EvalSpec of(InputFn inputFn) {
    return new EvalSpec(
        inputFn,
        DEFAULT_STEPS,
        null,
        List.of(),
        List.of(),
        DEFAULT_START_DELAY_SECS,
        DEFAULT_THROTTLE_SECS);
  }

  public EvalSpec withSteps(Long evalSteps) {
    return new EvalSpec(inputFn, evalSteps, name, hooks, exporters, startDelaySecs, throttleSecs);
  }

  public EvalSpec withExporters(List<Exporter> list) {
    return new EvalSpec(inputFn, steps, name, hooks, list, startDelaySecs, throttleSecs);
  }

  public EvalSpec withThrottleSecs(int secs) {
    return new EvalSpec(inputFn, steps, name, hooks, exporters, startDelaySecs, secs);
  }

  public EvalSpec withName(String evalName) {
    return new EvalSpec(inputFn, steps, evalName, hooks, exporters, startDelaySecs, throttleSecs);
  }
}
