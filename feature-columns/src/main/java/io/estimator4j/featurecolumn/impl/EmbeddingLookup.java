package io.estimator4j.featurecolumn.impl;

import io.estimator4j.graph.PartitionedVariable;
import java.util.List;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Combines the embedding rows of sparse ids per example; Java counterpart of
 * tf.nn.safe_embedding_lookup_sparse, built from GatherV2 and UnsortedSegmentSum (both have C++
 * gradients, unlike SparseSegmentSum/Mean/SqrtN).
 *
 * <p>Semantics as TensorFlow's: for the mean and sqrtn combiners, entries with weight {@code <= 0}
 * are pruned; mean divides by the sum of weights (or the count), sqrtn by the square root of the
 * sum of squared weights (or of the count); examples without ids get zeros; {@code maxNorm} clips
 * each gathered row to that L2 norm before combining (tf.clip_by_norm).
 */
public final class EmbeddingLookup {
  /** The combiner names TensorFlow accepts. */
  public static final List<String> COMBINERS = List.of("mean", "sqrtn", "sum");

  private EmbeddingLookup() {}

  /**
   * Returns {@code [batch, dim]}: the combination of {@code params} rows selected by {@code ids}.
   *
   * @param params {@code [numBuckets, dim]}, read through an Identity
   * @param ids rank-2 sparse ids, all in {@code [0, numBuckets)}
   * @param weights {@code [N]} weights aligned with the ids' values, or null
   * @param combiner "mean", "sqrtn" or "sum"
   * @param maxNorm clip norm of each row, or null
   */
  public static Operand<TFloat32> combine(
      Ops tf,
      Operand<TFloat32> params,
      SparseTensor<TInt64> ids,
      Operand<TFloat32> weights,
      String combiner,
      Float maxNorm) {
    return combine(
        tf, rowIds -> tf.gather(params, rowIds, tf.constant(0)), ids, weights, combiner, maxNorm);
  }

  /**
   * As {@link #combine(Ops, Operand, SparseTensor, Operand, String, Float)} over a variable
   * partitioned across parameter servers: the rows are gathered from the parts that hold them with
   * the {@code div} strategy, as feature columns do in TensorFlow.
   */
  public static Operand<TFloat32> combine(
      Ops tf,
      PartitionedVariable params,
      SparseTensor<TInt64> ids,
      Operand<TFloat32> weights,
      String combiner,
      Float maxNorm) {
    return combine(
        tf,
        rowIds -> params.gather(tf, rowIds, PartitionedVariable.Strategy.DIV),
        ids,
        weights,
        combiner,
        maxNorm);
  }

  private static Operand<TFloat32> combine(
      Ops tf,
      Function<Operand<TInt64>, Operand<TFloat32>> gather,
      SparseTensor<TInt64> ids,
      Operand<TFloat32> weights,
      String combiner,
      Float maxNorm) {
    checkCombiner(combiner);
    Operand<TInt64> batch = SparseInputs.batchSize(tf, ids);
    if (weights != null && !combiner.equals("sum")) {
      Operand<TBool> positive = tf.math.greater(weights, tf.constant(0f));
      SparseTensor<TFloat32> w =
          SparseInputs.retain(
              tf, new SparseTensor<>(ids.getIndices(), weights, ids.getDenseShape()), positive);
      ids = SparseInputs.retain(tf, ids, positive);
      weights = w.getValues();
    }
    Operand<TInt64> rows = SparseInputs.rows(tf, ids);
    Operand<TFloat32> embeddings = gather.apply(ids.getValues());
    if (maxNorm != null) {
      embeddings = clipRows(tf, embeddings, maxNorm);
    }
    if (weights != null) {
      embeddings = tf.math.mul(embeddings, tf.expandDims(weights, tf.constant(1)));
    }
    Operand<TFloat32> sum = tf.math.unsortedSegmentSum(embeddings, rows, batch);
    if (combiner.equals("sum")) {
      return sum;
    }
    Operand<TFloat32> perEntry =
        weights != null ? weights : tf.onesLike(tf.dtypes.cast(ids.getValues(), TFloat32.class));
    if (combiner.equals("sqrtn")) {
      perEntry = tf.math.mul(perEntry, perEntry);
    }
    Operand<TFloat32> denominator = tf.math.unsortedSegmentSum(perEntry, rows, batch);
    if (combiner.equals("sqrtn")) {
      denominator = tf.math.sqrt(denominator);
    }
    return tf.math.divNoNan(sum, tf.expandDims(denominator, tf.constant(1)));
  }

  /** Throws unless {@code combiner} is one of {@link #COMBINERS}. */
  public static void checkCombiner(String combiner) {
    if (!COMBINERS.contains(combiner)) {
      throw new IllegalArgumentException(
          "combiner must be one of " + COMBINERS + ", got \"" + combiner + "\"");
    }
  }

  /** tf.clip_by_norm over the last axis of {@code [N, dim]}. */
  private static Operand<TFloat32> clipRows(Ops tf, Operand<TFloat32> values, float clipNorm) {
    Operand<TFloat32> l2sum =
        tf.reduceSum(
            tf.math.mul(values, values),
            tf.constant(1),
            org.tensorflow.op.core.ReduceSum.keepDims(true));
    Operand<TBool> positive = tf.math.greater(l2sum, tf.constant(0f));
    // A broadcast scalar, not OnesLike: OnesLike has no C++ gradient.
    Operand<TFloat32> safe = tf.select(positive, l2sum, tf.constant(1f));
    Operand<TFloat32> l2norm = tf.select(positive, tf.math.sqrt(safe), l2sum);
    Operand<TFloat32> norm = tf.constant(clipNorm);
    return tf.math.div(tf.math.mul(values, norm), tf.math.maximum(l2norm, norm));
  }
}
