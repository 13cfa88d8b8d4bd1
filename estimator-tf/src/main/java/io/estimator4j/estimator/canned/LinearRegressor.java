package io.estimator4j.estimator.canned;

/** A linear regressor; Java counterpart of tf.estimator.LinearRegressor. */
public final class LinearRegressor {
  private LinearRegressor() {}

  /** Starts a builder; give at least featureColumns. */
  public static LinearBuilder builder() {
    return new LinearBuilder(HeadChoice.regressor());
  }
}
