package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.impl.SparseInputs;
import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Stack;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A multi-hot representation of a categorical column, {@code [batch, numBuckets]}: the count of
 * each id in the example (or, for a weighted column, the sum of its weights); Java counterpart of
 * tf.feature_column.indicator_column.
 */
public final class IndicatorColumn implements DenseColumn {
  private final CategoricalColumn categorical;

  IndicatorColumn(CategoricalColumn categorical) {
    if (categorical == null) {
      throw new IllegalArgumentException("categorical_column must not be null");
    }
    this.categorical = categorical;
  }

  public CategoricalColumn categoricalColumn() {
    return categorical;
  }

  @Override
  public String name() {
    return categorical.name() + "_indicator";
  }

  @Override
  public long dimension() {
    return categorical.numBuckets();
  }

  @Override
  public Map<String, FeatureSpec> parseSpec() {
    return categorical.parseSpec();
  }

  @Override
  public Operand<TFloat32> denseTensor(TransformContext ctx) {
    return ctx.cached(
        this,
        () -> {
          Ops tf = ctx.tf();
          SparseIds ids = categorical.sparseIds(ctx);
          Operand<TInt64> rows = SparseInputs.rows(tf, ids.ids());
          Operand<TInt64> positions =
              tf.stack(List.of(rows, ids.ids().getValues()), Stack.axis(1L));
          Operand<TFloat32> updates =
              ids.weights() != null
                  ? ids.weights()
                  : tf.onesLike(tf.dtypes.cast(ids.ids().getValues(), TFloat32.class));
          Operand<TInt64> shape =
              tf.stack(List.of(SparseInputs.batchSize(tf, ids.ids()), tf.constant(dimension())));
          // ScatterNd adds duplicates: counts (or summed weights) per id.
          return tf.scatterNd(positions, updates, shape);
        });
  }

  @Override
  public String toString() {
    return "IndicatorColumn(" + name() + ")";
  }
}
