package io.estimator4j.estimator.canned;

/**
 * A baseline regressor that learns one bias and ignores the features; Java counterpart of
 * tf.estimator.BaselineRegressor.
 */
public final class BaselineRegressor {
  private BaselineRegressor() {}

  public static BaselineBuilder builder() {
    return new BaselineBuilder(HeadChoice.regressor());
  }
}
