package io.estimator4j.featurecolumn;

import io.estimator4j.graph.GraphNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The variable scope of one layer (an input layer, a linear model, or the context's root): one
 * sub-scope per column, created on first use and reused, as tf.compat.v1.variable_scope gives each
 * column {@code <layer scope>/<column name>}.
 */
final class ColumnLayer {
  private final Ops scope;
  private final Map<String, Ops> columnScopes = new HashMap<>();
  private final Set<Variable<TFloat32>> variables = new LinkedHashSet<>();

  ColumnLayer(Ops scope) {
    this.scope = scope;
  }

  Ops scope() {
    return scope;
  }

  /** The sub-scope {@code <layer>/<name>}, created once. */
  Ops columnScope(String name) {
    return columnScopes.computeIfAbsent(name, n -> scope.withSubScope(GraphNames.scopeName(n)));
  }

  void record(Variable<TFloat32> variable) {
    variables.add(variable);
  }

  List<Variable<TFloat32>> variables() {
    return new ArrayList<>(variables);
  }
}
