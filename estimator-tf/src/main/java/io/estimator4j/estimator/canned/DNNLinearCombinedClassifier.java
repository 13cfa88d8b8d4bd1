package io.estimator4j.estimator.canned;

/** A wide-and-deep classifier; Java counterpart of tf.estimator.DNNLinearCombinedClassifier. */
public final class DNNLinearCombinedClassifier {
  private DNNLinearCombinedClassifier() {}

  /** Starts a builder; give linear and/or dnn feature columns (and dnnHiddenUnits). */
  public static CombinedBuilder builder() {
    return new CombinedBuilder(HeadChoice.classifier());
  }
}
