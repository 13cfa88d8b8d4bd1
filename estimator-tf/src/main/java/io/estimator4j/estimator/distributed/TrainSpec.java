package io.estimator4j.estimator.distributed;

import io.estimator4j.estimator.hook.CheckpointSaverListener;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.input.InputFn;
import java.util.List;
import java.util.Objects;

/**
 * The training half of {@link TrainAndEvaluate}; Java counterpart of tf.estimator.TrainSpec.
 *
 * @param inputFn training input
 * @param maxSteps absolute step to stop at, or null to train until the input ends
 * @param hooks extra training hooks
 * @param savingListeners extra checkpoint listeners
 */
public record TrainSpec(
    InputFn inputFn,
    Long maxSteps,
    List<SessionRunHook> hooks,
    List<CheckpointSaverListener> savingListeners) {
  public TrainSpec {
    Objects.requireNonNull(inputFn, "inputFn");
    if (maxSteps != null && maxSteps <= 0) {
      throw new IllegalArgumentException("maxSteps must be > 0 or null, got " + maxSteps);
    }
    hooks = List.copyOf(hooks);
    savingListeners = List.copyOf(savingListeners);
  }

  public static TrainSpec of(InputFn inputFn, Long maxSteps) {
    return new TrainSpec(inputFn, maxSteps, List.of(), List.of());
  }
}
