package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import java.util.Map;

/**
 * A description of how to turn raw input features into model input; Java counterpart of
 * tf.feature_column.FeatureColumn. Build columns with {@link FeatureColumns}.
 */
public interface FeatureColumn {
  /** The column name, unique among the columns of one model; it names the column's variables. */
  String name();

  /** How to parse the features this column needs from tf.Example (feature key to spec). */
  Map<String, FeatureSpec> parseSpec();
}
