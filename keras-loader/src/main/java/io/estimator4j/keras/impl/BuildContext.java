package io.estimator4j.keras.impl;

import io.estimator4j.estimator.layers.Initializer;
import io.estimator4j.estimator.layers.Initializers;
import io.estimator4j.estimator.layers.Names;
import io.estimator4j.keras.WeightArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** What every layer of one model build shares: the graph, the weight mode, the variables made. */
public final class BuildContext {
  private final Graph graph;
  private final Ops root;
  private final boolean constants;
  private final boolean keras3;
  private final String source;
  private final List<Variable<TFloat32>> trainable = new ArrayList<>();
  private final List<Variable<TFloat32>> nonTrainable = new ArrayList<>();

  /**
   * @param constants stored weights become constants instead of variables
   * @param keras3 the model was saved by Keras 3 (its defaults and activations differ)
   * @param source the file name, for messages
   */
  public BuildContext(Graph graph, boolean constants, boolean keras3, String source) {
    this(Ops.create(graph), constants, keras3, source);
  }

  /**
   * A build into the graph of {@code root} (e.g. an Estimator's model function scope).
   *
   * @param constants stored weights become constants instead of variables
   * @param keras3 the model was saved by Keras 3 (its defaults and activations differ)
   * @param source the file name, for messages
   */
  public BuildContext(Ops root, boolean constants, boolean keras3, String source) {
    this.graph = (Graph) root.scope().env();
    this.root = root;
    this.constants = constants;
    this.keras3 = keras3;
    this.source = source;
  }

  public Graph graph() {
    return graph;
  }

  public Ops root() {
    return root;
  }

  public boolean keras3() {
    return keras3;
  }

  public String source() {
    return source;
  }

  public List<Variable<TFloat32>> trainableVariables() {
    return Collections.unmodifiableList(trainable);
  }

  public List<Variable<TFloat32>> nonTrainableVariables() {
    return Collections.unmodifiableList(nonTrainable);
  }

  /**
   * Creates one weight: a constant holding the stored values (constant mode), or a variable
   * {@code <scope>/<name>} initialised to the stored values, or by {@code initializer} when the
   * file holds none.
   */
  Operand<TFloat32> createWeight(
      Ops scope, String name, Shape shape, Initializer initializer, boolean isTrainable,
      WeightArray stored) {
    if (stored != null && constants) {
      return scope.withName(name).constant(shape, DataBuffers.of(stored.values(), true, false));
    }
    Initializer init = stored != null ? Initializers.values(stored.values()) : initializer;
    Variable<TFloat32> v = Names.globalVariable(scope, name, tf -> init.create(tf, shape));
    (isTrainable ? trainable : nonTrainable).add(v);
    return Names.read(scope, v);
  }
}
