package io.estimator4j.checkpoint;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The subset of the protobuf text format that a {@code checkpoint} state file uses, written byte
 * for byte as Python's {@code google.protobuf.text_format.MessageToString} does: one {@code name:
 * value} per line, strings C-escaped with non-ASCII bytes in octal, doubles as Python's {@code
 * repr}.
 */
final class TextProto {

  /** One {@code name: value} pair; {@code value} is unescaped for strings, raw for numbers. */
  record Field(String name, String value, boolean quoted) {}

  private TextProto() {}

  /** Returns {@code "value"} with the escapes of Python's {@code text_encoding.CEscape}. */
  static String quote(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      switch (c) {
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '"' -> out.append("\\\"");
        case '\'' -> out.append("\\'");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20 || c >= 0x7f) {
            out.append(String.format("\\%03o", c));
          } else {
            out.append((char) c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  /**
   * Formats a double as Python 3's {@code repr(float)}: shortest digits, positional with at least
   * one decimal for exponents -4..15 ({@code 1646034733.0}), otherwise scientific ({@code 1e-05}).
   * The digits are those of {@link Double#toString}, which on JDK 17 is in rare cases one digit
   * longer than Python's shortest repr; both parse back to the same double.
   */
  static String formatDouble(double value) {
    if (Double.isNaN(value)) {
      return "nan";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "inf" : "-inf";
    }
    if (value == 0) {
      return (1 / value < 0) ? "-0.0" : "0.0";
    }
    BigDecimal decimal = new BigDecimal(Double.toString(value)).stripTrailingZeros();
    String digits = decimal.unscaledValue().abs().toString();
    int exponent = digits.length() - decimal.scale() - 1;
    String sign = value < 0 ? "-" : "";
    if (exponent < -4 || exponent >= 16) {
      String mantissa =
          digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
      return String.format(
          "%s%se%s%02d", sign, mantissa, exponent < 0 ? "-" : "+", Math.abs(exponent));
    }
    String plain = decimal.abs().toPlainString();
    return sign + (plain.contains(".") ? plain : plain + ".0");
  }

  /** Parses a double written by {@link #formatDouble} or any protobuf text writer. */
  static double parseDouble(String token) {
    return switch (token.toLowerCase(java.util.Locale.ROOT)) {
      case "nan" -> Double.NaN;
      case "inf", "infinity" -> Double.POSITIVE_INFINITY;
      case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(token);
    };
  }

  /**
   * Splits {@code text} into top-level scalar fields.
   *
   * @throws IllegalArgumentException with the line number if the text is not of that form
   */
  static List<Field> parse(String text) {
    return new Parser(text).fields();
  }

  /** Tokenizer for {@code name: value} lines with comments, quoted strings and numbers. */
  private static final class Parser {
    private final String text;
    private int pos;

    Parser(String text) {
      this.text = text;
    }

    List<Field> fields() {
      List<Field> fields = new ArrayList<>();
      for (skipSpace(); pos < text.length(); skipSpace()) {
        String name = identifier();
        skipSpace();
        expect(':');
        skipSpace();
        if (pos < text.length() && (peek() == '"' || peek() == '\'')) {
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          while (pos < text.length() && (peek() == '"' || peek() == '\'')) {
            string(bytes); // Adjacent literals concatenate, as in C.
            skipSpace();
          }
          fields.add(new Field(name, bytes.toString(StandardCharsets.UTF_8), true));
        } else {
          int start = pos;
          while (pos < text.length() && !Character.isWhitespace(peek()) && peek() != '#') {
            pos++;
          }
          if (start == pos) {
            throw error("expected a value after '" + name + ":'");
          }
          fields.add(new Field(name, text.substring(start, pos), false));
        }
      }
      return fields;
    }

    private String identifier() {
      int start = pos;
      while (pos < text.length() && (Character.isLetterOrDigit(peek()) || peek() == '_')) {
        pos++;
      }
      if (start == pos) {
        throw error("expected a field name, found '" + peek() + "'");
      }
      return text.substring(start, pos);
    }

    private void string(ByteArrayOutputStream out) {
      char quote = text.charAt(pos++);
      while (true) {
        if (pos >= text.length() || peek() == '\n') {
          throw error("unterminated string");
        }
        char c = text.charAt(pos++);
        if (c == quote) {
          return;
        }
        if (c != '\\') {
          int codePoint = text.codePointAt(pos - 1);
          pos += Character.charCount(codePoint) - 1;
          out.writeBytes(Character.toString(codePoint).getBytes(StandardCharsets.UTF_8));
          continue;
        }
        if (pos >= text.length()) {
          throw error("unterminated escape");
        }
        char e = text.charAt(pos++);
        switch (e) {
          case 'n' -> out.write('\n');
          case 'r' -> out.write('\r');
          case 't' -> out.write('\t');
          case 'a' -> out.write(7);
          case 'b' -> out.write('\b');
          case 'f' -> out.write('\f');
          case 'v' -> out.write(11);
          case '\\', '\'', '"', '?' -> out.write(e);
          case 'x' -> out.write(number(16, 2, pos));
          default -> {
            if (e < '0' || e > '7') {
              throw error("unknown escape '\\" + e + "'");
            }
            out.write(number(8, 3, pos - 1));
          }
        }
      }
    }

    /** Reads up to {@code maxDigits} digits in {@code radix} starting at {@code from}. */
    private int number(int radix, int maxDigits, int from) {
      pos = from;
      int value = 0;
      int digits = 0;
      while (digits < maxDigits && pos < text.length() && Character.digit(peek(), radix) >= 0) {
        value = value * radix + Character.digit(text.charAt(pos++), radix);
        digits++;
      }
      if (digits == 0) {
        throw error("escape without digits");
      }
      return value & 0xff;
    }

    private void skipSpace() {
      while (pos < text.length()) {
        char c = peek();
        if (c == '#') {
          while (pos < text.length() && peek() != '\n') {
            pos++;
          }
        } else if (Character.isWhitespace(c)) {
          pos++;
        } else {
          return;
        }
      }
    }

    private void expect(char c) {
      if (pos >= text.length() || peek() != c) {
        throw error("expected '" + c + "'");
      }
      pos++;
    }

    private char peek() {
      return text.charAt(pos);
    }

    private IllegalArgumentException error(String detail) {
      int line = 1;
      for (int i = 0; i < Math.min(pos, text.length()); i++) {
        if (text.charAt(i) == '\n') {
          line++;
        }
      }
      return new IllegalArgumentException("line " + line + ": " + detail);
    }
  }
}
