package io.estimator4j.estimator.canned;

/** A deep neural network regressor; Java counterpart of tf.estimator.DNNRegressor. */
public final class DNNRegressor {
  private DNNRegressor() {}

  /** Starts a builder; give at least hiddenUnits and featureColumns. */
  public static DnnBuilder builder() {
    return new DnnBuilder(HeadChoice.regressor());
  }
}
