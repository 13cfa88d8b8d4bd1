package io.estimator4j.estimator.metrics;

/** The curve {@link Metrics#auc} integrates; Java counterpart of tf.keras.metrics.AUC's curve. */
public enum AucCurve {
  /** Receiver operating characteristic: true positive rate against false positive rate. */
  ROC,
  /** Precision against recall. */
  PR
}
