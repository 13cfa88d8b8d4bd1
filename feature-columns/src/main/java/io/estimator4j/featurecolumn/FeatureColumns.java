package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Factories of feature columns; Java counterpart of the tf.feature_column module. Arguments are
 * validated here, with TensorFlow's messages.
 */
public final class FeatureColumns {
  private FeatureColumns() {}

  /** A scalar float feature (numeric_column(key)). */
  public static NumericColumn numericColumn(String key) {
    return new NumericColumn(key, new long[] {1}, null, null);
  }

  /**
   * numeric_column(key, shape, default_value, normalizer_fn).
   *
   * @param shape per-example shape, e.g. {@code {1}} or {@code {2, 3}}
   * @param defaultValue parse default for a missing feature, or null (required)
   * @param normalizer applied to the float values, or null
   */
  public static NumericColumn numericColumn(
      String key, long[] shape, Float defaultValue, Normalizer normalizer) {
    return new NumericColumn(key, shape, defaultValue, normalizer);
  }

  /** bucketized_column(source_column, boundaries): buckets {@code [left, right)}. */
  public static BucketizedColumn bucketizedColumn(NumericColumn source, float[] boundaries) {
    return new BucketizedColumn(source, boundaries);
  }

  /** categorical_column_with_vocabulary_list(key, vocabulary): unknown values are dropped. */
  public static VocabularyListColumn categoricalColumnWithVocabularyList(
      String key, List<String> vocabulary) {
    return new VocabularyListColumn(key, vocabulary, null, -1, 0);
  }

  /**
   * categorical_column_with_vocabulary_list(key, vocabulary, default_value, num_oov_buckets).
   *
   * @param defaultValue id of unknown values, -1 to drop them (must be -1 with OOV buckets)
   * @param numOovBuckets hash unknown values into this many extra ids
   */
  public static VocabularyListColumn categoricalColumnWithVocabularyList(
      String key, List<String> vocabulary, long defaultValue, int numOovBuckets) {
    return new VocabularyListColumn(key, vocabulary, null, defaultValue, numOovBuckets);
  }

  /** An integer vocabulary list (int64 feature). */
  public static VocabularyListColumn categoricalColumnWithVocabularyList(
      String key, long[] vocabulary) {
    return new VocabularyListColumn(key, null, vocabulary, -1, 0);
  }

  /** An integer vocabulary list with default value or OOV buckets. */
  public static VocabularyListColumn categoricalColumnWithVocabularyList(
      String key, long[] vocabulary, long defaultValue, int numOovBuckets) {
    return new VocabularyListColumn(key, null, vocabulary, defaultValue, numOovBuckets);
  }

  /** A string vocabulary file, size counted from the file, unknown values dropped. */
  public static VocabularyFileColumn categoricalColumnWithVocabularyFile(
      String key, Path vocabularyFile) {
    return new VocabularyFileColumn(key, vocabularyFile, null, 0, null, TString.class);
  }

  /**
   * categorical_column_with_vocabulary_file(key, vocabulary_file, vocabulary_size, num_oov_buckets,
   * default_value) for strings.
   *
   * @param vocabularySize entries to use (the first lines), or null to count the file's lines
   * @param defaultValue id of unknown values, or null (-1: dropped)
   */
  public static VocabularyFileColumn categoricalColumnWithVocabularyFile(
      String key, Path vocabularyFile, Long vocabularySize, int numOovBuckets, Long defaultValue) {
    return new VocabularyFileColumn(
        key, vocabularyFile, vocabularySize, numOovBuckets, defaultValue, TString.class);
  }

  /** As above with the key dtype: TString, or TInt64 for an integer vocabulary file. */
  public static VocabularyFileColumn categoricalColumnWithVocabularyFile(
      String key,
      Path vocabularyFile,
      Long vocabularySize,
      int numOovBuckets,
      Long defaultValue,
      Class<? extends TType> dtype) {
    return new VocabularyFileColumn(
        key, vocabularyFile, vocabularySize, numOovBuckets, defaultValue, dtype);
  }

  /** categorical_column_with_identity(key, num_buckets). */
  public static IdentityColumn categoricalColumnWithIdentity(String key, long numBuckets) {
    return new IdentityColumn(key, numBuckets, null);
  }

  /**
   * categorical_column_with_identity(key, num_buckets, default_value).
   *
   * @param defaultValue id of out-of-range values, or null (negatives dropped, too large fails)
   */
  public static IdentityColumn categoricalColumnWithIdentity(
      String key, long numBuckets, Long defaultValue) {
    return new IdentityColumn(key, numBuckets, defaultValue);
  }

  /** categorical_column_with_hash_bucket(key, hash_bucket_size) for a string feature. */
  public static HashedColumn categoricalColumnWithHashBucket(String key, long hashBucketSize) {
    return new HashedColumn(key, hashBucketSize, TString.class);
  }

  /** As above with the parsed dtype: TString or TInt64 (integers are hashed as strings). */
  public static HashedColumn categoricalColumnWithHashBucket(
      String key, long hashBucketSize, Class<? extends TType> dtype) {
    return new HashedColumn(key, hashBucketSize, dtype);
  }

  /**
   * crossed_column(keys, hash_bucket_size, hash_key).
   *
   * @param keysOrCategoricalColumns feature names (String) and categorical columns, at least 2
   * @param hashKey FingerprintCat64 key, or null for 0xDECAFCAFFE
   */
  public static CrossedColumn crossedColumn(
      List<?> keysOrCategoricalColumns, long hashBucketSize, Long hashKey) {
    return new CrossedColumn(keysOrCategoricalColumns, hashBucketSize, hashKey);
  }

