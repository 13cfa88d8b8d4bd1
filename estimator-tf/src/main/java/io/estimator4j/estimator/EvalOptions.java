package io.estimator4j.estimator;

import io.estimator4j.estimator.hook.SessionRunHook;
import java.util.List;

/**
 * Options of {@link Estimator#evaluate}: the steps, checkpoint_path, name and hooks arguments of
 * tf.estimator.Estimator.evaluate.
 *
 * @param steps batches to evaluate, or null to run until the input ends
 * @param checkpointPath checkpoint to evaluate, or null for the latest
 * @param name evaluation name (events go to eval_&lt;name&gt;), or null for "eval"
 * @param hooks extra hooks for the evaluation loop
 */
public record EvalOptions(
    Long steps, String checkpointPath, String name, List<SessionRunHook> hooks) {
  public EvalOptions {
    if (steps != null && steps <= 0) {
      throw new IllegalArgumentException(
          "steps must be > 0 or null (until input ends), got " + steps);
    }
    hooks = List.copyOf(hooks);
  }

  public static EvalOptions defaults() {
    return new EvalOptions(null, null, null, List.of());
  }

  public EvalOptions withSteps(long steps) {
    return new EvalOptions(steps, checkpointPath, name, hooks);
  }

  public EvalOptions withCheckpoint(String path) {
    return new EvalOptions(steps, path, name, hooks);
  }

  public EvalOptions withName(String evalName) {
    return new EvalOptions(steps, checkpointPath, evalName, hooks);
  }

  public EvalOptions withHooks(List<SessionRunHook> more) {
    return new EvalOptions(steps, checkpointPath, name, more);
  }
}
