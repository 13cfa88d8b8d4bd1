package io.estimator4j.serving;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.savedmodel.JavaArray;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
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
 * TF Serving's JSON tensor encoding ({@code util/json_tensor.cc}): nested JSON lists to tensors of
 * a signature's dtypes, {@code {"b64": "..."}} for binary strings, and tensors back to JSON
 * (strings of outputs whose name ends in {@code _bytes} as {@code {"b64": ...}}).
 */
final class JsonTensors {
  private JsonTensors() {}

  /** TF Serving's dtype names in messages ({@code DataTypeString}). */
  static String dtypeName(DataType t) {
    return switch (t) {
      case DT_FLOAT -> "float";
      case DT_DOUBLE -> "double";
      case DT_INT32 -> "int32";
      case DT_INT64 -> "int64";
      case DT_UINT8 -> "uint8";
      case DT_STRING -> "string";
      case DT_BOOL -> "bool";
      default -> t.name().substring(3).toLowerCase(java.util.Locale.ROOT);
    };
  }

  /** rapidjson's type names, as TF Serving's messages use them. */
  private static String jsonType(JsonNode v) {
    if (v.isNull()) {
      return "Null";
    }
    if (v.isBoolean()) {
      return v.booleanValue() ? "True" : "False";
    }
    if (v.isObject()) {
      return "Object";
    }
    if (v.isArray()) {
      return "Array";
    }
    if (v.isTextual()) {
      return "String";
    }
    return "Number";
  }

  static ServingException typeError(JsonNode v, DataType t) {
    return ServingException.invalid(
        "JSON Value: "
            + abbreviate(v.toString())
            + " Type: "
            + jsonType(v)
            + " is not of expected type: "
            + dtypeName(t));
  }

