package io.estimator4j.checkpoint;

import java.util.Arrays;
import java.util.Objects;
import org.tensorflow.proto.DataType;

/**
 * Name, dtype and shape of one tensor stored in a checkpoint, as listed by Python's {@code
 * tf.train.list_variables} (one entry of a {@code BundleEntryProto}).
 *
 * @param name the tensor's key in the checkpoint, e.g. {@code dnn/hiddenlayer_0/kernel}
 * @param dtype its element type, e.g. {@link DataType#DT_FLOAT}
 * @param shape its dimensions; empty for a scalar (copied, never shared)
 */
public record VariableInfo(String name, DataType dtype, long[] shape) {

  /** Validates the fields and copies the shape. */
  public VariableInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dtype, "dtype");
    shape = Objects.requireNonNull(shape, "shape").clone();
  }

  /** Returns a copy of the dimensions. */
  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Returns the number of dimensions, 0 for a scalar. */
  public int rank() {
    return shape.length;
  }

  /** Returns the number of elements: the product of the dimensions, 1 for a scalar. */
  public long numElements() {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VariableInfo v
        && name.equals(v.name)
        && dtype == v.dtype
        && Arrays.equals(shape, v.shape);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dtype, Arrays.hashCode(shape));
  }

  @Override
  public String toString() {
    return name + " " + dtype + " " + Arrays.toString(shape);
  }
}
