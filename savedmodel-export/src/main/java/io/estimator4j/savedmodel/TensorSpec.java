package io.estimator4j.savedmodel;

import java.util.Objects;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.family.TType;

/**
 * The dtype and shape of one input tensor (-1 for an unknown dimension, e.g. the batch); Java
 * counterpart of tf.TensorSpec.
 *
 * @param dtype tensorflow-java type class, e.g. TFloat32.class
 * @param shape shape with -1 for unknown dimensions
 */
public record TensorSpec(Class<? extends TType> dtype, Shape shape) {
  public TensorSpec {
    Objects.requireNonNull(dtype, "dtype");
    Objects.requireNonNull(shape, "shape");
    if (shape.isUnknown()) {
      throw new IllegalArgumentException(
          "TensorSpec needs a known rank (use -1 for unknown dimensions), got unknown shape");
    }
  }

  /** A spec with the given dimensions; use -1 for the batch dimension. */
  public static TensorSpec of(Class<? extends TType> dtype, long... dims) {
    return new TensorSpec(dtype, Shape.of(dims));
  }
}
