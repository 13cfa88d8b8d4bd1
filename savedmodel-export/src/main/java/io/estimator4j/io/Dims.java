package io.estimator4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.Locale;

/**
 * The one checked reader of the sizes that files declare: dimensions, counts, lengths and the
 * element counts and byte sizes they imply. Keras configs, HDF5 datasets, {@code .npy} headers and
 * TFRecord frames pass every such number through here before anything is allocated or handed to
 * TensorFlow, so that a damaged or hostile file gets an {@link IllegalArgumentException} naming the
 * file, the place and the value, never a silent wrap-around (4294967299 read as the int 3), an
 * {@link ArithmeticException} ("long overflow") or an {@link OutOfMemoryError}.
 *
 * <p>The byte limit is the system property {@value #MAX_BYTES_PROPERTY} (a number of bytes, with an
 * optional k, m, g or t suffix); by default the JVM's maximum heap ({@code -Xmx}), which every
 * array read from a file must fit into.
 *
 * <p>In every method {@code what} names the value for the message, with its file, e.g. {@code
 * "setting 'units' of layer 'dense' (Dense) in model.h5"}, and {@code fix} (may be null) says what
 * to do about it.
 */
public final class Dims {
  /** System property: the most bytes one array, or one model's parameters, may take. */
  public static final String MAX_BYTES_PROPERTY = "e4j.maxBytes";

  /** Bytes per parameter: Keras weights are float32. */
  public static final int PARAMETER_BYTES = 4;

  private static final String DEFAULT_FIX =
      "Fix: correct the value in the file; a file that holds it is damaged or was not written by"
          + " the library that normally writes it.";

  private Dims() {}

