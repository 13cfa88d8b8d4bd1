package io.estimator4j.featurecolumn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * What {@link LinearModel#build} returns.
 *
 * @param logits {@code [batch, units]}
 * @param columnWeights each column's {@code weights} variable by column name, in sorted order
 * @param bias the {@code bias_weights} variable, shape {@code [units]}
 * @param variables every variable the model uses (weights, bias, and embedding weights of dense
 *     embedding columns), in creation order
 * @param lookedUpRows for each categorical column (by name), the ids of the rows of its weights
 *     this batch looked up, duplicates allowed: Python's {@code IndexedSlices} indices of the
 *     weights' gradient, id 0 included when an example had no id (safe_embedding_lookup_sparse
 *     fills those with 0); optimizers update only these rows
 */
public record LinearModelOutput(
    Operand<TFloat32> logits,
    Map<String, Variable<TFloat32>> columnWeights,
    Variable<TFloat32> bias,
    List<Variable<TFloat32>> variables,
    Map<String, Operand<TInt64>> lookedUpRows) {
  public LinearModelOutput {
    columnWeights = Collections.unmodifiableMap(new LinkedHashMap<>(columnWeights));
    variables = List.copyOf(variables);
    lookedUpRows = Collections.unmodifiableMap(new LinkedHashMap<>(lookedUpRows));
  }

  /** An output without looked-up rows (every update dense). */
  public LinearModelOutput(
      Operand<TFloat32> logits,
      Map<String, Variable<TFloat32>> columnWeights,
      Variable<TFloat32> bias,
      List<Variable<TFloat32>> variables) {
    this(logits, columnWeights, bias, variables, Map.of());
  }
}
