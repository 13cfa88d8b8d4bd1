package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.impl.EmbeddingLookup;
import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import io.estimator4j.graph.PartitionedVariable;
import io.estimator4j.graph.Variables;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A dense embedding of a categorical column; Java counterpart of
 * tf.feature_column.embedding_column. Its variable is {@code <layer scope>/<cat>_embedding/
 * embedding_weights}, shape {@code [numBuckets, dimension]}; ids are combined per example with the
 * combiner (examples without ids give zeros).
 */
public final class EmbeddingColumn implements DenseColumn {
  /** The variable name, as Python's. */
  public static final String WEIGHTS_NAME = "embedding_weights";

  private final CategoricalColumn categorical;
  private final int dimension;
  private final EmbeddingOptions options;

  EmbeddingColumn(CategoricalColumn categorical, int dimension, EmbeddingOptions options) {
    if (categorical == null) {
      throw new IllegalArgumentException("categorical_column must not be null");
    }
    if (dimension < 1) {
      throw new IllegalArgumentException(
          "Invalid dimension "
              + dimension
              + " for the embedding"
              + " of "
              + categorical.name()
              + "; it must be >= 1.");
    }
    this.categorical = categorical;
    this.dimension = dimension;
    this.options = options == null ? EmbeddingOptions.defaults() : options;
  }

  public CategoricalColumn categoricalColumn() {
    return categorical;
  }

  public EmbeddingOptions options() {
    return options;
  }

  @Override
  public String name() {
    return categorical.name() + "_embedding";
  }

  @Override
  public long dimension() {
    return dimension;
  }

  @Override
  public Map<String, FeatureSpec> parseSpec() {
    return categorical.parseSpec();
  }

  /**
   * The embedding variable of the current layer, created on first use ({@link InputLayer} and
   * {@link LinearModel} each create their own, as Python's input_layer and linear_model do).
   */
  public Variable<TFloat32> embeddingWeights(TransformContext ctx) {
    return ctx.cachedInLayer(
        this,
        "weights",
        () ->
            ctx.columnVariable(
                name(),
                WEIGHTS_NAME,
                Shape.of(categorical.numBuckets(), dimension),
                options.initializerFor(dimension),
                options.trainable()));
  }

  /**
   * The embedding variable of the current layer in parts, when the layer's state manager has a
   * partitioner (Python's {@code input_layer_partitioner}), else null; created on first use.
   */
  public PartitionedVariable partitionedEmbeddingWeights(TransformContext ctx) {
    return ctx.cachedInLayer(
        this,
        "partitioned weights",
        () ->
            ctx.columnPartitionedVariable(
                name(),
                WEIGHTS_NAME,
                Shape.of(categorical.numBuckets(), dimension),
                options.initializerFor(dimension),
                options.trainable()));
  }

  @Override
  public Operand<TFloat32> denseTensor(TransformContext ctx) {
    return ctx.cachedInLayer(
        this,
        "dense",
        () -> {
          PartitionedVariable parts = partitionedEmbeddingWeights(ctx);
          if (parts != null) {
            SparseIds ids = categorical.sparseIds(ctx);
            Ops tf = ctx.columnScope(name());
            ctx.recordLookup(tf, parts, ids.ids());
            return EmbeddingLookup.combine(
                tf, parts, ids.ids(), ids.weights(), options.combiner(), options.maxNorm());
          }
          Variable<TFloat32> weights = embeddingWeights(ctx);
          SparseIds ids = categorical.sparseIds(ctx);
          Ops tf = ctx.columnScope(name());
          ctx.recordLookup(tf, weights, ids.ids());
          return EmbeddingLookup.combine(
              tf,
              Variables.read(tf, weights),
              ids.ids(),
              ids.weights(),
              options.combiner(),
              options.maxNorm());
        });
  }

  @Override
  public String toString() {
    return "EmbeddingColumn("
        + name()
        + ", dimension="
        + dimension
        + ", combiner="
        + options.combiner()
        + ")";
  }
}
