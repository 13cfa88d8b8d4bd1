package io.estimator4j.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs both benchmarks for a handful of steps: they must work, their numbers are not checked. */
class BenchmarkSmokeTest {

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

  @Test
  void trainBenchmarkMeasuresEverySideOfTheSmallModel() {
    List<TrainBenchmark.ModelResult> results =
        TrainBenchmark.run(new TrainBenchmark.Options(5, 1, 2, List.of(BenchModel.SMALL)), out);

    assertThat(results).hasSize(1);
    for (TrainBenchmark.Side side : TrainBenchmark.Side.values()) {
      assertThat(results.get(0).median(side)).isPositive();
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("### Train: small (4 -> 10 -> 10 -> 3, batch 100)")
        .contains("| Estimator.train, hooks off |");
  }

  @Test
  void predictBenchmarkComparesPredictorWithPredict() {
    List<PredictBenchmark.Latency> results =
        PredictBenchmark.run(new PredictBenchmark.Options(5, 1, 1, 5), out);

    assertThat(results)
        .extracting(PredictBenchmark.Latency::label)
        .containsExactly(
            "Estimator.predictor(...) build (once)", "Predictor.predict, batch of 1",
            "Predictor.predict, batch of 100", "Estimator.predict(inputFn), one example");
    assertThat(results.get(1).millis()).hasSize(5);
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("| Predictor.predict, batch of 1 |");
  }

  @Test
  void optionsRejectAZeroWarmUp() {
    assertThatThrownBy(() -> new TrainBenchmark.Options(10, 1, 0, List.of(BenchModel.SMALL)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("warmup must be > 0, got steps=10, repeats=1, warmup=0");
  }
}
