package io.estimator4j.estimator.canned;

/** A deep neural network classifier; Java counterpart of tf.estimator.DNNClassifier. */
public final class DNNClassifier {
  private DNNClassifier() {}

  /** Starts a builder; give at least hiddenUnits and featureColumns. */
  public static DnnBuilder builder() {
    return new DnnBuilder(HeadChoice.classifier());
  }
}
