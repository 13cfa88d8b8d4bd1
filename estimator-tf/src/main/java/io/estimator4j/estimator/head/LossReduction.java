package io.estimator4j.estimator.head;

/**
 * How a head reduces the weighted per-example losses to the training loss; the two values of
 * tf.keras.losses.Reduction that tf.estimator's heads accept.
 */
public enum LossReduction {
  /** {@code sum(losses · weights) / number of loss elements}: the default of the v2 heads. */
  SUM_OVER_BATCH_SIZE,
  /** {@code sum(losses · weights)}: the reduction of the v1 canned estimators. */
  SUM
}
