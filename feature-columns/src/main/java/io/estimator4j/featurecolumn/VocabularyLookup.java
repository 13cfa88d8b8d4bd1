package io.estimator4j.featurecolumn;

import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * The id lookup shared by the vocabulary columns; Java counterpart of lookup_ops' StaticHashTable +
 * IdTableWithHashBuckets: ids from the table, and for values not in it either {@code default_value}
 * or, with OOV buckets, {@code vocab_size + StringToHashBucketFast(value) % num_oov_buckets}
 * (integers hashed through their decimal string, as_string).
 */
final class VocabularyLookup {
  private VocabularyLookup() {}

  /** Checks the vocabulary options as categorical_column_with_vocabulary_* do. */
  static void checkOptions(String key, long defaultValue, int numOovBuckets, long vocabSize) {
    if (numOovBuckets < 0) {
      throw new IllegalArgumentException(
          "Invalid num_oov_buckets " + numOovBuckets + " in " + key + "; it must be >= 0.");
    }
    if (numOovBuckets > 0 && defaultValue != -1) {
      throw new IllegalArgumentException(
          "Can't specify both num_oov_buckets and default_value in "
              + key
              + ": unknown values go to the OOV buckets, or get default_value, not both.");
    }
    if (defaultValue >= vocabSize + numOovBuckets) {
      throw new IllegalArgumentException(
          "default_value "
              + defaultValue
              + " of "
              + key
              + " is not a valid id: ids are in [0, "
              + (vocabSize + numOovBuckets)
              + "). Use -1 to drop unknown values.");
    }
  }

  /** Checks that the input and the vocabulary are both strings or both integers. */
  static void checkInputType(
      String key, Class<? extends TType> vocabType, Class<? extends TType> inputType) {
    boolean vocabIsString = vocabType == TString.class;
    boolean inputIsString = inputType == TString.class;
    if (vocabIsString != inputIsString) {
      throw new IllegalArgumentException(
          "Column dtype and SparseTensors dtype must be compatible."
              + " key: "
              + key
              + ", column dtype: "
              + (vocabIsString ? "string" : "int64")
              + ", tensor dtype: "
              + inputType.getSimpleName());
    }
  }

  /** Looks the values of {@code input} up in {@code table}; returns ids with the same indices. */
  @SuppressWarnings("unchecked")
  static SparseTensor<TInt64> lookup(
      Ops tf,
      Operand<? extends TType> table,
      SparseTensor<?> input,
      long defaultValue,
      long vocabSize,
      int numOovBuckets) {
    Operand<? extends TType> values = input.getValues();
    Operand<TInt64> ids = tf.lookupTableFind(table, values, tf.constant(defaultValue));
    if (numOovBuckets > 0) {
      Operand<TString> strings =
          values.type() == TString.class ? (Operand<TString>) values : tf.dtypes.asString(values);
      Operand<TInt64> buckets =
          tf.math.add(
              tf.strings.toHashBucketFast(strings, (long) numOovBuckets), tf.constant(vocabSize));
      ids = tf.select(tf.math.notEqual(ids, tf.constant(defaultValue)), ids, buckets);
    }
    return new SparseTensor<>(input.getIndices(), ids, input.getDenseShape());
  }
}
