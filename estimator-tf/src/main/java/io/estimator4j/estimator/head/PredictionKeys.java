package io.estimator4j.estimator.head;

/** Keys of the predictions heads return; Java counterpart of tf.estimator's PredictionKeys. */
public final class PredictionKeys {
  private PredictionKeys() {}

  /** The logits the head was given. */
  public static final String LOGITS = "logits";

  /** Binary classification: sigmoid(logits), the probability of class 1. */
  public static final String LOGISTIC = "logistic";

  /** Per-class probabilities. */
  public static final String PROBABILITIES = "probabilities";

  /** The predicted class id, int64 {@code [batch, 1]}. */
  public static final String CLASS_IDS = "class_ids";

  /** The predicted class as a string (id or vocabulary entry); all classes for multi-label. */
  public static final String CLASSES = "classes";

  /** Every class id, int32 {@code [batch, n_classes]}. */
  public static final String ALL_CLASS_IDS = "all_class_ids";

  /** Every class as a string, {@code [batch, n_classes]}. */
  public static final String ALL_CLASSES = "all_classes";

  /** Regression: the predicted values. */
  public static final String PREDICTIONS = "predictions";
}
