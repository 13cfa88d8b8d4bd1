package io.estimator4j.estimator.canned;

/** A linear classifier; Java counterpart of tf.estimator.LinearClassifier. */
public final class LinearClassifier {
  private LinearClassifier() {}

  /** Starts a builder; give at least featureColumns. */
  public static LinearBuilder builder() {
    return new LinearBuilder(HeadChoice.classifier());
  }
}
