package io.estimator4j.graph;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Builds the initial value of a variable as graph ops; Java counterpart of tf.keras.initializers
 * and of the tf.compat.v1 initializers that feature columns use. Ready-made ones are in {@link
 * Initializers}; {@link Variables} creates the variables they initialise.
 */
@FunctionalInterface
public interface Initializer {
  /**
   * Returns the initial value for a variable of the given fully defined shape.
   *
   * @param tf the scope the ops go in (for a variable, its init-scope {@code
   *     <variable>/Initializer})
   * @param shape the variable's shape, every dimension known
   * @return an operand of exactly that shape
   */
  Operand<TFloat32> create(Ops tf, Shape shape);
}
