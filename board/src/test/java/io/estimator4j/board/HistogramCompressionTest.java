package io.estimator4j.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.tensorflow.proto.HistogramProto;

class HistogramCompressionTest {

  @Test
  void twoBucketsByHand() {
    // 10 values, min 0, max 2: 5 in (-inf, 1], 5 in (1, 2]. Cumulative weights in basis points:
    // [5000, 10000]. A basis point b below 5000 falls in the first bucket, lerped over [min, 1]:
    // b / 5000; from 5000 on in the second, over [1, 2]: 1 + (b - 5000) / 5000; 10000 is the max.
    HistogramProto h =
        HistogramProto.newBuilder()
            .setMin(0)
            .setMax(2)
            .setNum(10)
            .setSum(10)
            .addBucketLimit(1)
            .addBucketLimit(2)
            .addBucket(5)
            .addBucket(5)
            .build();
    assertThat(HistogramCompression.compress(h))
        .containsExactly(
            new double[] {
              0,
              668 / 5000.0,
              1587 / 5000.0,
              3085 / 5000.0,
              1,
              1 + 1915 / 5000.0,
              1 + 3413 / 5000.0,
              1 + 4332 / 5000.0,
              2
            },
            within(1e-12));
  }

  @Test
  void emptyBucketsAreSkippedAndAnEmptyHistogramIsZeros() {
    // all 4 values in (3, 4]: every basis point lerps over [max(3, min), min(4, max)] = [3.5, 3.9]
    // from cumulative weight 0 (the empty buckets before add nothing) to 10000.
    HistogramProto h =
        HistogramProto.newBuilder()
            .setMin(3.5)
            .setMax(3.9)
            .setNum(4)
            .addBucketLimit(1)
            .addBucketLimit(3)
            .addBucketLimit(4)
            .addBucket(0)
            .addBucket(0)
            .addBucket(4)
            .build();
    double[] v = HistogramCompression.compress(h);
    // cumsum_prev is 0 for the third bucket, so its left edge is the min: 3.5 + 0.4 * b / 10000
    assertThat(v[0]).isEqualTo(3.5);
    assertThat(v[4]).isCloseTo(3.5 + 0.4 * 0.5, within(1e-12));
    assertThat(v[8]).isEqualTo(3.9);
    assertThat(HistogramCompression.compress(HistogramProto.getDefaultInstance()))
        .containsOnly(0.0)
        .hasSize(9);
  }

  @Test
  void tf2BucketsLeftRightCount() {
    // rows [left, right, count]: [0, 1, 1], [1, 3, 3] -> weights [2500, 10000] over min 0, max 3
    double[] v = HistogramCompression.compress(new double[][] {{0, 1, 1}, {1, 3, 3}});
    assertThat(v[0]).isEqualTo(0.0);
    assertThat(v[1]).isCloseTo(668 / 2500.0, within(1e-12));
    assertThat(v[4]).isCloseTo(1 + 2 * (5000 - 2500) / 7500.0, within(1e-12));
    assertThat(v[8]).isEqualTo(3.0);
  }
}
