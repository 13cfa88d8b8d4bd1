package io.estimator4j.featurecolumn.impl;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TIntegral;
import org.tensorflow.types.family.TType;

/**
 * Turns feature tensors into the rank-2 sparse tensors categorical columns work on; Java
 * counterpart of feature_column_v2's {@code _to_sparse_input_and_drop_ignore_values}.
 */
public final class SparseInputs {
  private SparseInputs() {}

  /** True for the integer dtypes (int32, int64, uint8, uint16). */
  public static boolean isInteger(Class<? extends TType> type) {
    return TIntegral.class.isAssignableFrom(type);
  }

  /** True for the dtypes a categorical column accepts: string and integers. */
  public static boolean isStringOrInteger(Class<? extends TType> type) {
    return type == TString.class || isInteger(type);
  }

  /**
   * Converts a dense {@code [batch, ...]} string or integer tensor to a rank-2 sparse tensor,
   * dropping missing values ({@code ""} for strings, {@code -1} for integers); integer values
   * become int64. Inputs of rank above 2 are flattened to {@code [batch, -1]} first.
   */
  @SuppressWarnings("unchecked")
  public static SparseTensor<?> fromDense(Ops tf, Operand<?> dense) {
    Operand<?> x = toRank2(tf, dense);
    Operand<TBool> keep;
    if (x.type() == TString.class) {
      keep = tf.math.notEqual((Operand<TString>) x, tf.constant(""));
    } else if (isInteger(x.type())) {
      Operand<TInt64> ints = tf.dtypes.cast(x, TInt64.class);
      x = ints;
      keep = tf.math.notEqual(ints, tf.constant(-1L));
    } else {
      throw new IllegalArgumentException(
          "Expected a string or integer tensor, found " + x.type().getSimpleName());
    }
    Operand<TInt64> indices = tf.where(keep);
    return new SparseTensor<>(indices, tf.gatherNd(x, indices), tf.shape(x, TInt64.class));
  }

  /** Casts the integer values of a sparse tensor to int64; string values are returned as is. */
  @SuppressWarnings("unchecked")
  public static SparseTensor<?> valuesToInt64(Ops tf, SparseTensor<?> sp) {
    if (sp.getValues().type() == TString.class || sp.getValues().type() == TInt64.class) {
      return sp;
    }
    if (!isInteger(sp.getValues().type())) {
      throw new IllegalArgumentException(
          "Expected string or integer values, found " + sp.getValues().type().getSimpleName());
    }
    return new SparseTensor<>(
        sp.getIndices(), tf.dtypes.cast(sp.getValues(), TInt64.class), sp.getDenseShape());
  }

  /** Reshapes a tensor of rank other than 2 to {@code [batch, -1]}. */
  public static <T extends TType> Operand<T> toRank2(Ops tf, Operand<T> x) {
    if (x.shape().numDimensions() == 2) {
      return x;
    }
    Operand<TInt64> batch = tf.gather(tf.shape(x, TInt64.class), tf.constant(0), tf.constant(0));
    return tf.reshape(x, tf.stack(List.of(batch, tf.constant(-1L))));
  }

  /** Reshapes a sparse tensor of rank other than 2 to {@code [batch, -1]}. */
  public static <T extends TType> SparseTensor<T> toRank2(Ops tf, SparseTensor<T> sp) {
    org.tensorflow.ndarray.Shape rank = sp.getDenseShape().shape();
    if (!rank.isUnknown() && rank.numDimensions() == 1 && rank.get(0) == 2) {
      return sp;
    }
    Operand<TInt64> batch = batchSize(tf, sp);
    var reshaped =
        tf.sparse.sparseReshape(
            sp.getIndices(), sp.getDenseShape(), tf.stack(List.of(batch, tf.constant(-1L))));
    return new SparseTensor<>(reshaped.outputIndices(), sp.getValues(), reshaped.outputShape());
  }

  /** Keeps the entries of {@code sp} where {@code keep} (shape [N]) is true. */
  public static <T extends TType> SparseTensor<T> retain(
      Ops tf, SparseTensor<T> sp, Operand<TBool> keep) {
    Operand<TInt64> kept = tf.reshape(tf.where(keep), tf.constant(new long[] {-1}));
    return new SparseTensor<>(
        tf.gather(sp.getIndices(), kept, tf.constant(0)),
        tf.gather(sp.getValues(), kept, tf.constant(0)),
        sp.getDenseShape());
  }

  /** The batch size (first dense dimension) of a sparse tensor, an int64 scalar. */
  public static Operand<TInt64> batchSize(Ops tf, SparseTensor<?> sp) {
    return tf.gather(sp.getDenseShape(), tf.constant(0), tf.constant(0));
  }

  /** The row (example) index of each entry of a rank-2 sparse tensor, shape [N]. */
  public static Operand<TInt64> rows(Ops tf, SparseTensor<?> sp) {
    return tf.gather(sp.getIndices(), tf.constant(0), tf.constant(1));
  }

  /**
   * The rows Python's safe_embedding_lookup_sparse looks up: the ids, and id 0 for each example
   * that has none. One SparseFillEmptyRows op, as Python's sparse_fill_empty_rows (default id 0):
   * the sparse updates deduplicate the rows, so this is the same set as the ids plus one 0 when
   * some example is empty. (Computing that flag with separate ops cost 11 nodes per column and
   * step; on the census wide model, 8 columns, about 90 of the canned step's 490 nodes.)
   */
  public static Operand<TInt64> lookedUpRows(Ops tf, SparseTensor<TInt64> ids) {
    return tf.sparse
        .sparseFillEmptyRows(
            ids.getIndices(), ids.getValues(), ids.getDenseShape(), tf.constant(0L))
        .outputValues();
  }
}
