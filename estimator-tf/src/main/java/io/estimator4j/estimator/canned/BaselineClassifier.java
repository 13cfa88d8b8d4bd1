package io.estimator4j.estimator.canned;

/**
 * A baseline classifier that learns one bias and ignores the features; Java counterpart of
 * tf.estimator.BaselineClassifier.
 */
public final class BaselineClassifier {
  private BaselineClassifier() {}

  public static BaselineBuilder builder() {
    return new BaselineBuilder(HeadChoice.classifier());
  }
}
