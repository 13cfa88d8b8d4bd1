package io.estimator4j.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The goals of issue 15 point 7 as {@code bench serve --alternate} states them. */
class ServeVerdictTest {

  @Test
  void goalsAreComputedAgainstBothBaselines() {
    // in process 16 µs (pool) and 8 µs (caller thread):
    // gRPC goal 1.5 * 16 + 200 = 224, 1.5 * 8 + 200 = 212; 220 meets the first only, 150 both
    // REST goal 2 * 16 = 32, 2 * 8 = 16; 2x + 200: 232, 216; 44 meets only the latter two
    String row = ServeBenchmark.verdictRow("half_plus_two", 16, 8, 220, 150, 44, 118, 60, 31);
    assertThat(row)
        .isEqualTo(
            "| half_plus_two | 16 / 8 | 220 / 150 | 224 met / 212 not met | 224 met / 212 met | 44"
                + " | 32 not met / 16 not met | 232 met / 216 met | 118 / 60 / 31 |");
    assertThat(ServeBenchmark.VERDICT_HEADER.split("\n")[0].split("\\|", -1))
        .hasSize(row.split("\\|", -1).length);
  }

  @Test
  void batchingRaisesThroughputOnlyWhenTheBatchedServerServesMore() {
    // 20,000 -> 30,000 requests/s is x1.50; 30,000 -> 27,000 is x0.90 (not raised)
    String row = ServeBenchmark.batchingVerdictRow("census", 20_000, 30_000, 30_000, 27_000);
    assertThat(row)
        .isEqualTo("| census | 20000 / 30000 | yes (x1.50) | 30000 / 27000 | no (x0.90) |");
    assertThat(ServeBenchmark.BATCHING_VERDICT_HEADER.split("\n")[0].split("\\|", -1))
        .hasSize(row.split("\\|", -1).length);
  }
}
