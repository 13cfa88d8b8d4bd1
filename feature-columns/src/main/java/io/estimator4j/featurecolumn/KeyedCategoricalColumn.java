package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import io.estimator4j.featurecolumn.parsing.VarLenFeature;
import java.util.Map;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * A categorical column of one feature, named after its key and parsed as a VarLenFeature of one
 * dtype: the identity, hash bucket and vocabulary columns.
 */
abstract class KeyedCategoricalColumn extends AbstractCategoricalColumn {
  /** The feature key, also the column's name. */
  final String key;

  /** The dtype the feature is parsed as. */
  final Class<? extends TType> dtype;

  /** Checks the key (non-empty); the subclass checks the dtype. */
  KeyedCategoricalColumn(String key, Class<? extends TType> dtype) {
    FeatureColumns.checkKey(key);
    this.key = key;
    this.dtype = dtype;
  }

  /**
   * Refuses a dtype other than TString and TInt64, as Python's categorical columns of strings or
   * integers do.
   */
  static void checkStringOrInteger(String key, Class<? extends TType> dtype) {
    if (dtype != TString.class && dtype != TInt64.class) {
      throw new IllegalArgumentException(
          "column_name: "
              + key
              + " dtype must be string or integer (TString or TInt64); got "
              + dtype);
    }
  }

  /** The feature key the column reads. */
  public String key() {
    return key;
  }

  @Override
  public String name() {
    return key;
  }

  @Override
  public Map<String, FeatureSpec> parseSpec() {
    return Map.of(key, new VarLenFeature(dtype));
  }
}
