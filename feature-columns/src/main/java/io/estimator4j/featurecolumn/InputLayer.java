package io.estimator4j.featurecolumn;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The dense input of a network built from dense columns; Java counterpart of
 * tf.compat.v1.feature_column.input_layer (and DenseFeatures).
 *
 * <p>Columns are sorted by name, each output reshaped to {@code [batch, dimension]}, and
 * concatenated along axis 1 ({@code <scope>/concat}). Column variables live in {@code
 * <scope>/<column name>/...}: with scope {@code dnn/input_from_feature_columns/input_layer} an
 * embedding of {@code occupation} is {@code
 * dnn/input_from_feature_columns/input_layer/occupation_embedding/embedding_weights}.
 */
public final class InputLayer {
  private InputLayer() {}

  /**
   * Builds the input layer.
   *
   * @param scope the layer's name scope (created once by the caller)
   * @throws IllegalArgumentException if {@code columns} is empty or two columns share a name
   */
  public static InputLayerOutput build(
      Ops scope, TransformContext ctx, List<? extends DenseColumn> columns) {
    List<DenseColumn> sorted = sortedUnique(columns, "input_layer");
    ColumnLayer layer = new ColumnLayer(scope);
    List<Operand<TFloat32>> outputs =
        ctx.inLayer(
            layer,
            () -> {
              List<Operand<TFloat32>> out = new ArrayList<>();
              for (DenseColumn column : sorted) {
                out.add(toBatchMatrix(ctx.tf(), column.denseTensor(ctx), column.dimension()));
              }
              return out;
            });
    // ConcatV2 needs two inputs; Python's concat of one tensor is an identity named concat.
    Operand<TFloat32> concat =
        outputs.size() == 1
            ? scope.withName("concat").identity(outputs.get(0))
            : scope.withName("concat").concat(outputs, scope.constant(1));
    return new InputLayerOutput(concat, sorted, layer.variables());
  }

  /** Sorts by name; rejects empty lists, nulls and duplicate names. */
  static <C extends FeatureColumn> List<C> sortedUnique(List<? extends C> columns, String what) {
    if (columns == null || columns.isEmpty()) {
      throw new IllegalArgumentException(
          "feature_columns must not be empty: " + what + " needs at least one column.");
    }
    Map<String, FeatureColumn> byName = new HashMap<>();
    for (C c : columns) {
      if (c == null) {
        throw new IllegalArgumentException("feature_columns of " + what + " contain null");
      }
      FeatureColumn previous = byName.putIfAbsent(c.name(), c);
      if (previous != null) {
        throw new IllegalArgumentException(
            "Duplicate feature column name found for columns: "
                + previous
                + " and "
                + c
                + ". Each column needs a unique name.");
      }
    }
    List<C> sorted = new ArrayList<>(columns);
    sorted.sort(Comparator.comparing(FeatureColumn::name));
    return sorted;
  }

  /** Reshapes to {@code [batch, dimension]} unless the static shape already is. */
  static Operand<TFloat32> toBatchMatrix(Ops tf, Operand<TFloat32> t, long dimension) {
    var shape = t.shape();
    if (!shape.isUnknown() && shape.numDimensions() == 2 && shape.get(1) == dimension) {
      return t;
    }
    Operand<TInt64> batch = tf.gather(tf.shape(t, TInt64.class), tf.constant(0), tf.constant(0));
    return tf.reshape(t, tf.stack(List.of(batch, tf.constant(dimension))));
  }
}
