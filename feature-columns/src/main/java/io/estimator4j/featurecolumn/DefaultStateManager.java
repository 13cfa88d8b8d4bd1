package io.estimator4j.featurecolumn;

import io.estimator4j.graph.GraphCollections;
import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Variables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The standard {@link StateManager}: ref variables with Python's exact names, made by {@link
 * Variables}; Java counterpart of tf.compat.v1 get_variable as feature columns use it.
 *
 * <p>{@code createVariable(scope, "embedding_weights", ...)} creates the VariableV2 {@code
 * <scope>/embedding_weights}, its {@code <name>/Assign} from {@code <name>/Initializer/...} (both
 * in the graph's init scope, so {@code Session.initialize()} runs them), and the Identity {@code
 * <name>/read} that columns read the value through. Names are reserved, never made unique: a second
 * variable of the same name in one scope is an error.
 */
public final class DefaultStateManager implements StateManager {
  private final List<Variable<TFloat32>> all = new ArrayList<>();
  private final List<Variable<TFloat32>> trainable = new ArrayList<>();
  private final List<Op> tableInitializers = new ArrayList<>();

  @Override
  public Variable<TFloat32> createVariable(
      Ops scope, String name, Shape shape, Initializer init, boolean trainable) {
    Variable<TFloat32> v = Variables.global(scope, name, shape, init);
    Variables.read(scope, v);
    all.add(v);
    if (trainable) {
      this.trainable.add(v);
      GraphCollections.add(scope.scope(), GraphCollections.TRAINABLE_VARIABLES, v);
    }
    return v;
  }

  @Override
  public List<Variable<TFloat32>> trainableVariables() {
    return Collections.unmodifiableList(trainable);
  }

  /** Every variable created so far (trainable or not), in creation order. */
  public List<Variable<TFloat32>> variables() {
    return Collections.unmodifiableList(all);
  }

  @Override
  public void addTableInitializer(Op op) {
    if (op == null) {
      throw new IllegalArgumentException("table initializer must not be null");
    }
    tableInitializers.add(op);
    if (op.env() instanceof org.tensorflow.Graph graph) {
      GraphCollections.add(graph, GraphCollections.TABLE_INITIALIZERS, op.op().name());
    }
  }

  @Override
  public List<Op> tableInitializers() {
    return Collections.unmodifiableList(tableInitializers);
  }
}
