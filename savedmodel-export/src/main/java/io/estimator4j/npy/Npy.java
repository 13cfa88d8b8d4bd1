package io.estimator4j.npy;

import io.estimator4j.io.Dims;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.tensorflow.types.family.TType;

/**
 * Reads and writes NumPy {@code .npy} files as TensorFlow tensors; the Java counterpart of {@code
 * numpy.load} / {@code numpy.save} for the dtypes TensorFlow and NumPy share, as used by {@code
 * saved_model_cli run}.
 *
 * <p>Reads format versions 1.0, 2.0 and 3.0 in C order, little- or big-endian; writes version 1.0
 * in the machine's byte order with the header padding NumPy uses (the header ends on a multiple of
 * 64 bytes), so the files are byte-identical to {@code numpy.save}'s. Strings: {@code '<U'}
 * (unicode) elements become UTF-8 {@link TString} elements, {@code '|S'} (bytes) elements are taken
 * as they are; a {@link TString} is written as {@code '|S'}, which {@code numpy.load} reads without
 * pickle. As in NumPy, trailing NUL characters of a string element are not kept.
 */
public final class Npy {

  /** The six bytes every {@code .npy} file starts with. */
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

  /** The header (magic to newline) is padded to a multiple of this, as numpy.lib.format does. */
  static final int ARRAY_ALIGN = 64;

  /** Spare header spaces NumPy leaves so that the first dimension can grow in place. */
  static final int GROWTH_AXIS_MAX_DIGITS = 21;

  /** The dtypes this class reads and writes, for error messages. */
  public static final String SUPPORTED_DTYPES =
      "float32 ('<f4'), float64 ('<f8'), int32 ('<i4'), int64 ('<i8'), uint8 ('|u1'), bool"
          + " ('|b1'), unicode strings ('<U<n>') and byte strings ('|S<n>'), little- or big-endian";

  private static final Pattern DESCR = Pattern.compile("([<>|=])([a-zA-Z])(\\d{1,9})");

  /** The fix for a header whose numbers cannot be right. */
  private static final String DAMAGED_HEADER =
      "Fix: the .npy header is damaged; write the array again with numpy.save.";

  private Npy() {}

  /** Element kinds: the NumPy type character and size, and the TensorFlow type they map to. */
  private enum Kind {
    FLOAT32('f', 4, TFloat32.class, DataType.DT_FLOAT),
    FLOAT64('f', 8, TFloat64.class, DataType.DT_DOUBLE),
    INT32('i', 4, TInt32.class, DataType.DT_INT32),
    INT64('i', 8, TInt64.class, DataType.DT_INT64),
    UINT8('u', 1, TUint8.class, DataType.DT_UINT8),
    BOOL('b', 1, TBool.class, DataType.DT_BOOL),
    UNICODE('U', 0, TString.class, DataType.DT_STRING),
    BYTES('S', 0, TString.class, DataType.DT_STRING);

    final char code;
    final int size;
    final Class<? extends TType> type;
    final DataType dataType;

    Kind(char code, int size, Class<? extends TType> type, DataType dataType) {
      this.code = code;
      this.size = size;
      this.type = type;
      this.dataType = dataType;
    }

    boolean isString() {
      return this == UNICODE || this == BYTES;
    }

    static Kind of(char code, int size) {
      for (Kind k : values()) {
        if (k.code == code && (k.size == size || k.isString())) {
          return k;
        }
      }
      return null;
    }

    /** The kind a tensor of this type is written as (strings as bytes). */
    static Kind of(DataType dataType) {
      for (Kind k : values()) {
        if (k.dataType == dataType && k != UNICODE) {
          return k;
        }
      }
      return null;
    }
  }

  /**
   * The header of a {@code .npy} file.
   *
   * @param descr the NumPy dtype string, e.g. {@code '<f4'}
   * @param fortranOrder whether the data is in Fortran (column-major) order
   * @param shape the array's shape
   */
  public record Header(String descr, boolean fortranOrder, long[] shape) {
    /** The shape as a tensorflow-java {@link Shape}. */
    public Shape tensorShape() {
      return Shape.of(shape);
    }
  }

