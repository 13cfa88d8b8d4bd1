package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.impl.SparseInputs;
import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import io.estimator4j.featurecolumn.parsing.VarLenFeature;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * A categorical column whose ids carry weights from another feature; Java counterpart of
 * tf.feature_column.weighted_categorical_column. The weight feature has the shape of the id
 * feature; the weight of each id is read at the id's position (so dropped ids drop their weight).
 * Embeddings and linear models multiply by the weights; indicator columns sum them.
 */
public final class WeightedCategoricalColumn implements CategoricalColumn {
  private final CategoricalColumn categorical;
  private final String weightKey;

  WeightedCategoricalColumn(CategoricalColumn categorical, String weightFeatureKey) {
    if (categorical == null) {
      throw new IllegalArgumentException("categorical_column must not be null");
    }
    FeatureColumns.checkKey(weightFeatureKey);
    if (categorical.parseSpec().containsKey(weightFeatureKey)) {
      throw new IllegalArgumentException(
          "Parse config "
              + categorical.parseSpec().get(weightFeatureKey)
              + " already exists for "
              + weightFeatureKey
              + ": the weight feature must be a different feature than the ids.");
    }
    this.categorical = categorical;
    this.weightKey = weightFeatureKey;
  }

  public CategoricalColumn categoricalColumn() {
    return categorical;
  }

  public String weightFeatureKey() {
    return weightKey;
  }

  @Override
  public String name() {
    return categorical.name() + "_weighted_by_" + weightKey;
  }

  @Override
  public long numBuckets() {
    return categorical.numBuckets();
  }

  @Override
  public Map<String, FeatureSpec> parseSpec() {
    Map<String, FeatureSpec> spec = new LinkedHashMap<>(categorical.parseSpec());
    spec.put(weightKey, new VarLenFeature(TFloat32.class));
    return spec;
  }

  @Override
  public SparseIds sparseIds(TransformContext ctx) {
    return ctx.cached(
        this,
        () -> {
          SparseIds base = categorical.sparseIds(ctx);
          if (base.weights() != null) {
            throw new IllegalArgumentException(
                "weighted_categorical_column '"
                    + name()
                    + "' wraps a column that is already weighted.");
          }
          Ops tf = ctx.tf();
          Operand<TFloat32> dense = denseWeights(ctx, tf);
          Operand<TFloat32> weights = tf.gatherNd(dense, base.ids().getIndices());
          return new SparseIds(base.ids(), weights);
        });
  }

  private Operand<TFloat32> denseWeights(TransformContext ctx, Ops tf) {
    SparseTensor<?> sparse = ctx.sparseFeature(weightKey);
    Operand<?> raw;
    if (sparse != null) {
      SparseTensor<?> sp = SparseInputs.toRank2(tf, sparse);
      Operand<TFloat32> values = castToFloat(tf, sp.getValues());
      raw = tf.sparse.sparseToDense(sp.getIndices(), sp.getDenseShape(), values, tf.constant(0f));
    } else {
      raw = SparseInputs.toRank2(tf, ctx.feature(weightKey));
    }
    return castToFloat(tf, raw);
  }

  @SuppressWarnings("unchecked")
  private Operand<TFloat32> castToFloat(Ops tf, Operand<?> x) {
    if (x.type() == TString.class) {
      throw new IllegalArgumentException(
          "Bad dtype, expected float32 weights in feature '"
              + weightKey
              + "' for column '"
              + name()
              + "', but got string.");
    }
    return x.type() == TFloat32.class ? (Operand<TFloat32>) x : tf.dtypes.cast(x, TFloat32.class);
  }
}