  static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }

  static boolean isB64(JsonNode v) {
    return v.isObject() && v.size() == 1 && v.has("b64");
  }

  /** The shape of a nested JSON list (a scalar: rank 0); ragged lists fail. */
  static long[] shapeOf(JsonNode v, String name) {
    List<Long> dims = new ArrayList<>();
    JsonNode cur = v;
    while (cur.isArray()) {
      dims.add((long) cur.size());
      if (cur.isEmpty()) {
        break;
      }
      cur = cur.get(0);
    }
    long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
    checkShape(v, shape, 0, name);
    return shape;
  }

  private static void checkShape(JsonNode v, long[] shape, int depth, String name) {
    if (depth == shape.length) {
      if (v.isArray()) {
        throw ServingException.invalid(
            "Expecting tensor '"
                + name
                + "' to be a rectangular list of rank "
                + shape.length
                + ", but a list is nested deeper: "
                + abbreviate(v.toString()));
      }
      return;
    }
    if (!v.isArray() || v.size() != shape[depth]) {
      throw ServingException.invalid(
          "Expecting tensor size: "
              + shape[depth]
              + " at dimension "
              + depth
              + " of '"
              + name
              + "' but got: "
              + (v.isArray() ? v.size() : "a scalar")
              + " (all lists at one level must have the same length)");
    }
    for (JsonNode c : v) {
      checkShape(c, shape, depth + 1, name);
    }
  }

  /** Leaves of a nested list in row-major order. */
  static void leaves(JsonNode v, List<JsonNode> out) {
    if (v.isArray()) {
      for (JsonNode c : v) {
        leaves(c, out);
      }
    } else {
      out.add(v);
    }
  }

  /** A tensor of {@code dtype} and {@code shape} from JSON scalars (checked one by one). */
  static Tensor tensor(DataType dtype, long[] shape, List<JsonNode> values) {
    Shape s = Shape.of(shape);
    int n = values.size();
    switch (dtype) {
      case DT_FLOAT -> {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
          a[i] = (float) decimal(values.get(i), dtype);
        }
        return TFloat32.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_DOUBLE -> {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
          a[i] = decimal(values.get(i), dtype);
        }
        return TFloat64.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_INT32 -> {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
          JsonNode v = values.get(i);
          if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw typeError(v, dtype);
          }
          a[i] = v.intValue();
        }
        return TInt32.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_INT64 -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
          JsonNode v = values.get(i);
          if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw typeError(v, dtype);
          }
          a[i] = v.longValue();
        }
        return TInt64.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_UINT8 -> {
        byte[] a = new byte[n];
        for (int i = 0; i < n; i++) {
          JsonNode v = values.get(i);
          if (!v.isIntegralNumber() || v.longValue() < 0 || v.longValue() > 255) {
            throw typeError(v, dtype);
          }
          a[i] = (byte) v.intValue();
        }
        return TUint8.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_BOOL -> {
        boolean[] a = new boolean[n];
        for (int i = 0; i < n; i++) {
          JsonNode v = values.get(i);
          if (!v.isBoolean()) {
            throw typeError(v, dtype);
          }
          a[i] = v.booleanValue();
        }
        return TBool.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_STRING -> {
        byte[][] a = new byte[n][];
        for (int i = 0; i < n; i++) {
          a[i] = bytes(values.get(i), dtype);
        }
        return TString.tensorOfBytes(s, DataBuffers.ofObjects(a));
      }
      default ->
          throw ServingException.invalid(
              "Conversion of JSON Value to tensor of type "
                  + dtypeName(dtype)
                  + " is not supported");
    }
  }

  private static double decimal(JsonNode v, DataType dtype) {
    // Any JSON number (JavaScript's JSON.stringify writes 1.0 as 1), and the NaN and Infinity
    // literals rapidjson's kParseNanAndInfFlag reads; a string such as "NaN" is a type error.
    if (!v.isNumber()) {
      throw typeError(v, dtype);
    }
    double d = v.doubleValue();
    if (dtype == DataType.DT_FLOAT && Double.isFinite(d) && Float.isInfinite((float) d)) {
      throw ServingException.invalid(
          "JSON Value: " + v + " is out of range for type: " + dtypeName(dtype));
    }
    return d;
  }

  static byte[] bytes(JsonNode v, DataType dtype) {
    if (v.isTextual()) {
      return v.textValue().getBytes(StandardCharsets.UTF_8);
    }
    if (isB64(v)) {
      JsonNode b = v.get("b64");
      if (!b.isTextual()) {
        throw ServingException.invalid(
            "JSON Value: " + abbreviate(v.toString()) + " expecting \"b64\" to be a String");
      }
      try {
        return Base64.getDecoder().decode(b.textValue());
      } catch (IllegalArgumentException e) {
        throw ServingException.invalid(
            "Unable to base64 decode: " + abbreviate(b.textValue()) + " (" + e.getMessage() + ")");
      }
    }
    throw typeError(v, dtype);
  }

  // ---- tensors to JSON ----

  /** Writes element {@code index} along dimension 0 of {@code a} (or all of it: index -1). */
  static void write(StringBuilder out, JavaArray a, int index, boolean binary) {
    long[] shape = a.shape();
    if (index < 0) {
      writeRange(out, a, shape, 0, 0, binary);
    } else {
      long inner = 1;
      for (int d = 1; d < shape.length; d++) {
        inner *= shape[d];
      }
      writeRange(out, a, shape, 1, index * inner, binary);
    }
  }

  private static long writeRange(
      StringBuilder out, JavaArray a, long[] shape, int dim, long offset, boolean binary) {
    if (dim == shape.length) {
      writeScalar(out, a, (int) offset, binary);
      return offset + 1;
    }
    out.append('[');
    long pos = offset;
    for (long i = 0; i < shape[dim]; i++) {
      if (i > 0) {
        out.append(", ");
      }
      pos = writeRange(out, a, shape, dim + 1, pos, binary);
    }
    out.append(']');
    if (shape[dim] == 0) {
      long rest = 1;
      for (int d = dim + 1; d < shape.length; d++) {
        rest *= shape[d];
      }
      pos += 0 * rest;
    }
    return pos;
  }

  private static void writeScalar(StringBuilder out, JavaArray a, int i, boolean binary) {
    switch (a.dtype()) {
      case DT_FLOAT -> out.append(formatFloat(a.floats()[i]));
      case DT_DOUBLE -> out.append(formatDouble(a.doubles()[i]));
      case DT_INT32 -> out.append(a.ints()[i]);
      case DT_INT64 -> out.append(a.longs()[i]);
      case DT_UINT8 -> out.append(a.bytes()[i] & 0xff);
      case DT_BOOL -> out.append(a.booleans()[i]);
      case DT_STRING -> {
        byte[] b = a.strings()[i];
        String text = binary ? null : utf8(b);
        if (text == null) {
          out.append("{\"b64\": \"").append(Base64.getEncoder().encodeToString(b)).append("\"}");
        } else {
          out.append(Json.quote(text));
        }
      }
      default -> out.append(Json.quote(String.valueOf(java.lang.reflect.Array.get(a.values(), i))));
    }
  }

  private static String utf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** Shortest decimal that reads back as the same float, always with a fraction or exponent. */
  static String formatFloat(float f) {
    if (Float.isNaN(f)) {
      return "NaN";
    }
    if (Float.isInfinite(f)) {
      return f > 0 ? "Infinity" : "-Infinity";
    }
    return plain(Float.toString(f));
  }

  static String formatDouble(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "Infinity" : "-Infinity";
    }
    return plain(Double.toString(d));
  }

  private static String plain(String s) {
    int e = s.indexOf('E');
    if (e < 0) {
      return s;
    }
    // 1.0E-5 -> 1e-05 style is rapidjson's; JSON readers take either: keep Java's mantissa.
    return s.substring(0, e) + "e" + s.substring(e + 1);
  }
}