  /** Reads {@code file} into a new tensor; the caller closes it. */
  public static Tensor read(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return read(in, file.toString());
    }
  }

  /**
   * Reads one array from {@code in} (left open) into a new tensor; {@code source} names the file in
   * error messages.
   */
  public static Tensor read(InputStream in, String source) throws IOException {
    Header header = readHeader(in, source);
    Element element = element(header.descr(), source);
    if (header.fortranOrder()) {
      throw new IOException(
          source
              + " holds a Fortran-ordered (column-major) array, which is not"
              + " supported. Fix: save it in C order, e.g. np.save(f, np.ascontiguousarray(a)).");
    }
    long count;
    long bytes;
    try {
      count = Dims.checkShape(header.shape(), false, source, DAMAGED_HEADER);
      // a string element also costs a Java array of its own
      int perElement = element.kind.isString() ? element.itemSize + 16 : element.itemSize;
      bytes =
          Dims.checkBytes(
              count,
              perElement,
              "The data of "
                  + source
                  + " (shape "
                  + Arrays.toString(header.shape())
                  + " of "
                  + header.descr()
                  + ")",
              null);
      bytes = count * element.itemSize;
    } catch (IllegalArgumentException e) {
      throw new IOException(e.getMessage(), e);
    }
    if (bytes > Integer.MAX_VALUE - 16) {
      throw new IOException(
          source
              + " holds "
              + bytes
              + " bytes of data; arrays of more than 2 GiB"
              + " are not supported. Fix: split the input into smaller batches.");
    }
    byte[] data = in.readNBytes((int) bytes);
    if (data.length < bytes) {
      throw new IOException(
          source
              + " is truncated: its header declares shape "
              + Arrays.toString(header.shape())
              + " of "
              + header.descr()
              + " ("
              + bytes
              + " bytes of data) but only "
              + data.length
              + " bytes follow.");
    }
    Shape shape = header.tensorShape();
    if (element.kind.isString()) {
      return strings(data, (int) count, element, shape, source);
    }
    if (element.order != null && element.order != ByteOrder.nativeOrder() && element.itemSize > 1) {
      swapBytes(data, element.itemSize);
    }
    return Tensor.of(element.kind.type, shape, DataBuffers.of(data, true, false));
  }

  /** Reads only the header of {@code file}: dtype, order and shape. */
  public static Header readHeader(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      return readHeader(in, file.toString());
    }
  }

  /** Writes {@code tensor} to {@code file} (created or truncated) as numpy.save does. */
  public static void write(Path file, Tensor tensor) throws IOException {
    byte[] header = header(tensor); // fails on an unsupported type before the file is touched
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      out.write(header);
      writeData(out, tensor);
    }
  }

  /** Writes {@code tensor} in {@code .npy} format to {@code out} (left open). */
  public static void write(OutputStream out, Tensor tensor) throws IOException {
    out.write(header(tensor));
    writeData(out, tensor);
  }

  /** Whether tensors of this type can be written; see {@link #SUPPORTED_DTYPES}. */
  public static boolean canWrite(DataType dataType) {
    return Kind.of(dataType) != null;
  }

  // ---------------------------------------------------------------------------------- reading

  /** An element type parsed from a descr: its kind, byte order (null if bytes) and item size. */
  private record Element(Kind kind, ByteOrder order, int itemSize, int chars) {}

  private static Header readHeader(InputStream in, String source) throws IOException {
    byte[] prefix = in.readNBytes(8);
    if (prefix.length >= MAGIC.length
        && prefix.length < 8
        && Arrays.equals(Arrays.copyOf(prefix, MAGIC.length), MAGIC)) {
      throw truncatedHeader(source);
    }
    if (prefix.length < 8 || !Arrays.equals(Arrays.copyOf(prefix, 6), MAGIC)) {
      throw new IOException(
          source
              + " is not a NumPy .npy file (it does not start with"
              + " \\x93NUMPY). Fix: write it with numpy.save.");
    }
    int major = prefix[6] & 0xff;
    int minor = prefix[7] & 0xff;
    long headerLength;
    Charset charset;
    if (major == 1 && minor == 0) {
      byte[] len = in.readNBytes(2);
      if (len.length < 2) {
        throw truncatedHeader(source);
      }
      headerLength = (len[0] & 0xff) | (len[1] & 0xff) << 8;
      charset = StandardCharsets.ISO_8859_1;
    } else if ((major == 2 || major == 3) && minor == 0) {
      byte[] len = in.readNBytes(4);
      if (len.length < 4) {
        throw truncatedHeader(source);
      }
      headerLength =
          (len[0] & 0xffL)
              | (len[1] & 0xffL) << 8
              | (len[2] & 0xffL) << 16
              | (len[3] & 0xffL) << 24;
      charset = major == 2 ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8;
    } else {
      throw new IOException(
          source
              + " has .npy format version "
              + major
              + "."
              + minor
              + "; versions 1.0, 2.0 and 3.0 are supported.");
    }
    if (headerLength > 1 << 20) {
      throw new IOException(
          source
              + " declares a header of "
              + headerLength
              + " bytes; the file is damaged or not a .npy file.");
    }
    byte[] text = in.readNBytes((int) headerLength);
    if (text.length < headerLength) {
      throw truncatedHeader(source);
    }
    return parseHeader(new String(text, charset), source);
  }

  private static IOException truncatedHeader(String source) {
    return new IOException(source + " is truncated: its .npy header is incomplete.");
  }

  /** Parses the header dict: {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2,), }}. */
  static Header parseHeader(String text, String source) throws IOException {
    HeaderParser p = new HeaderParser(text, source);
    String descr = null;
    Boolean fortran = null;
    long[] shape = null;
    p.expect('{');
    while (!p.peek('}')) {
      String key = p.string();
      p.expect(':');
      switch (key) {
        case "descr" ->
            descr =
                p.peek('[')
                    ? p.fail("a structured dtype (" + p.rest() + ")", "a plain dtype such as '<f4'")
                    : p.string();
        case "fortran_order" -> fortran = p.bool();
        case "shape" -> shape = p.shape();
        default -> p.fail("unexpected key '" + key + "'", "'descr', 'fortran_order' and 'shape'");
      }
      if (!p.peek('}')) {
        p.expect(',');
      }
    }
    if (descr == null || fortran == null || shape == null) {
      throw new IOException(
          source
              + " has an incomplete .npy header (needs 'descr',"
              + " 'fortran_order' and 'shape'): "
              + text.strip());
    }
    return new Header(descr, fortran, shape);
  }

  private static Element element(String descr, String source) throws IOException {
    Matcher m = DESCR.matcher(descr);
    Kind kind = m.matches() ? Kind.of(m.group(2).charAt(0), Integer.parseInt(m.group(3))) : null;
    if (kind == null) {
      throw new IOException(
          source
              + " holds dtype '"
              + descr
              + "'"
              + describe(descr)
              + ", which is not supported. Supported dtypes: "
              + SUPPORTED_DTYPES
              + ".");
    }
    int n = Integer.parseInt(m.group(3));
    ByteOrder order =
        switch (m.group(1).charAt(0)) {
          case '<' -> ByteOrder.LITTLE_ENDIAN;
          case '>' -> ByteOrder.BIG_ENDIAN;
          case '=' -> ByteOrder.nativeOrder();
          default -> null;
        };
    if (order == null && (kind == Kind.UNICODE || kind.size > 1)) {
      throw new IOException(
          source
              + " holds dtype '"
              + descr
              + "' without a byte order; expected"
              + " '<' or '>' before '"
              + m.group(2)
              + "'.");
    }
    if (kind.isString() && n == 0) {
      throw new IOException(
          source
              + " holds dtype '"
              + descr
              + "', strings of length 0, which"
              + " NumPy never writes. "
              + DAMAGED_HEADER);
    }
    if (kind == Kind.UNICODE && n > Integer.MAX_VALUE / 4) {
      throw new IOException(
          source
              + " holds dtype '"
              + descr
              + "': strings of "
              + n
              + " characters, too long for one array. "
              + DAMAGED_HEADER);
    }
    int itemSize = kind == Kind.UNICODE ? n * 4 : kind == Kind.BYTES ? n : kind.size;
    return new Element(kind, order, itemSize, n);
  }

  /** A hint naming well-known unsupported NumPy types. */
  private static String describe(String descr) {
    String code = descr.length() > 1 ? descr.substring(1) : descr;
    return switch (code) {
      case "f2" -> " (float16)";
      case "c8" -> " (complex64)";
      case "c16" -> " (complex128)";
      case "O" -> " (Python objects, saved with pickle)";
      case "i1" -> " (int8: tensorflow-java 1.1.0 has no TInt8 tensor type)";
      case "i2" -> " (int16)";
      case "u2" -> " (uint16)";
      case "u4" -> " (uint32)";
      case "u8" -> " (uint64)";
      default ->
          code.startsWith("M8") ? " (datetime64)" : code.startsWith("m8") ? " (timedelta64)" : "";
    };
  }

  private static TString strings(
      byte[] data, int count, Element element, Shape shape, String source) throws IOException {
    byte[][] values = new byte[count][];
    for (int i = 0; i < count; i++) {
      int start = i * element.itemSize;
      if (element.kind == Kind.BYTES) {
        int end = start + element.itemSize;
        while (end > start && data[end - 1] == 0) {
          end--;
        }
        values[i] = Arrays.copyOfRange(data, start, end);
      } else {
        int[] codePoints = new int[element.chars];
        int n = 0;
        for (int c = 0; c < element.chars; c++) {
          int cp = getInt(data, start + 4 * c, element.order);
          if (!Character.isValidCodePoint(cp)) {
            throw new IOException(
                source
                    + ": element "
                    + i
                    + " holds 0x"
                    + Integer.toHexString(cp)
                    + ", which is not a Unicode code point; the file is damaged.");
          }
          codePoints[c] = cp;
          if (cp != 0) {
            n = c + 1;
          }
        }
        values[i] = new String(codePoints, 0, n).getBytes(StandardCharsets.UTF_8);
      }
    }
    return TString.tensorOfBytes(shape, DataBuffers.ofObjects(values));
  }

  private static int getInt(byte[] b, int off, ByteOrder order) {
    int v =
        (b[off] & 0xff)
            | (b[off + 1] & 0xff) << 8
            | (b[off + 2] & 0xff) << 16
            | (b[off + 3] & 0xff) << 24;
    return order == ByteOrder.LITTLE_ENDIAN ? v : Integer.reverseBytes(v);
  }

  private static void swapBytes(byte[] data, int itemSize) {
    for (int off = 0; off < data.length; off += itemSize) {
      for (int i = 0, j = itemSize - 1; i < j; i++, j--) {
        byte t = data[off + i];
        data[off + i] = data[off + j];
        data[off + j] = t;
      }
    }
  }

  /** A reader of the Python literal NumPy writes as the header: a dict of str, bool and tuple. */
  private static final class HeaderParser {
    private final String text;
    private final String source;
    private int pos;

    HeaderParser(String text, String source) {
      this.text = text;
      this.source = source;
    }

    private void skipSpace() {
      while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
        pos++;
      }
    }

    boolean peek(char c) {
      skipSpace();
      return pos < text.length() && text.charAt(pos) == c;
    }

    void expect(char c) throws IOException {
      if (!peek(c)) {
        fail(pos < text.length() ? "'" + text.charAt(pos) + "'" : "the end", "'" + c + "'");
      }
      pos++;
    }

    String string() throws IOException {
      skipSpace();
      if (pos >= text.length() || (text.charAt(pos) != '\'' && text.charAt(pos) != '"')) {
        fail(rest(), "a quoted string");
      }
      char quote = text.charAt(pos++);
      int end = text.indexOf(quote, pos);
      if (end < 0) {
        fail("an unterminated string", "a closing quote");
      }
      String s = text.substring(pos, end);
      pos = end + 1;
      return s;
    }

    boolean bool() throws IOException {
      skipSpace();
      if (text.startsWith("True", pos)) {
        pos += 4;
        return true;
      }
      if (text.startsWith("False", pos)) {
        pos += 5;
        return false;
      }
      return fail(rest(), "True or False");
    }

    long[] shape() throws IOException {
      expect('(');
      List<Long> dims = new ArrayList<>();
      while (!peek(')')) {
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
          pos++;
        }
        if (start == pos) {
          fail(rest(), "a dimension");
        }
        String digits = text.substring(start, pos);
        if (digits.length() > 18 && new java.math.BigInteger(digits).bitLength() > 63) {
          fail(
              "the dimension "
                  + (digits.length() > 40 ? digits.substring(0, 20) + "..." : digits)
                  + ", beyond the 64-bit range",
              "a dimension");
        }
        dims.add(Long.parseLong(digits));
        if (pos < text.length() && text.charAt(pos) == 'L') {
          pos++; // Python 2 long literal, e.g. (3L,)
        }
        if (!peek(')')) {
          expect(',');
        }
      }
      pos++;
      return dims.stream().mapToLong(Long::longValue).toArray();
    }

    String rest() {
      return text.substring(Math.min(pos, text.length())).strip();
    }

    <T> T fail(String found, String expected) throws IOException {
      throw new IOException(
          source
              + " has a malformed .npy header: found "
              + found
              + " where "
              + expected
              + " was expected, in "
              + text.strip());
    }
  }

  // ---------------------------------------------------------------------------------- writing

  private static Kind writable(Tensor tensor) {
    Kind kind = Kind.of(tensor.dataType());
    if (kind == null) {
      throw new IllegalArgumentException(
          "Cannot write a "
              + tensor.dataType()
              + " tensor as .npy;"
              + " supported dtypes: "
              + SUPPORTED_DTYPES
              + ".");
    }
    return kind;
  }

  /** The complete header (magic to newline) numpy.save writes for this tensor. */
  static byte[] header(Tensor tensor) {
    Kind kind = writable(tensor);
    String descr;
    if (kind == Kind.BYTES) {
      descr = "|S" + Math.max(1, maxLength((TString) tensor));
    } else if (kind.size == 1) {
      descr = "|" + kind.code + kind.size;
    } else {
      descr =
          (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? "<" : ">") + kind.code + kind.size;
    }
    long[] shape = tensor.shape().asArray();
    StringBuilder dict =
        new StringBuilder("{'descr': '")
            .append(descr)
            .append("', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < shape.length; i++) {
      // Python's tuple repr: (), (3,), (2, 3)
      dict.append(shape[i]).append(shape.length == 1 ? "," : i < shape.length - 1 ? ", " : "");
    }
    dict.append("), }");
    if (shape.length > 0) {
      int digits = Long.toString(shape[0]).length();
      dict.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - digits)));
    }
    int hlen = dict.length() + 1;
    int padlen = ARRAY_ALIGN - ((MAGIC.length + 2 + 2 + hlen) % ARRAY_ALIGN);
    int total = hlen + padlen;
    if (total > 0xffff) {
      throw new IllegalArgumentException(
          "A tensor of rank "
              + shape.length
              + " needs a .npy header longer than version 1.0 allows.");
    }
    dict.append(" ".repeat(padlen)).append('\n');
    byte[] text = dict.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] out = new byte[MAGIC.length + 4 + text.length];
    System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
    out[6] = 1;
    out[7] = 0;
    out[8] = (byte) total;
    out[9] = (byte) (total >>> 8);
    System.arraycopy(text, 0, out, 10, text.length);
    return out;
  }

  private static void writeData(OutputStream out, Tensor tensor) throws IOException {
    Kind kind = writable(tensor);
    if (kind == Kind.BYTES) {
      byte[][] values = stringValues((TString) tensor);
      int width = Math.max(1, maxLength(values));
      byte[] padded = new byte[width];
      for (byte[] v : values) {
        Arrays.fill(padded, (byte) 0);
        System.arraycopy(v, 0, padded, 0, v.length);
        out.write(padded);
      }
      return;
    }
    long size = tensor.numBytes();
    if (size > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("Tensors over 2 GiB cannot be written as .npy here.");
    }
    byte[] data = new byte[(int) size];
    tensor.asRawTensor().data().read(data);
    out.write(data);
  }

  private static byte[][] stringValues(TString tensor) {
    long n = tensor.shape().size();
    DataBuffer<byte[]> buffer = DataBuffers.ofObjects(byte[].class, n);
    tensor.asBytes().copyTo(buffer);
    byte[][] values = new byte[(int) n][];
    buffer.read(values);
    return values;
  }

  private static int maxLength(TString tensor) {
    return maxLength(stringValues(tensor));
  }

  private static int maxLength(byte[][] values) {
    int max = 0;
    for (byte[] v : values) {
      max = Math.max(max, v.length);
    }
    return max;
  }
}
