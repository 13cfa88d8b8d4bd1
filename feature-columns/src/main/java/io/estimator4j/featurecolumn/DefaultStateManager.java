package io.estimator4j.featurecolumn;

import io.estimator4j.graph.GraphCollections;
import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.PartitionedVariable;
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
  private final List<PartitionedVariable> partitioned = new ArrayList<>();
  private final PartitionedVariable.Partitioner partitioner;

  /** A manager that creates whole variables. */
  public DefaultStateManager() {
    this(null);
  }

  /**
   * A manager that creates the columns' variables in parts as {@code partitioner} decides (null:
   * whole variables); the canned estimators' {@code input_layer_partitioner} and {@code
   * partitioner}.
   */
  public DefaultStateManager(PartitionedVariable.Partitioner partitioner) {
    this.partitioner = partitioner;
  }

  @Override
  public PartitionedVariable.Partitioner partitioner() {
    return partitioner;
  }

  @Override
  public PartitionedVariable createPartitionedVariable(
      Ops scope, String name, Shape shape, Initializer init, boolean trainable) {
    if (partitioner == null) {
      throw new IllegalStateException(
          "No partitioner was given; create the DefaultStateManager with one.");
    }
    PartitionedVariable v = PartitionedVariable.create(scope, name, shape, partitioner, init);
    for (Variable<TFloat32> part : v.parts()) {
      all.add(part);
      if (trainable) {
        this.trainable.add(part);
        GraphCollections.add(scope.scope(), GraphCollections.TRAINABLE_VARIABLES, part);
      }
    }
    partitioned.add(v);
    return v;
  }

  /** The partitioned variables created so far, in creation order. */
  public List<PartitionedVariable> partitionedVariables() {
    return Collections.unmodifiableList(partitioned);
  }

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
