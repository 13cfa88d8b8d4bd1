package io.estimator4j.featurecolumn;

import io.estimator4j.graph.GraphNames;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.HashTable;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Ids from an in-memory vocabulary; Java counterpart of
 * tf.feature_column.categorical_column_with_vocabulary_list. The vocabulary lives in a HashTable
 * initialised by InitializeTableV2 (registered with {@link StateManager#addTableInitializer}).
 */
public final class VocabularyListColumn extends KeyedCategoricalColumn {
  private final List<String> strings;
  private final long[] longs;
  private final long defaultValue;
  private final int numOovBuckets;

  VocabularyListColumn(
      String key, List<String> strings, long[] longs, long defaultValue, int numOovBuckets) {
    super(key, strings != null ? TString.class : TInt64.class);
    int size = strings != null ? strings.size() : longs == null ? 0 : longs.length;
    if (size == 0) {
      throw new IllegalArgumentException("vocabulary_list must be non-empty, column_name: " + key);
    }
    List<Object> values = new ArrayList<>();
    if (strings != null) {
      values.addAll(strings);
    } else {
      Arrays.stream(longs).forEach(values::add);
    }
    if (values.contains(null)) {
      throw new IllegalArgumentException("vocabulary_list of " + key + " contains null");
    }
    if (new HashSet<>(values).size() != values.size()) {
      throw new IllegalArgumentException(
          "Duplicate keys in vocabulary_list "
              + values
              + ", column_name: "
              + key
              + ". Each value needs exactly one id.");
    }
    VocabularyLookup.checkOptions(key, defaultValue, numOovBuckets, size);
    this.strings = strings == null ? null : List.copyOf(strings);
    this.longs = longs == null ? null : longs.clone();
    this.defaultValue = defaultValue;
    this.numOovBuckets = numOovBuckets;
  }

  /** The vocabulary size (without OOV buckets). */
  public long vocabularySize() {
    return strings != null ? strings.size() : longs.length;
  }

  /** The string vocabulary, or null for an integer vocabulary. */
  public List<String> stringVocabulary() {
    return strings;
  }

  /** The integer vocabulary, or null for a string vocabulary. */
  public long[] intVocabulary() {
    return longs == null ? null : longs.clone();
  }

  public long defaultValue() {
    return defaultValue;
  }

  public int numOovBuckets() {
    return numOovBuckets;
  }

  /** TString or TInt64. */
  public Class<? extends TType> dtype() {
    return dtype;
  }

  @Override
  public long numBuckets() {
    return vocabularySize() + numOovBuckets;
  }

  @Override
  SparseTensor<TInt64> transformIds(TransformContext ctx) {
    SparseTensor<?> input = ctx.categoricalInput(key);
    VocabularyLookup.checkInputType(key, dtype(), input.getValues().type());
    Ops tf = ctx.tf().withSubScope(GraphNames.scopeName(key + "_lookup"));
    Operand<? extends TType> keys =
        strings != null
            ? tf.constant(NdArrays.vectorOfObjects(strings.toArray(new String[0])))
            : tf.constant(longs);
    long[] ids = new long[(int) vocabularySize()];
    Arrays.setAll(ids, i -> i);
    HashTable table = tf.withName("hash_table").hashTable(dtype(), TInt64.class);
    ctx.state()
        .addTableInitializer(
            tf.withName("table_init").initializeTable(table, keys, tf.constant(ids)));
    return VocabularyLookup.lookup(tf, table, input, defaultValue, vocabularySize(), numOovBuckets);
  }
}
