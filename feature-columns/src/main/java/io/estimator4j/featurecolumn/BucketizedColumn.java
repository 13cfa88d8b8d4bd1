package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * A numeric column discretized by boundaries; Java counterpart of
 * tf.feature_column.bucketized_column. Buckets are {@code [left, right)}: boundaries {@code [0,
 * 10]} give {@code (-inf, 0), [0, 10), [10, +inf)}. Dense, it is a one-hot per source element
 * ({@code [batch, n * (len + 1)]}); categorical, element {@code i} gives id {@code bucket + i *
 * (len + 1)}.
 */
public final class BucketizedColumn extends AbstractCategoricalColumn implements DenseColumn {
  private final NumericColumn source;
  private final float[] boundaries;
  private final long sourceDimension;

  BucketizedColumn(NumericColumn source, float[] boundaries) {
    if (source == null) {
      throw new IllegalArgumentException(
          "source_column must be a column generated with numeric_column(); got null");
    }
    if (source.shape().length > 1) {
      throw new IllegalArgumentException(
          "source_column must be one-dimensional column. Given: "
              + source
              + ". Reshape the feature to a vector.");
    }
    if (boundaries == null || boundaries.length == 0) {
      throw new IllegalArgumentException(
          "boundaries must not be empty (bucketized_column '" + source.name() + "').");
    }
    for (int i = 0; i < boundaries.length - 1; i++) {
      if (!(boundaries[i] < boundaries[i + 1])) {
        throw new IllegalArgumentException(
            "boundaries must be a sorted list (strictly "
                + "increasing); got "
                + Arrays.toString(boundaries)
                + " for bucketized_column '"
                + source.name()
                + "'.");
      }
    }
    this.source = source;
    this.boundaries = boundaries.clone();
    this.sourceDimension = source.shape()[0];
  }

  /** The numeric source column. */
  public NumericColumn sourceColumn() {
    return source;
  }

  /** The bucket boundaries. */
  public float[] boundaries() {
    return boundaries.clone();
  }

  @Override
  public String name() {
    return source.name() + "_bucketized";
  }

  @Override
  public long numBuckets() {
    return (boundaries.length + 1L) * sourceDimension;
  }

  @Override
  public long dimension() {
    return numBuckets();
  }

  @Override
  public Map<String, FeatureSpec> parseSpec() {
    return source.parseSpec();
  }

  /** The bucket index of each source element, int32 {@code [batch, n]} (tf Bucketize op). */
  public Operand<TInt32> buckets(TransformContext ctx) {
    return ctx.cached(
        this,
        () -> {
          List<Float> b = new ArrayList<>(boundaries.length);
          for (float f : boundaries) {
            b.add(f);
          }
          return ctx.tf().bucketize(source.denseTensor(ctx), b);
        });
  }

  @Override
  public Operand<TFloat32> denseTensor(TransformContext ctx) {
    return ctx.cached(
        this,
        "dense",
        () -> {
          Ops tf = ctx.tf();
          Operand<TInt32> buckets = buckets(ctx);
          Operand<TFloat32> oneHot =
              tf.oneHot(
                  buckets, tf.constant(boundaries.length + 1), tf.constant(1f), tf.constant(0f));
          Operand<TInt64> batch = batchSize(tf, buckets);
          return tf.reshape(oneHot, tf.stack(List.of(batch, tf.constant(dimension()))));
        });
  }

  @Override
  SparseTensor<TInt64> transformIds(TransformContext ctx) {
    Ops tf = ctx.tf();
    Operand<TInt32> buckets = buckets(ctx);
    Operand<TInt64> batch = batchSize(tf, buckets);
    Operand<TInt64> n = tf.constant(sourceDimension);
    Operand<TInt64> zero = tf.constant(0L);
    Operand<TInt64> one = tf.constant(1L);
    // i1: the example of each element; i2: its position in the source vector.
    Operand<TInt64> i1 =
        tf.reshape(
            tf.tile(
                tf.expandDims(tf.range(zero, batch, one), tf.constant(1)),
                tf.stack(List.of(one, n))),
            tf.constant(new long[] {-1}));
    Operand<TInt64> i2 =
        tf.tile(tf.range(zero, n, one), tf.reshape(batch, tf.constant(new long[] {1})));
    Operand<TInt64> ids =
        tf.math.add(
            tf.reshape(tf.dtypes.cast(buckets, TInt64.class), tf.constant(new long[] {-1})),
            tf.math.mul(tf.constant(boundaries.length + 1L), i2));
    Operand<TInt64> indices = tf.stack(List.of(i1, i2), Stack.axis(1L));
    return new SparseTensor<>(indices, ids, tf.stack(List.of(batch, n)));
  }

  private static Operand<TInt64> batchSize(Ops tf, Operand<?> x) {
    return tf.gather(tf.shape(x, TInt64.class), tf.constant(0), tf.constant(0));
  }
}
