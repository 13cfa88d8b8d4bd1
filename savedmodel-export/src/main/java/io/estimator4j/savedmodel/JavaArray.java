package io.estimator4j.savedmodel;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffer;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * A tensor's values copied onto the Java heap as a flat, row-major Java array with its shape, so
 * that results outlive the native tensor; the Java counterpart of the NumPy arrays a Python
 * SavedModel call returns.
 *
 * <p>The array type follows the dtype: {@code float[]} (DT_FLOAT), {@code double[]} (DT_DOUBLE),
 * {@code int[]} (DT_INT32), {@code long[]} (DT_INT64), {@code byte[]} (DT_UINT8), {@code boolean[]}
 * (DT_BOOL) and {@code byte[][]} (DT_STRING).
 *
 * @param dtype the tensor's type
 * @param shape the tensor's dimensions (empty for a scalar)
 * @param values the flat array, as listed above
 */
public record JavaArray(DataType dtype, long[] shape, Object values) {

  /** Copies {@code tensor}'s values (the tensor stays open and owned by the caller). */
  public static JavaArray of(Tensor tensor) {
    long n = tensor.shape().size();
    if (n > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException(
          "A tensor of " + n + " elements does not fit in one Java" + " array.");
    }
    int size = (int) n;
    DataType dtype = tensor.dataType();
    long[] shape = tensor.shape().asArray();
    Object values =
        switch (dtype) {
          case DT_FLOAT -> {
            float[] a = new float[size];
            tensor.asRawTensor().data().asFloats().read(a);
            yield a;
          }
          case DT_DOUBLE -> {
            double[] a = new double[size];
            tensor.asRawTensor().data().asDoubles().read(a);
            yield a;
          }
          case DT_INT32 -> {
            int[] a = new int[size];
            tensor.asRawTensor().data().asInts().read(a);
            yield a;
          }
          case DT_INT64 -> {
            long[] a = new long[size];
            tensor.asRawTensor().data().asLongs().read(a);
            yield a;
          }
          case DT_UINT8 -> {
            byte[] a = new byte[size];
            tensor.asRawTensor().data().read(a);
            yield a;
          }
          case DT_BOOL -> {
            boolean[] a = new boolean[size];
            tensor.asRawTensor().data().asBooleans().read(a);
            yield a;
          }
          case DT_STRING -> {
            DataBuffer<byte[]> buffer = DataBuffers.ofObjects(byte[].class, size);
            ((TString) tensor).asBytes().copyTo(buffer);
            byte[][] a = new byte[size][];
            buffer.read(a);
            yield a;
          }
          default ->
              throw new IllegalArgumentException(
                  "Cannot copy a "
                      + dtype
                      + " tensor to a Java"
                      + " array; supported: DT_FLOAT, DT_DOUBLE, DT_INT32, DT_INT64, DT_UINT8,"
                      + " DT_BOOL, DT_STRING.");
        };
    return new JavaArray(dtype, shape, values);
  }

  /**
   * A new tensor holding these values (the inverse of {@link #of}); the caller closes it.
   *
   * @throws IllegalArgumentException when the values do not fill the shape
   */
  public Tensor toTensor() {
    Shape s = Shape.of(shape);
    if (s.size() != size()) {
      throw new IllegalArgumentException(
          "A " + dtype + " array of " + size() + " values cannot have shape " + s + ".");
    }
    if (values instanceof float[] a) {
      return TFloat32.tensorOf(s, DataBuffers.of(a, true, false));
    } else if (values instanceof double[] a) {
      return TFloat64.tensorOf(s, DataBuffers.of(a, true, false));
    } else if (values instanceof int[] a) {
      return TInt32.tensorOf(s, DataBuffers.of(a, true, false));
    } else if (values instanceof long[] a) {
      return TInt64.tensorOf(s, DataBuffers.of(a, true, false));
    } else if (values instanceof byte[] a) {
      return TUint8.tensorOf(s, DataBuffers.of(a, true, false));
    } else if (values instanceof boolean[] a) {
      return TBool.tensorOf(s, DataBuffers.of(a, true, false));
    } else if (values instanceof byte[][] a) {
      return TString.tensorOfBytes(s, DataBuffers.ofObjects(a));
    }
    throw new IllegalArgumentException("Unsupported array " + values.getClass() + ".");
  }

  /** Number of elements. */
  public int size() {
    return values instanceof byte[][] s ? s.length : java.lang.reflect.Array.getLength(values);
  }

  /** The values of a DT_FLOAT tensor. */
  public float[] floats() {
    return as(float[].class, DataType.DT_FLOAT);
  }

  /** The values of a DT_DOUBLE tensor. */
  public double[] doubles() {
    return as(double[].class, DataType.DT_DOUBLE);
  }

  /** The values of a DT_INT32 tensor. */
  public int[] ints() {
    return as(int[].class, DataType.DT_INT32);
  }

  /** The values of a DT_INT64 tensor. */
  public long[] longs() {
    return as(long[].class, DataType.DT_INT64);
  }

  /** The values of a DT_UINT8 tensor (read them with {@code Byte.toUnsignedInt}). */
  public byte[] bytes() {
    return as(byte[].class, DataType.DT_UINT8);
  }

  /** The values of a DT_BOOL tensor. */
  public boolean[] booleans() {
    return as(boolean[].class, DataType.DT_BOOL);
  }

  /** The elements of a DT_STRING tensor, as bytes. */
  public byte[][] strings() {
    return as(byte[][].class, DataType.DT_STRING);
  }

  /** The elements of a DT_STRING tensor, decoded as UTF-8. */
  public String[] utf8Strings() {
    byte[][] s = strings();
    String[] out = new String[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = new String(s[i], StandardCharsets.UTF_8);
    }
    return out;
  }

  private <T> T as(Class<T> type, DataType expected) {
    if (!type.isInstance(values)) {
      throw new IllegalStateException(
          "This array holds "
              + dtype
              + " values, not "
              + expected
              + "; use the accessor of its type.");
    }
    return type.cast(values);
  }

  @Override
  public String toString() {
    return dtype + " " + Arrays.toString(shape);
  }
}
