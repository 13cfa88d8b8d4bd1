package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.impl.SparseInputs;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.types.TInt64;

/**
 * Shared logic of the categorical columns of this package: the raw ids (what Python's
 * transform_feature returns, which crossed columns hash) and the valid ids built from them.
 */
abstract class AbstractCategoricalColumn implements CategoricalColumn {

  /** Builds the raw ids: rank 2, int64, possibly negative (dropped later). */
  abstract SparseTensor<TInt64> transformIds(TransformContext ctx);

  /** The raw ids, built once per context. */
  final SparseTensor<TInt64> rawIds(TransformContext ctx) {
    return ctx.cached(this, "raw_ids", () -> transformIds(ctx));
  }

  /** Drops negative ids (missing, or unknown with default_value -1). */
  SparseTensor<TInt64> validIds(TransformContext ctx, SparseTensor<TInt64> raw) {
    var tf = ctx.tf();
    return SparseInputs.retain(tf, raw, tf.math.greaterEqual(raw.getValues(), tf.constant(0L)));
  }

  @Override
  public final SparseIds sparseIds(TransformContext ctx) {
    return ctx.cached(this, "ids", () -> new SparseIds(validIds(ctx, rawIds(ctx)), null));
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "(" + name() + ", " + numBuckets() + " buckets)";
  }
}