  /** crossed_column(keys, hash_bucket_size) with the default hash key. */
  public static CrossedColumn crossedColumn(List<?> keysOrCategoricalColumns, long hashBucketSize) {
    return new CrossedColumn(keysOrCategoricalColumns, hashBucketSize, null);
  }

  /** embedding_column(categorical_column, dimension) with Python's defaults. */
  public static EmbeddingColumn embeddingColumn(CategoricalColumn column, int dimension) {
    return new EmbeddingColumn(column, dimension, EmbeddingOptions.defaults());
  }

  /** embedding_column with combiner, initializer, max_norm and trainable from {@code options}. */
  public static EmbeddingColumn embeddingColumn(
      CategoricalColumn column, int dimension, EmbeddingOptions options) {
    return new EmbeddingColumn(column, dimension, options);
  }

  /** shared_embeddings(categorical_columns, dimension) with Python's defaults. */
  public static List<DenseColumn> sharedEmbeddings(
      List<? extends CategoricalColumn> columns, int dimension) {
    return sharedEmbeddings(columns, dimension, EmbeddingOptions.defaults(), null);
  }

  /**
   * shared_embeddings(categorical_columns, dimension, combiner, initializer,
   * shared_embedding_collection_name, max_norm, trainable).
   *
   * @param collectionName scope name of the shared variable, or null for the sorted column names
   *     joined by '_' plus "_shared_embedding"
   * @return one column per input column, in input order
   */
  public static List<DenseColumn> sharedEmbeddings(
      List<? extends CategoricalColumn> columns,
      int dimension,
      EmbeddingOptions options,
      String collectionName) {
    if (columns == null || columns.isEmpty()) {
      throw new IllegalArgumentException(
          "categorical_columns of shared_embeddings must not be" + " empty");
    }
    if (dimension < 1) {
      throw new IllegalArgumentException("Invalid dimension " + dimension + ".");
    }
    EmbeddingOptions opts = options == null ? EmbeddingOptions.defaults() : options;
    List<CategoricalColumn> sorted = new ArrayList<>(columns);
    sorted.sort(Comparator.comparing(FeatureColumn::name));
    CategoricalColumn c0 = sorted.get(0);
    long numBuckets = c0.numBuckets();
    for (CategoricalColumn c : sorted.subList(1, sorted.size())) {
      if (unweighted(c).getClass() != unweighted(c0).getClass()) {
        throw new IllegalArgumentException(
            "To use shared_embedding_column, all"
                + " categorical_columns must have the same type, or be weighted_categorical_column"
                + " of the same type. Given column: "
                + c0.name()
                + " of type: "
                + unweighted(c0).getClass().getSimpleName()
                + " does not match given column: "
                + c.name()
                + " of type: "
                + unweighted(c).getClass().getSimpleName());
      }
      if (c.numBuckets() != numBuckets) {
        throw new IllegalArgumentException(
            "To use shared_embedding_column, all"
                + " categorical_columns must have the same number of buckets. Given column: "
                + c0.name()
                + " with buckets: "
                + numBuckets
                + " does not match column: "
                + c.name()
                + " with buckets: "
                + c.numBuckets());
      }
    }
    String name = collectionName;
    if (name == null || name.isEmpty()) {
      List<String> names = new ArrayList<>();
      sorted.forEach(c -> names.add(c.name()));
      name = String.join("_", names) + "_shared_embedding";
    }
    SharedEmbeddingColumn.Group group =
        new SharedEmbeddingColumn.Group(
            name, dimension, numBuckets, opts.initializerFor(dimension), opts.trainable());
    List<DenseColumn> out = new ArrayList<>();
    for (CategoricalColumn c : columns) {
      out.add(new SharedEmbeddingColumn(c, group, opts));
    }
    return List.copyOf(out);
  }

  /** indicator_column(categorical_column): multi-hot counts, or summed weights. */
  public static IndicatorColumn indicatorColumn(CategoricalColumn column) {
    return new IndicatorColumn(column);
  }

  /** weighted_categorical_column(categorical_column, weight_feature_key). */
  public static WeightedCategoricalColumn weightedCategoricalColumn(
      CategoricalColumn column, String weightFeatureKey) {
    return new WeightedCategoricalColumn(column, weightFeatureKey);
  }

  /**
   * make_parse_example_spec(feature_columns): the union of the columns' parse specs, sorted by key.
   *
   * @throws IllegalArgumentException if two columns need different specs for one key
   */
  public static Map<String, FeatureSpec> makeParseExampleSpec(
      List<? extends FeatureColumn> columns) {
    Map<String, FeatureSpec> result = new TreeMap<>();
    for (FeatureColumn column : columns) {
      if (column == null) {
        throw new IllegalArgumentException("feature_columns must not contain null");
      }
      for (var e : column.parseSpec().entrySet()) {
        FeatureSpec previous = result.get(e.getKey());
        if (previous != null && !previous.equals(e.getValue())) {
          throw new IllegalArgumentException(
              "feature_columns contain different parse_spec for"
                  + " key "
                  + e.getKey()
                  + ". Given "
                  + e.getValue()
                  + " (column "
                  + column.name()
                  + ") and "
                  + previous
                  + ". Use one spec per feature.");
        }
        result.put(e.getKey(), e.getValue());
      }
    }
    return result;
  }

  static void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException(
          "key must be a non-empty string, got " + (key == null ? "null" : "\"\""));
    }
  }

  private static CategoricalColumn unweighted(CategoricalColumn c) {
    return c instanceof WeightedCategoricalColumn w ? w.categoricalColumn() : c;
  }
}
