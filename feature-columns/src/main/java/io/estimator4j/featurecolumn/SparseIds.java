package io.estimator4j.featurecolumn;

import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The output of a categorical column; Java counterpart of CategoricalColumn.IdWeightPair.
 *
 * @param ids rank-2 sparse ids {@code [batch, n]}, int64 in {@code [0, numBuckets)}
 * @param weights one weight per id value (shape {@code [N]}, aligned with {@code ids.getValues()}),
 *     or null unless the column is weighted
 */
public record SparseIds(SparseTensor<TInt64> ids, Operand<TFloat32> weights) {
  public SparseIds {
    if (ids == null) {
      throw new IllegalArgumentException("ids must not be null");
    }
  }
}
