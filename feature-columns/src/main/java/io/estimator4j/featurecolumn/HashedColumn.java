package io.estimator4j.featurecolumn;

import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Ids by hashing: {@code StringToHashBucketFast(value) % hash_bucket_size} (FarmHash Fingerprint64,
 * TensorFlow's own op, so ids equal Python's); integers are hashed through their decimal string
 * (as_string). Java counterpart of tf.feature_column.categorical_column_with_hash_bucket.
 */
public final class HashedColumn extends KeyedCategoricalColumn {
  private final long hashBucketSize;

  HashedColumn(String key, long hashBucketSize, Class<? extends TType> dtype) {
    super(key, dtype);
    if (hashBucketSize < 1) {
      throw new IllegalArgumentException(
          "hash_bucket_size must be at least 1. hash_bucket_size: "
              + hashBucketSize
              + ", key: "
              + key);
    }
    checkStringOrInteger(key, dtype);
    this.hashBucketSize = hashBucketSize;
  }

  public long hashBucketSize() {
    return hashBucketSize;
  }

  /** The parsed dtype: TString or TInt64. */
  public Class<? extends TType> dtype() {
    return dtype;
  }

  @Override
  public long numBuckets() {
    return hashBucketSize;
  }

  @Override
  @SuppressWarnings("unchecked")
  SparseTensor<TInt64> transformIds(TransformContext ctx) {
    Ops tf = ctx.tf();
    SparseTensor<?> input = ctx.categoricalInput(key);
    Operand<?> values = input.getValues();
    Operand<TString> strings =
        values.type() == TString.class ? (Operand<TString>) values : tf.dtypes.asString(values);
    Operand<TInt64> ids = tf.strings.toHashBucketFast(strings, hashBucketSize);
    return new SparseTensor<>(input.getIndices(), ids, input.getDenseShape());
  }
}
