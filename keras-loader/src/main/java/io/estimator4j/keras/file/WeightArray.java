package io.estimator4j.keras.file;

import java.util.Arrays;
import java.util.Objects;
import org.tensorflow.ndarray.Shape;

/**
 * One stored weight of a Keras layer, as float32 values in row-major (C) order.
 *
 * @param name the stored name ({@code dense_1/kernel:0} in Keras 2 files, the index in Keras 3
 *     files)
 * @param shape the stored shape
 * @param values the values, {@code shape.size()} of them
 */
public record WeightArray(String name, Shape shape, float[] values) {
  public WeightArray {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(shape, "shape");
    Objects.requireNonNull(values, "values");
    if (shape.size() != values.length) {
      throw new IllegalArgumentException(
          "Weight "
              + name
              + " of shape "
              + shape
              + " needs "
              + shape.size()
              + " values; found "
              + values.length
              + ".");
    }
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape.asArray());
  }
}
