package io.estimator4j.keras;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A tiny test-only reader of NumPy {@code .npy} files (format 1.0/2.0/3.0, little-endian float32,
 * float64, int32, int64, uint8, C order), enough for the Keras reference cases. The product's
 * reader is io.estimator4j.npy.Npy in savedmodel-export.
 */
final class TestNpy {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|=]?)(\\w\\d+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  /** The array: its shape and its values as float32. */
  record Array(Shape shape, float[] values) {
    TFloat32 toTensor() {
      return TFloat32.tensorOf(shape, DataBuffers.of(values, true, false));
    }
  }

  private TestNpy() {}

  static Array read(Path path) throws IOException {
    byte[] bytes = Files.readAllBytes(path);
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    if (bytes.length < 10 || bytes[0] != (byte) 0x93 || bytes[1] != 'N' || bytes[2] != 'U') {
      throw new IOException(path + " is not a .npy file");
    }
    int major = bytes[6];
    int headerLength;
    int start;
    if (major == 1) {
      headerLength = b.getShort(8) & 0xffff;
      start = 10;
    } else {
      headerLength = b.getInt(8);
      start = 12;
    }
    String header = new String(bytes, start, headerLength, StandardCharsets.ISO_8859_1);
    Matcher d = DESCR.matcher(header);
    Matcher f = FORTRAN.matcher(header);
    Matcher s = SHAPE.matcher(header);
    if (!d.find() || !f.find() || !s.find()) {
      throw new IOException(path + " has an unreadable header: " + header);
    }
    if (d.group(1).equals(">")) {
      throw new IOException(path + " is big-endian; only little-endian is read");
    }
    if (f.group(1).equals("True")) {
      throw new IOException(path + " is in Fortran order; only C order is read");
    }
    String[] parts = s.group(1).split(",");
    long[] dims = new long[0];
    java.util.List<Long> list = new java.util.ArrayList<>();
    for (String p : parts) {
      if (!p.isBlank()) {
        list.add(Long.parseLong(p.trim()));
      }
    }
    dims = list.stream().mapToLong(Long::longValue).toArray();
    Shape shape = Shape.of(dims);
    int n = (int) shape.size();
    float[] values = new float[n];
    int data = start + headerLength;
    String type = d.group(2);
    for (int i = 0; i < n; i++) {
      values[i] =
          switch (type) {
            case "f4" -> b.getFloat(data + 4 * i);
            case "f8" -> (float) b.getDouble(data + 8 * i);
            case "i4" -> b.getInt(data + 4 * i);
            case "i8" -> b.getLong(data + 8 * i);
            case "u1" -> bytes[data + i] & 0xff;
            default -> throw new IOException(path + " has the unsupported dtype " + type);
          };
    }
    return new Array(shape, values);
  }
}
