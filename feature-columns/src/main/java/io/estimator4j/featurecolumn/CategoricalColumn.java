package io.estimator4j.featurecolumn;

/**
 * A column that produces sparse integer ids; Java counterpart of tf.feature_column's
 * CategoricalColumn. Wrap it in {@link FeatureColumns#embeddingColumn} or {@link
 * FeatureColumns#indicatorColumn} for a DNN, or give it to {@link LinearModel} directly.
 */
public interface CategoricalColumn extends FeatureColumn {
  /** The number of distinct ids: every id is in {@code [0, numBuckets())}. */
  long numBuckets();

  /**
   * Builds (once per graph) the rank-2 sparse ids {@code [batch, n]}, int64 in {@code [0,
   * numBuckets())}; missing and unknown values are dropped.
   */
  SparseIds sparseIds(TransformContext ctx);
}
