package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.impl.EmbeddingLookup;
import io.estimator4j.featurecolumn.impl.SparseInputs;
import io.estimator4j.graph.Initializers;
import io.estimator4j.graph.PartitionedVariable;
import io.estimator4j.graph.Variables;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * A linear model over feature columns; Java counterpart of
 * tf.compat.v1.feature_column.linear_model.
 *
 * <p>Each column gets one zero-initialised variable {@code <scope>/<column name>/weights} of shape
 * {@code [numBuckets, units]} (categorical columns, combined per example with {@code
 * sparseCombiner} as implicit indicators, with weights for weighted columns) or {@code [dimension,
 * units]} (dense columns, matmul), plus {@code <scope>/bias_weights} {@code [units]}. Columns are
 * summed in name order and the bias added. With scope {@code linear/linear_model} the variables are
 * {@code linear/linear_model/age/weights} and {@code linear/linear_model/bias_weights}.
 *
 * <p>When the context's state manager has a partitioner (tf.estimator's Linear* {@code
 * partitioner}), each categorical column's weights are created in parts ({@code
 * .../weights/part_i}, see {@link PartitionedVariable}); such columns are absent from the output's
 * {@code columnWeights} and {@code lookedUpRows} (the parts are in {@code variables}, their rows in
 * {@link TransformContext#lookedUpRows()}). Dense columns' weights and the bias stay whole.
 */
public final class LinearModel {
  /** The weights variable name of each column. */
  public static final String WEIGHTS_NAME = "weights";

  /** The bias variable name. */
  public static final String BIAS_NAME = "bias_weights";

  private LinearModel() {}

  /**
   * Builds the model.
   *
   * @param scope the model's name scope (created once by the caller)
   * @param columns categorical or dense columns; a column that is both (bucketized) is used as
   *     categorical, as in Python
   * @param units output width (1 for regression and binary classification)
   * @param sparseCombiner "sum", "mean" or "sqrtn"
   */
  public static LinearModelOutput build(
      Ops scope,
      TransformContext ctx,
      List<? extends FeatureColumn> columns,
      int units,
      String sparseCombiner) {
    if (units < 1) {
      throw new IllegalArgumentException("units must be >= 1, got " + units);
    }
    EmbeddingLookup.checkCombiner(sparseCombiner);
    List<FeatureColumn> sorted = InputLayer.sortedUnique(columns, "linear_model");
    for (FeatureColumn c : sorted) {
      if (!(c instanceof CategoricalColumn) && !(c instanceof DenseColumn)) {
        throw new IllegalArgumentException(
            "Items of feature_columns must be either a DenseColumn"
                + " or CategoricalColumn. Given: "
                + c);
      }
    }
    ColumnLayer layer = new ColumnLayer(scope);
    Map<String, Variable<TFloat32>> weights = new LinkedHashMap<>();
    Map<String, Operand<TInt64>> rows = new LinkedHashMap<>();
    List<Operand<TFloat32>> sums =
        ctx.inLayer(
            layer,
            () -> {
              List<Operand<TFloat32>> out = new ArrayList<>();
              for (FeatureColumn c : sorted) {
                out.add(weightedSum(ctx, c, units, sparseCombiner, weights, rows));
              }
              return out;
            });
    Variable<TFloat32> bias =
        ctx.inLayer(
            layer,
            () -> {
              Variable<TFloat32> b =
                  ctx.state()
                      .createVariable(
                          scope, BIAS_NAME, Shape.of(units), Initializers.zeros(), true);
              layer.record(b);
              return b;
            });
    Operand<TFloat32> noBias =
        sums.size() == 1 ? sums.get(0) : scope.withName("weighted_sum_no_bias").math.addN(sums);
    Operand<TFloat32> logits =
        scope.withName("weighted_sum").nn.biasAdd(noBias, Variables.read(scope, bias));
    return new LinearModelOutput(logits, weights, bias, layer.variables(), rows);
  }

  private static Operand<TFloat32> weightedSum(
      TransformContext ctx,
      FeatureColumn column,
      int units,
      String combiner,
      Map<String, Variable<TFloat32>> weights,
      Map<String, Operand<TInt64>> rows) {
    if (column instanceof CategoricalColumn cat) {
      SparseIds ids = cat.sparseIds(ctx);
      PartitionedVariable parts =
          ctx.columnPartitionedVariable(
              column.name(),
              WEIGHTS_NAME,
              Shape.of(cat.numBuckets(), units),
              Initializers.zeros(),
              true);
      if (parts != null) {
        // in parts (the context's partitioner): looked up across them, each part's rows recorded
        // with the context (TransformContext.lookedUpRows), not in columnWeights/lookedUpRows
        Ops tf = ctx.columnScope(column.name());
        ctx.recordLookup(tf, parts, ids.ids());
        return EmbeddingLookup.combine(tf, parts, ids.ids(), ids.weights(), combiner, null);
      }
      Variable<TFloat32> w =
          ctx.columnVariable(
              column.name(),
              WEIGHTS_NAME,
              Shape.of(cat.numBuckets(), units),
              Initializers.zeros(),
              true);
      weights.put(column.name(), w);
      Ops tf = ctx.columnScope(column.name());
      rows.put(column.name(), SparseInputs.lookedUpRows(tf, ids.ids()));
      return EmbeddingLookup.combine(
          tf, Variables.read(tf, w), ids.ids(), ids.weights(), combiner, null);
    }
    DenseColumn dense = (DenseColumn) column;
    Operand<TFloat32> x =
        InputLayer.toBatchMatrix(ctx.tf(), dense.denseTensor(ctx), dense.dimension());
    Variable<TFloat32> w =
        ctx.columnVariable(
            column.name(),
            WEIGHTS_NAME,
            Shape.of(dense.dimension(), units),
            Initializers.zeros(),
            true);
    weights.put(column.name(), w);
    Ops tf = ctx.columnScope(column.name());
    return tf.withName("weighted_sum").linalg.matMul(x, Variables.read(tf, w));
  }
}