  /**
   * An integer read from JSON: a number without a fraction (64.0 is 64) that fits in 64 bits.
   *
   * @throws IllegalArgumentException for null or a missing value, text, a fraction, or a number
   *     beyond 64 bits
   */
  public static long integer(JsonNode v, String what, String fix) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      throw fail(what + " is missing (null); an integer is required", fix);
    }
    if (!v.isNumber()) {
      throw fail(what + " should be an integer; found " + v, fix);
    }
    if (v.isIntegralNumber()) {
      if (!v.canConvertToLong()) {
        throw fail(what + " is " + digits(v.bigIntegerValue()) + ", beyond the 64-bit range", fix);
      }
      return v.longValue();
    }
    double d = v.doubleValue();
    if (Double.isNaN(d) || Double.isInfinite(d) || d != Math.rint(d)) {
      throw fail(what + " should be an integer; found " + v, fix);
    }
    if (Math.abs(d) >= 0x1p63) {
      throw fail(what + " is " + v + ", beyond the 64-bit range", fix);
    }
    return (long) d;
  }

  /** Like {@link #integer}, as an int: values beyond 32 bits are refused, never wrapped. */
  public static int intValue(JsonNode v, String what, String fix) {
    return toInt(integer(v, what, fix), what, fix);
  }

  /** An int of at least {@code min} (a count, a size: units, filters, input_dim, ...). */
  public static int count(JsonNode v, int min, String what, String fix) {
    long n = integer(v, what, fix);
    if (n < min) {
      throw fail(
          what
              + " is "
              + n
              + "; it must be "
              + (min == 1 ? "a positive integer" : "at least " + min),
          fix);
    }
    return toInt(n, what, fix);
  }

  /**
   * {@code value} as an int.
   *
   * @throws IllegalArgumentException if it does not fit in 32 bits, saying what it would wrap to
   */
  public static int toInt(long value, String what, String fix) {
    if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE) {
      throw fail(
          what
              + " is "
              + value
              + ", which does not fit in a 32-bit int (at most "
              + Integer.MAX_VALUE
              + "; it would wrap to "
              + (int) value
              + ")",
          fix);
    }
    return (int) value;
  }

  /** A size read as a long (a length, a dimension): at least 0, at most {@code max}. */
  public static long size(long value, long max, String what, String fix) {
    if (value < 0) {
      throw fail(what + " is " + value + "; a size cannot be negative", fix);
    }
    if (value > max) {
      throw fail(what + " is " + value + ", more than the " + max + " allowed", fix);
    }
    return value;
  }

  /**
   * A shape read from JSON: a list of dimensions, {@code null} (Python's None) for an unknown one
   * (returned as -1). Each dimension must be a non-negative integer and the known ones must not
   * overflow when multiplied.
   */
  public static long[] shape(JsonNode v, String what, String fix) {
    if (v == null || v.isNull() || v.isMissingNode()) {
      throw fail(what + " is missing (null); a list of dimensions is required", fix);
    }
    if (!v.isArray()) {
      throw fail(what + " should be a list of dimensions; found " + v, fix);
    }
    long[] out = new long[v.size()];
    for (int i = 0; i < out.length; i++) {
      JsonNode d = v.get(i);
      if (d.isNull()) {
        out[i] = -1;
        continue;
      }
      String dim = "dimension " + i + " of " + what + " " + v;
      long n = integer(d, dim, fix);
      if (n < 0) {
        throw fail(
            capitalize(dim)
                + " is "
                + n
                + "; a dimension cannot be negative (use null"
                + " for an unknown size)",
            fix);
      }
      out[i] = n;
    }
    elementCount(out, what, fix);
    return out;
  }

  /**
   * Checks the dimensions of a shape read from a file: each at least 0, or -1 (unknown) when {@code
   * unknownAllowed}; returns the element count of the known dimensions.
   */
  public static long checkShape(long[] shape, boolean unknownAllowed, String what, String fix) {
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0 && !(unknownAllowed && shape[i] == -1)) {
        throw fail(
            "Dimension "
                + i
                + " of "
                + what
                + " "
                + text(shape)
                + " is "
                + shape[i]
                + "; a dimension cannot be negative",
            fix);
      }
    }
    return elementCount(shape, what, fix);
  }

  /**
   * The number of elements of a shape, counting only its known dimensions (-1 is unknown).
   *
   * @throws IllegalArgumentException if the product does not fit in 64 bits
   */
  public static long elementCount(long[] shape, String what, String fix) {
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        continue;
      }
      try {
        n = Math.multiplyExact(n, d);
      } catch (ArithmeticException e) {
        throw fail(
            what + " has shape " + text(shape) + ", whose element count overflows 64 bits", fix);
      }
    }
    return n;
  }

  /**
   * Checks that {@code count} elements of {@code bytesPerElement} bytes each fit the byte limit;
   * returns the byte count.
   *
   * @throws IllegalArgumentException naming the size and the limit when they do not
   */
  public static long checkBytes(long count, int bytesPerElement, String what, String fix) {
    long limit = maxBytes();
    double bytes = count * (double) bytesPerElement;
    if (count < 0 || bytes > limit) {
      String size =
          bytesPerElement == 1
              ? count + " bytes (" + human(bytes) + ")"
              : count + " elements of " + bytesPerElement + " bytes (" + human(bytes) + ")";
      throw fail(
          what
              + " takes "
              + size
              + ", more than the limit of "
              + human(limit)
              + " ("
              + limitSource()
              + ")",
          fix == null
              ? "Fix: if the file is right, raise the limit with"
                  + " -Xmx or -D"
                  + MAX_BYTES_PROPERTY
                  + "=<bytes>."
              : fix);
    }
    return count * bytesPerElement;
  }

  /**
   * Checks a parameter count (float32 values) against the byte limit.
   *
   * @throws IllegalArgumentException naming the count, its size and the limit
   */
  public static long checkParameters(long count, String what) {
    long limit = maxBytes();
    if (count >= 0 && count <= limit / PARAMETER_BYTES) {
      return count;
    }
    throw new IllegalArgumentException(
        capitalize(what)
            + " would hold "
            + count
            + " parameters ("
            + human(count * (double) PARAMETER_BYTES)
            + " as float32), more than"
            + " the limit of "
            + limit / PARAMETER_BYTES
            + " parameters ("
            + human(limit)
            + ", "
            + limitSource()
            + "). Fix: check the layer sizes in the config (a damaged or hand-edited"
            + " file); if the model really is this large, raise the limit with -Xmx or -D"
            + MAX_BYTES_PROPERTY
            + "=<bytes>.");
  }

  /** The byte limit: {@value #MAX_BYTES_PROPERTY}, else the JVM's maximum heap. */
  public static long maxBytes() {
    String p = System.getProperty(MAX_BYTES_PROPERTY);
    if (p == null || p.isBlank()) {
      return Runtime.getRuntime().maxMemory();
    }
    return parseBytes(p.strip());
  }

  private static long parseBytes(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    long unit = 1;
    char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
    int shift = "kmgt".indexOf(last);
    if (shift >= 0) {
      unit = 1L << (10 * (shift + 1));
      t = t.substring(0, t.length() - 1);
    }
    try {
      long v = Long.parseLong(t);
      if (v <= 0) {
        throw new NumberFormatException();
      }
      return v > Long.MAX_VALUE / unit ? Long.MAX_VALUE : v * unit;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "-D"
              + MAX_BYTES_PROPERTY
              + "="
              + text
              + " is not a"
              + " positive number of bytes. Fix: give e.g. 2000000000 or 2g.");
    }
  }

  private static String limitSource() {
    String p = System.getProperty(MAX_BYTES_PROPERTY);
    return p == null || p.isBlank()
        ? "the JVM's maximum heap; -D" + MAX_BYTES_PROPERTY + " sets another"
        : "-D" + MAX_BYTES_PROPERTY + "=" + p;
  }

  /** "1.5 GiB" and the like. */
  static String human(double bytes) {
    String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024 && u < units.length - 1) {
      bytes /= 1024;
      u++;
    }
    return u == 0
        ? String.format(Locale.ROOT, "%.0f bytes", bytes)
        : String.format(Locale.ROOT, "%.1f %s", bytes, units[u]);
  }

  private static String text(long[] shape) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < shape.length; i++) {
      s.append(i > 0 ? ", " : "").append(shape[i] == -1 ? "None" : Long.toString(shape[i]));
    }
    return s.append(']').toString();
  }

  private static IllegalArgumentException fail(String problem, String fix) {
    return new IllegalArgumentException(
        capitalize(problem) + ". " + (fix == null ? DEFAULT_FIX : fix));
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  /** For messages about integers too long for any type: the digits, abbreviated. */
  static String digits(BigInteger v) {
    String s = v.toString();
    return s.length() <= 40 ? s : s.substring(0, 20) + "..." + s.substring(s.length() - 10);
  }
}
