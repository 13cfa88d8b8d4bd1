package io.estimator4j.estimator.layers;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** An {@link Activation} that carries its Keras name, so that {@code toString()} reads well. */
record NamedActivation(String name, Activation function) implements Activation {
  @Override
  public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
    return function.apply(tf, x);
  }

  @Override
  public String toString() {
    return name;
  }
}
