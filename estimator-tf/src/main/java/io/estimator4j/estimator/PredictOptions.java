package io.estimator4j.estimator;

import java.util.List;

/**
 * Options of {@link Estimator#predict}: predict_keys, checkpoint_path and yield_single_examples of
 * tf.estimator.Estimator.predict.
 *
 * @param predictKeys prediction keys to return, or null for all
 * @param checkpointPath checkpoint to use, or null for the latest
 * @param yieldSingleExamples true to yield one example at a time, false for whole batches
 */
public record PredictOptions(
    List<String> predictKeys, String checkpointPath, boolean yieldSingleExamples) {
  public PredictOptions {
    predictKeys = predictKeys == null ? null : List.copyOf(predictKeys);
  }

  public static PredictOptions defaults() {
    return new PredictOptions(null, null, true);
  }

  public PredictOptions withKeys(String... keys) {
    return new PredictOptions(List.of(keys), checkpointPath, yieldSingleExamples);
  }

  public PredictOptions withCheckpoint(String path) {
    return new PredictOptions(predictKeys, path, yieldSingleExamples);
  }

  public PredictOptions batches() {
    return new PredictOptions(predictKeys, checkpointPath, false);
  }
}
