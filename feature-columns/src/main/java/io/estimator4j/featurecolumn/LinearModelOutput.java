package io.estimator4j.featurecolumn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * What {@link LinearModel#build} returns.
 *
 * @param logits {@code [batch, units]}
 * @param columnWeights each column's {@code weights} variable by column name, in sorted order
 * @param bias the {@code bias_weights} variable, shape {@code [units]}
 * @param variables every variable the model uses (weights, bias, and embedding weights of dense
 *     embedding columns), in creation order
 */
public record LinearModelOutput(
    Operand<TFloat32> logits,
    Map<String, Variable<TFloat32>> columnWeights,
    Variable<TFloat32> bias,
    List<Variable<TFloat32>> variables) {
  public LinearModelOutput {
    columnWeights = Collections.unmodifiableMap(new LinkedHashMap<>(columnWeights));
    variables = List.copyOf(variables);
  }
}
