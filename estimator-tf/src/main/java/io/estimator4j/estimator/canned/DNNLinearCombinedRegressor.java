package io.estimator4j.estimator.canned;

/** A wide-and-deep regressor; Java counterpart of tf.estimator.DNNLinearCombinedRegressor. */
public final class DNNLinearCombinedRegressor {
  private DNNLinearCombinedRegressor() {}

  /** Starts a builder; give linear and/or dnn feature columns (and dnnHiddenUnits). */
  public static CombinedBuilder builder() {
    return new CombinedBuilder(HeadChoice.regressor());
  }
}
