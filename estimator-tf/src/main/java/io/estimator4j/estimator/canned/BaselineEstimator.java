package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.head.Head;

/** A baseline over any head; Java counterpart of tf.estimator.BaselineEstimator. */
public final class BaselineEstimator {
  private BaselineEstimator() {}

  public static BaselineBuilder builder(Head head) {
    return new BaselineBuilder(HeadChoice.custom(head));
  }
}
