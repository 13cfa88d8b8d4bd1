package io.estimator4j.board;

import java.util.List;
import org.tensorflow.proto.HistogramProto;

/**
 * TensorBoard's histogram compression for its distributions view (plugins/distribution/
 * compressor.py): a histogram becomes its values at fixed cumulative weights, the basis points of
 * {@link #NORMAL_HISTOGRAM_BPS}, interpolated linearly inside buckets. The view draws bands between
 * symmetric pairs (min-max, 7%-93%, 16%-84%, 31%-69%) and the median as a line.
 */
final class HistogramCompression {

  /**
   * Basis points (1/100 of a percent) at the normal CDF of -inf, -1.5, -1, -0.5, 0, 0.5, 1, 1.5 and
   * +inf standard deviations: TensorBoard's {@code NORMAL_HISTOGRAM_BPS}.
   */
  static final List<Integer> NORMAL_HISTOGRAM_BPS =
      List.of(0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000);

  private HistogramCompression() {}

  /**
   * The values at {@link #NORMAL_HISTOGRAM_BPS} of a v1 histogram ({@code
   * compress_histogram_proto}).
   */
  static double[] compress(HistogramProto histo) {
    int n = Math.min(histo.getBucketCount(), histo.getBucketLimitCount());
    double[] counts = new double[n];
    double[] limits = new double[n];
    for (int i = 0; i < n; i++) {
      counts[i] = histo.getBucket(i);
      limits[i] = histo.getBucketLimit(i);
    }
    if (histo.getNum() == 0) {
      return new double[NORMAL_HISTOGRAM_BPS.size()];
    }
    return compress(counts, limits, histo.getMin(), histo.getMax());
  }

  /**
   * The values at {@link #NORMAL_HISTOGRAM_BPS} of a TF2 histogram, rows {@code [left, right,
   * count]} ({@code compress_histogram}).
   */
  static double[] compress(double[][] buckets) {
    if (buckets.length == 0) {
      return new double[NORMAL_HISTOGRAM_BPS.size()];
    }
    double[] counts = new double[buckets.length];
    double[] rightEdges = new double[buckets.length];
    for (int i = 0; i < buckets.length; i++) {
      counts[i] = buckets[i][2];
      rightEdges[i] = buckets[i][1];
    }
    return compress(counts, rightEdges, buckets[0][0], buckets[buckets.length - 1][1]);
  }

  private static double[] compress(double[] counts, double[] limits, double min, double max) {
    List<Integer> bps = NORMAL_HISTOGRAM_BPS;
    double total = 0;
    for (double c : counts) {
      total += c;
    }
    double scale = bps.get(bps.size() - 1) / (total == 0 ? 1.0 : total);
    double[] weights = new double[counts.length];
    double cumulative = 0;
    for (int i = 0; i < counts.length; i++) {
      cumulative += counts[i] * scale;
      weights[i] = cumulative;
    }
    double[] values = new double[bps.size()];
    int j = 0;
    outer:
    while (j < bps.size()) {
      int i = searchSortedRight(weights, bps.get(j));
      while (i < weights.length) {
        double cumsum = weights[i];
        double cumsumPrev = i > 0 ? weights[i - 1] : 0.0;
        if (cumsum == cumsumPrev) { // no division by zero in lerp
          i++;
          continue;
        }
        double lhs = (i == 0 || cumsumPrev == 0) ? min : Math.max(limits[i - 1], min);
        double rhs = Math.min(limits[i], max);
        values[j] = lerp(bps.get(j), cumsumPrev, cumsum, lhs, rhs);
        j++;
        continue outer;
      }
      break;
    }
    for (; j < bps.size(); j++) {
      values[j] = max;
    }
    return values;
  }

  /** numpy's {@code searchsorted(a, v, side="right")}: how many elements of sorted a are <= v. */
  private static int searchSortedRight(double[] a, double v) {
    int lo = 0;
    int hi = a.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (a[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Affinely maps x from [x0, x1] onto [y0, y1]. */
  private static double lerp(double x, double x0, double x1, double y0, double y1) {
    return y0 + (x - x0) * (y1 - y0) / (x1 - x0);
  }
}
