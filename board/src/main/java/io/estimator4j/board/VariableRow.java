package io.estimator4j.board;

import java.util.List;
import java.util.stream.LongStream;
import org.tensorflow.proto.DataType;

/**
 * One variable in the side panel.
 *
 * @param name the variable's name, e.g. {@code dnn/hiddenlayer_0/kernel}
 * @param shape its dimensions, or null when unknown
 * @param dtype TensorFlow's dtype name, e.g. {@code DT_FLOAT}
 * @param bytes elements times the dtype's size, or -1 when unknown (strings, unknown shapes)
 */
public record VariableRow(String name, List<Long> shape, String dtype, long bytes) {

  static VariableRow of(String name, DataType dtype, long[] shape) {
    long bytes = -1;
    if (shape != null && LongStream.of(shape).allMatch(d -> d >= 0)) {
      long elements = LongStream.of(shape).reduce(1, (a, b) -> a * b);
      int size = dtypeSize(dtype);
      bytes = size > 0 ? elements * size : -1;
    }
    return new VariableRow(
        name, shape == null ? null : LongStream.of(shape).boxed().toList(), dtype.name(), bytes);
  }

  /** Bytes per element of a fixed-size dtype, or -1 (strings, resources, variants). */
  static int dtypeSize(DataType dtype) {
    return switch (dtype) {
      case DT_BOOL, DT_INT8, DT_UINT8, DT_QINT8, DT_QUINT8 -> 1;
      case DT_HALF, DT_BFLOAT16, DT_INT16, DT_UINT16, DT_QINT16, DT_QUINT16 -> 2;
      case DT_FLOAT, DT_INT32, DT_UINT32, DT_QINT32 -> 4;
      case DT_DOUBLE, DT_INT64, DT_UINT64, DT_COMPLEX64 -> 8;
      case DT_COMPLEX128 -> 16;
      default -> -1;
    };
  }
}
