package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.head.Head;

/** A linear model over any head; Java counterpart of tf.estimator.LinearEstimator. */
public final class LinearEstimator {
  private LinearEstimator() {}

  public static LinearBuilder builder(Head head) {
    return new LinearBuilder(HeadChoice.custom(head));
  }
}
