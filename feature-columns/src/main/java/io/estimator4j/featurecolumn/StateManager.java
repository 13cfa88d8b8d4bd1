package io.estimator4j.featurecolumn;

import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.PartitionedVariable;
import java.util.List;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * Where columns create their variables and lookup tables; Java counterpart of
 * feature_column_v2.StateManager. {@link DefaultStateManager} is the standard implementation.
 */
public interface StateManager {
  /**
   * Creates the variable {@code <scope>/<name>} of the given shape.
   *
   * @param scope the name scope of the variable (e.g. {@code
   *     dnn/input_from_feature_columns/input_layer/occupation_embedding})
   * @param trainable whether the variable appears in {@link #trainableVariables()}
   */
  Variable<TFloat32> createVariable(
      Ops scope, String name, Shape shape, Initializer init, boolean trainable);

  /**
   * The partitioner of the variables columns create (Python's {@code variable_scope(partitioner=)}
   * around the layer), or null to create whole variables (the default).
   */
  default PartitionedVariable.Partitioner partitioner() {
    return null;
  }

  /**
   * Creates the variable {@code <scope>/<name>} in parts {@code <name>/part_i} as {@link
   * #partitioner()} decides; the parts are trainable variables of their own.
   *
   * @throws UnsupportedOperationException if this manager does not partition
   */
  default PartitionedVariable createPartitionedVariable(
      Ops scope, String name, Shape shape, Initializer init, boolean trainable) {
    throw new UnsupportedOperationException(
        getClass().getSimpleName() + " does not create partitioned variables");
  }

  /** The trainable variables created so far, in creation order. */
  List<Variable<TFloat32>> trainableVariables();

  /** Registers a lookup-table initializer, to run once after the session starts. */
  void addTableInitializer(Op op);

  /** The table initializers registered so far (Python's tables_initializer group). */
  List<Op> tableInitializers();
}
