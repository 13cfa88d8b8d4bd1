package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import io.estimator4j.featurecolumn.parsing.FixedLenFeature;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Real-valued features; Java counterpart of tf.feature_column.numeric_column. Integer inputs are
 * cast to float32; the normalizer runs on the cast values.
 */
public final class NumericColumn implements DenseColumn {
  private final String key;
  private final long[] shape;
  private final Float defaultValue;
  private final Normalizer normalizer;
  private final long dimension;

  NumericColumn(String key, long[] shape, Float defaultValue, Normalizer normalizer) {
    FeatureColumns.checkKey(key);
    if (shape == null || shape.length == 0) {
      throw new IllegalArgumentException(
          "shape of numeric_column '"
              + key
              + "' must have at least one dimension, e.g. {1}; got "
              + Arrays.toString(shape));
    }
    long dim = 1;
    for (long d : shape) {
      if (d < 1) {
        throw new IllegalArgumentException(
            "shape dimensions of numeric_column '"
                + key
                + "' must be greater than 0; got "
                + Arrays.toString(shape));
      }
      dim *= d;
    }
    this.key = key;
    this.shape = shape.clone();
    this.defaultValue = defaultValue;
    this.normalizer = normalizer;
    this.dimension = dim;
  }

  /** The feature key. */
  public String key() {
    return key;
  }

  /** The per-example shape. */
  public long[] shape() {
    return shape.clone();
  }

  /** The parse default, or null if the feature is required. */
  public Float defaultValue() {
    return defaultValue;
  }

  @Override
  public String name() {
    return key;
  }

  @Override
  public long dimension() {
    return dimension;
  }

  @Override
  public Map<String, FeatureSpec> parseSpec() {
    return Map.of(key, new FixedLenFeature(TFloat32.class, shape, defaultValue));
  }

  @Override
  public Operand<TFloat32> denseTensor(TransformContext ctx) {
    return ctx.cached(
        this,
        () -> {
          Ops tf = ctx.tf();
          Operand<?> raw = ctx.feature(key);
          if (raw.type() == TString.class) {
            throw new IllegalArgumentException(
                "numeric_column '"
                    + key
                    + "' needs a numeric feature, found a string tensor; use a categorical column.");
          }
          @SuppressWarnings("unchecked")
          Operand<TFloat32> x =
              raw.type() == TFloat32.class
                  ? (Operand<TFloat32>) raw
                  : tf.dtypes.cast(raw, TFloat32.class);
          if (normalizer != null) {
            x = normalizer.apply(tf, x);
          }
          // Python's input_layer: reshape to (batch_size, num_elements).
          Operand<TInt64> batch =
              tf.gather(tf.shape(x, TInt64.class), tf.constant(0), tf.constant(0));
          return tf.reshape(x, tf.stack(List.of(batch, tf.constant(dimension))));
        });
  }

  @Override
  public String toString() {
    return "NumericColumn(key="
        + key
        + ", shape="
        + Arrays.toString(shape)
        + (defaultValue == null ? "" : ", default=" + defaultValue)
        + ")";
  }
}
