package io.estimator4j.featurecolumn;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * What {@link InputLayer#build} returns.
 *
 * @param output {@code [batch, width]}: the columns' dense tensors, sorted by column name and
 *     concatenated
 * @param columns the columns in output order
 * @param variables the variables the layer uses (embedding weights), in creation order
 */
public record InputLayerOutput(
    Operand<TFloat32> output, List<DenseColumn> columns, List<Variable<TFloat32>> variables) {
  public InputLayerOutput {
    columns = List.copyOf(columns);
    variables = List.copyOf(variables);
  }

  /** The output width: the sum of the columns' dimensions. */
  public long width() {
    return columns.stream().mapToLong(DenseColumn::dimension).sum();
  }
}
