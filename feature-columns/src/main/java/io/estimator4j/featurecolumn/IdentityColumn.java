package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.impl.SparseInputs;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.AssertThat;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt64;

/**
 * Integer features used directly as ids; Java counterpart of
 * tf.feature_column.categorical_column_with_identity.
 *
 * <p>With {@code defaultValue} set, values outside {@code [0, numBuckets)} get it. Without,
 * negative values are dropped and a value {@code >= numBuckets} fails the step with an assertion
 * naming the column (where Python fails later, in the embedding lookup).
 */
public final class IdentityColumn extends KeyedCategoricalColumn {
  private final long numBuckets;
  private final Long defaultValue;

  IdentityColumn(String key, long numBuckets, Long defaultValue) {
    super(key, TInt64.class);
    if (numBuckets < 1) {
      throw new IllegalArgumentException("num_buckets " + numBuckets + " < 1, column_name " + key);
    }
    if (defaultValue != null && (defaultValue < 0 || defaultValue >= numBuckets)) {
      throw new IllegalArgumentException(
          "default_value "
              + defaultValue
              + " not in range [0, "
              + numBuckets
              + "), column_name "
              + key);
    }
    this.numBuckets = numBuckets;
    this.defaultValue = defaultValue;
  }

  /** The id given to out-of-range values, or null (drop negatives, fail on too large). */
  public Long defaultValue() {
    return defaultValue;
  }

  @Override
  public long numBuckets() {
    return numBuckets;
  }

  @Override
  @SuppressWarnings("unchecked")
  SparseTensor<TInt64> transformIds(TransformContext ctx) {
    SparseTensor<?> input = ctx.categoricalInput(key);
    if (input.getValues().type() != TInt64.class) {
      throw new IllegalArgumentException(
          "Invalid input, not integer. key: "
              + key
              + " dtype: "
              + input.getValues().type().getSimpleName());
    }
    Operand<TInt64> values = (Operand<TInt64>) input.getValues();
    if (defaultValue != null) {
      Ops tf = ctx.tf();
      Operand<TBool> outOfRange =
          tf.math.logicalOr(
              tf.math.less(values, tf.constant(0L)),
              tf.math.greaterEqual(values, tf.constant(numBuckets)));
      values = tf.select(outOfRange, tf.fill(tf.shape(values), tf.constant(defaultValue)), values);
    }
    return new SparseTensor<>(input.getIndices(), values, input.getDenseShape());
  }

  @Override
  SparseTensor<TInt64> validIds(TransformContext ctx, SparseTensor<TInt64> raw) {
    if (defaultValue != null) {
      return raw;
    }
    Ops tf = ctx.tf();
    Operand<TInt64> values = raw.getValues();
    AssertThat inRange =
        tf.assertThat(
            tf.reduceAll(tf.math.less(values, tf.constant(numBuckets)), tf.constant(0)),
            List.of(
                tf.constant(
                    "Column "
                        + key
                        + " (categorical_column_with_identity): input"
                        + " values must be < num_buckets = "
                        + numBuckets
                        + ". Set default_value to map them"
                        + " to a bucket, or raise num_buckets. Values:"),
                values));
    Operand<TInt64> checked = tf.withControlDependencies(List.of(inRange)).identity(values);
    SparseTensor<TInt64> ids = new SparseTensor<>(raw.getIndices(), checked, raw.getDenseShape());
    return SparseInputs.retain(tf, ids, tf.math.greaterEqual(checked, tf.constant(0L)));
  }
}
