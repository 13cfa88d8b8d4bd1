package io.estimator4j.samples.bench;

import java.util.Arrays;
import java.util.Locale;

/** Order statistics of benchmark samples (also used by the JMH module's mains). */
public final class Stats {
  private Stats() {}

  /** The median (mean of the two middle values for an even count). */
  public static double median(double[] values) {
    requireValues(values);
    double[] s = values.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  /** The nearest-rank percentile: the smallest value with at least p% of values at or below it. */
  static double percentile(double[] values, double p) {
    requireValues(values);
    if (p <= 0 || p > 100) {
      throw new IllegalArgumentException("percentile must be in (0, 100], got " + p);
    }
    double[] s = values.clone();
    Arrays.sort(s);
    int rank = (int) Math.ceil(p / 100 * s.length);
    return s[Math.max(0, rank - 1)];
  }

  static double mean(double[] values) {
    requireValues(values);
    return Arrays.stream(values).average().orElseThrow();
  }

  /** Values with the given number of decimals, comma-separated. */
  static String list(double[] values, int decimals) {
    StringBuilder b = new StringBuilder();
    for (double v : values) {
      b.append(b.length() == 0 ? "" : ", ").append(fixed(v, decimals));
    }
    return b.toString();
  }

  static String fixed(double v, int decimals) {
    return String.format(Locale.ROOT, "%." + decimals + "f", v);
  }

  private static void requireValues(double[] values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("No samples: run at least one repeat or call.");
    }
  }
}
