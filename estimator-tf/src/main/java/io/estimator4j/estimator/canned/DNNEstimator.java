package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.head.Head;

/** A deep neural network over any head; Java counterpart of tf.estimator.DNNEstimator. */
public final class DNNEstimator {
  private DNNEstimator() {}

  public static DnnBuilder builder(Head head) {
    return new DnnBuilder(HeadChoice.custom(head));
  }
}
