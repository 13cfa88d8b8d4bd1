package io.estimator4j.estimator.layers;

import io.estimator4j.graph.GraphCollections;
import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Variables;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * {@link Weights} that creates one global variable per weight, named {@code <layer scope>/<name>}
 * and initialised by the given initializer, and remembers it so that the caller can hand the
 * trainable ones to an optimizer explicitly; what Keras layers do in graph mode.
 */
public final class VariableWeights implements Weights {
  private final List<Variable<TFloat32>> trainable = new ArrayList<>();
  private final List<Variable<TFloat32>> nonTrainable = new ArrayList<>();
  private final Map<String, Variable<TFloat32>> byRead = new HashMap<>();

  @Override
  public Operand<TFloat32> get(
      Ops layerScope, String name, Shape shape, Initializer initializer, boolean trainable) {
    return track(layerScope, Variables.global(layerScope, name, shape, initializer), trainable);
  }

  /**
   * Like {@link #get}, but the variable has no initializer ({@link Variables#assignedByOwner}): the
   * caller assigns it (through {@link #assign}) before any run reads it.
   */
  public Operand<TFloat32> getAssignedByOwner(
      Ops layerScope, String name, Shape shape, boolean trainable) {
    return track(layerScope, Variables.assignedByOwner(layerScope, name, shape), trainable);
  }

  private Operand<TFloat32> track(Ops layerScope, Variable<TFloat32> variable, boolean trainable) {
    (trainable ? this.trainable : nonTrainable).add(variable);
    if (trainable) {
      GraphCollections.add(layerScope.scope(), GraphCollections.TRAINABLE_VARIABLES, variable);
    }
    Operand<TFloat32> read = Variables.read(layerScope, variable);
    byRead.put(read.op().name(), variable);
    return read;
  }

  @Override
  public Op assign(Ops scope, Operand<TFloat32> weight, Operand<TFloat32> value) {
    Variable<TFloat32> variable = byRead.get(weight.op().name());
    if (variable == null) {
      throw new IllegalStateException(
          "'"
              + weight.op().name()
              + "' is not a weight these VariableWeights created (constant"
              + " weights cannot be updated).");
    }
    return scope.assign(variable, value);
  }

  /** The trainable variables created so far, in creation order. */
  public List<Variable<TFloat32>> trainableVariables() {
    return Collections.unmodifiableList(trainable);
  }

  /** The variables no optimizer should update (moving statistics), in creation order. */
  public List<Variable<TFloat32>> nonTrainableVariables() {
    return Collections.unmodifiableList(nonTrainable);
  }
}
