package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.head.Head;

/** Wide and deep over any head; Java counterpart of tf.estimator.DNNLinearCombinedEstimator. */
public final class DNNLinearCombinedEstimator {
  private DNNLinearCombinedEstimator() {}

  public static CombinedBuilder builder(Head head) {
    return new CombinedBuilder(HeadChoice.custom(head));
  }
}
