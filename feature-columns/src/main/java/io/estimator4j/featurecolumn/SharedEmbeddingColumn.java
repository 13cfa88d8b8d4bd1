package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.impl.EmbeddingLookup;
import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Variables;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * One of a group of embedding columns that share one weight variable; Java counterpart of
 * tf.feature_column.shared_embeddings. The variable is {@code <layer scope>/<collection name>/
 * embedding_weights}, created once per context by the first column of the group that is built (the
 * collection name defaults to the sorted column names joined by '_' plus {@code
 * _shared_embedding}). Build the group with {@link FeatureColumns#sharedEmbeddings}.
 */
public final class SharedEmbeddingColumn implements DenseColumn {
  private final CategoricalColumn categorical;
  private final Group group;
  private final EmbeddingOptions options;

  /** The state the columns of one group share. */
  static final class Group {
    final String collectionName;
    final int dimension;
    final long numBuckets;
    final Initializer initializer;
    final boolean trainable;

    Group(
        String collectionName,
        int dimension,
        long numBuckets,
        Initializer initializer,
        boolean trainable) {
      this.collectionName = collectionName;
      this.dimension = dimension;
      this.numBuckets = numBuckets;
      this.initializer = initializer;
      this.trainable = trainable;
    }
  }

  SharedEmbeddingColumn(CategoricalColumn categorical, Group group, EmbeddingOptions options) {
    this.categorical = categorical;
    this.group = group;
    this.options = options;
  }

  public CategoricalColumn categoricalColumn() {
    return categorical;
  }

  /** The name scope of the shared variable. */
  public String sharedEmbeddingCollectionName() {
    return group.collectionName;
  }

  @Override
  public String name() {
    return categorical.name() + "_shared_embedding";
  }

  @Override
  public long dimension() {
    return group.dimension;
  }

  @Override
  public Map<String, FeatureSpec> parseSpec() {
    return categorical.parseSpec();
  }

  /** The shared variable, created once per context under the first layer that needs it. */
  public Variable<TFloat32> embeddingWeights(TransformContext ctx) {
    Variable<TFloat32> v =
        ctx.cachedKey(
            group,
            () ->
                ctx.columnVariable(
                    group.collectionName,
                    EmbeddingColumn.WEIGHTS_NAME,
                    Shape.of(group.numBuckets, group.dimension),
                    group.initializer,
                    group.trainable));
    ctx.recordVariable(v);
    return v;
  }

  @Override
  public Operand<TFloat32> denseTensor(TransformContext ctx) {
    return ctx.cachedInLayer(
        this,
        "dense",
        () -> {
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
    return "SharedEmbeddingColumn(" + name() + ", shared=" + group.collectionName + ")";
  }
}
