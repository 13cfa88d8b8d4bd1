package io.estimator4j.estimator.head;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.Locale;

/** Python's {@code '%g'} number formatting, for metric keys that must match TensorFlow's. */
final class PythonFormat {
  private PythonFormat() {}

  /** {@code '%g' % x}: 6 significant digits, trailing zeros removed, exponent form out of range. */
  static String g(double x) {
    if (x == 0) {
      return "0";
    }
    if (Double.isNaN(x) || Double.isInfinite(x)) {
      return Double.isNaN(x) ? "nan" : (x > 0 ? "inf" : "-inf");
    }
    BigDecimal rounded = new BigDecimal(x).round(new MathContext(6));
    int exponent = rounded.precision() - rounded.scale() - 1;
    if (exponent < -4 || exponent >= 6) {
      BigDecimal mantissa = rounded.movePointLeft(exponent).stripTrailingZeros();
      return mantissa.toPlainString()
          + String.format(Locale.ROOT, "e%s%02d", exponent < 0 ? "-" : "+", Math.abs(exponent));
    }
    return rounded.stripTrailingZeros().toPlainString();
  }
}
