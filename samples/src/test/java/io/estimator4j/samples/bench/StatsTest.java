package io.estimator4j.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class StatsTest {

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(Stats.median(new double[] {3, 1, 2})).isEqualTo(2.0);
    // (2 + 3) / 2 = 2.5
    assertThat(Stats.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
  }

  @Test
  void percentileIsNearestRank() {
    double[] hundred = new double[100];
    for (int i = 0; i < 100; i++) {
      hundred[i] = 100 - i; // 100, 99, ..., 1
    }
    // rank ceil(0.99 * 100) = 99: the 99th smallest value is 99.
    assertThat(Stats.percentile(hundred, 99)).isEqualTo(99.0);
    assertThat(Stats.percentile(hundred, 100)).isEqualTo(100.0);
    // rank ceil(0.99 * 20) = 20: with 20 samples p99 is the maximum.
    double[] twenty = new double[20];
    twenty[7] = 5;
    assertThat(Stats.percentile(twenty, 99)).isEqualTo(5.0);
  }

  @Test
  void noSamplesIsAnError() {
    assertThatThrownBy(() -> Stats.median(new double[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("No samples");
  }
}
