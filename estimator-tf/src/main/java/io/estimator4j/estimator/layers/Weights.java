package io.estimator4j.estimator.layers;

import io.estimator4j.graph.Initializer;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Supplies the weights a layer asks for: new variables, restored values or constants; Java
 * counterpart of {@code tf.keras.layers.Layer.add_weight}.
 *
 * <p>The layer builders of this package ask for their weights in the order Keras creates them
 * ({@code kernel} before {@code bias}, trainable before non-trainable), so that a source holding a
 * Keras layer's weight list can serve them by position. {@link VariableWeights} creates trainable
 * graph variables.
 */
@FunctionalInterface
public interface Weights {
  /**
   * Returns the value of the weight {@code name} of the layer whose scope is {@code layerScope}.
   *
   * @param layerScope the layer's scope, e.g. {@code tf.withSubScope("conv2d")}
   * @param name the Keras weight name ({@code kernel}, {@code bias}, {@code moving_mean}, ...)
   * @param shape the weight's fully defined shape
   * @param initializer the initial value when the source has none of its own
   * @param trainable whether an optimizer should update the weight (false for moving statistics)
   * @return an operand of exactly {@code shape}
   */
  Operand<TFloat32> get(
      Ops layerScope, String name, Shape shape, Initializer initializer, boolean trainable);

  /**
   * Builds an op that sets {@code weight} (an operand this source returned from {@link #get}) to
   * {@code value}; how a layer updates its state in training, e.g. BatchNormalization's moving
   * statistics (Keras's {@code assign} of a non-trainable weight).
   *
   * @throws IllegalStateException if this source's weights cannot be assigned (constants, or an
   *     operand it did not return)
   */
  default Op assign(Ops scope, Operand<TFloat32> weight, Operand<TFloat32> value) {
    throw new IllegalStateException(
        "These weights ("
            + getClass().getSimpleName()
            + ") are not variables and cannot be"
            + " updated in training; build the layer with variable weights (e.g."
            + " VariableWeights).");
  }
}
