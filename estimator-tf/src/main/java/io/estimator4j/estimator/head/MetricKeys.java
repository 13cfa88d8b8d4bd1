package io.estimator4j.estimator.head;

import io.estimator4j.estimator.modelfn.EstimatorSpec;

/**
 * Keys of the metrics and summaries heads produce; Java counterpart of tf.estimator's MetricKeys. A
 * named head appends {@code "/" + name} to each.
 */
public final class MetricKeys {
  private MetricKeys() {}

  /**
   * The regularized training loss (added to metrics by the Estimator, to summaries by heads); the
   * Estimator's {@link EstimatorSpec#LOSS_KEY}.
   */
  public static final String LOSS = EstimatorSpec.LOSS_KEY;

  /** The weighted mean of the per-example losses. */
  public static final String LOSS_MEAN = "average_loss";

  /** The regularization loss, when one is given. */
  public static final String LOSS_REGULARIZATION = "regularization_loss";

  public static final String ACCURACY = "accuracy";
  public static final String PRECISION = "precision";
  public static final String RECALL = "recall";

  /** The accuracy of always predicting the more frequent class: {@code max(mean, 1 - mean)}. */
  public static final String ACCURACY_BASELINE = "accuracy_baseline";

  /** Area under the ROC curve. */
  public static final String AUC = "auc";

  /** Area under the precision-recall curve. */
  public static final String AUC_PR = "auc_precision_recall";

  public static final String LABEL_MEAN = "label/mean";
  public static final String PREDICTION_MEAN = "prediction/mean";

  /** Threshold metric keys: patterns for {@link #atThreshold}, which formats as Python's %g. */
  public static final String ACCURACY_AT_THRESHOLD = "accuracy/positive_threshold_%s";

  public static final String PRECISION_AT_THRESHOLD = "precision/positive_threshold_%s";
  public static final String RECALL_AT_THRESHOLD = "recall/positive_threshold_%s";

  /** Per-class metrics of the multi-label head, by class id, e.g. {@code auc/class0}. */
  public static final String PROBABILITY_MEAN_AT_CLASS = "probability_mean/class%d";

  public static final String AUC_AT_CLASS = "auc/class%d";
  public static final String AUC_PR_AT_CLASS = "auc_precision_recall/class%d";

  /** Per-class metrics of the multi-label head, by vocabulary entry, e.g. {@code auc/cat}. */
  public static final String PROBABILITY_MEAN_AT_NAME = "probability_mean/%s";

  public static final String AUC_AT_NAME = "auc/%s";
  public static final String AUC_PR_AT_NAME = "auc_precision_recall/%s";

  /**
   * A threshold metric key: {@code pattern} is one of the {@code *_AT_THRESHOLD} keys, the
   * threshold written as Python's {@code '%g' % threshold} (6 significant digits, no trailing
   * zeros): {@code atThreshold(ACCURACY_AT_THRESHOLD, 0.5)} is {@code
   * accuracy/positive_threshold_0.5}.
   */
  public static String atThreshold(String pattern, double threshold) {
    return String.format(java.util.Locale.ROOT, pattern, PythonFormat.g(threshold));
  }
}
