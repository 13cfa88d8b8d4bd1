package io.estimator4j.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.samples.Census;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the benchmarks for a handful of steps: they must work, their numbers are not checked. */
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
            "Estimator.predictor(...) build (once)",
            "Predictor.predict, batch of 1",
            "Predictor.predict, batch of 100",
            "Estimator.predict(inputFn), one example",
            "Predictor.predictTensors (no copy), batch of 1",
            "Predictor.predictTensors (no copy), batch of 100");
    assertThat(results.get(1).millis()).hasSize(5);
    assertThat(results.get(4).millis()).hasSize(5);
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("| Predictor.predict, batch of 1 |");
  }

  @Test
  @org.junit.jupiter.api.Tag("slow") // trains census, starts servers: ~30 s
  void serveBenchmarkPrintsEveryRowAndTheVerdict() throws Exception {
    ServeBenchmark.run(
        new ServeBenchmark.Options(
            0.05,
            2,
            io.estimator4j.testing.TestData.path(
                "savedmodels/tf-serving-saved_model_half_plus_two_2_versions"),
            0,
            1000,
            1,
            0.05),
        out);
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text)
        .contains("| - | gRPC floor: no model, fixed reply, transport thread | - | 1 |")
        .contains("| half_plus_two | in-process SavedModelPredictor, caller thread | - | 64 |")
        .contains(
            "| census | in-process SavedModelPredictor, caller thread, idle 100 µs before each call"
                + " | - | 1 |")
        .contains("| half_plus_two | gRPC | on | 64 |")
        .contains("| census | REST | on | 64 |")
        .contains(ServeBenchmark.VERDICT_HEADER)
        .containsPattern(
            "\\| half_plus_two \\| [0-9]+ / [0-9]+ \\| [0-9]+ / [0-9]+ \\| [0-9]+ (not )?met")
        .containsPattern("\\| census \\| [0-9]+ / [0-9]+ \\| [0-9]+ / [0-9]+ \\|")
        .contains(ServeBenchmark.BATCHING_VERDICT_HEADER)
        .containsPattern("\\| half_plus_two \\| [0-9]+ / [0-9]+ \\| (yes|no) \\(x[0-9.]+\\) \\|");
  }

  @Test
  void optionsRejectAZeroWarmUp() {
    assertThatThrownBy(() -> new TrainBenchmark.Options(10, 1, 0, List.of(BenchModel.SMALL)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("warmup must be > 0, got steps=10, repeats=1, warmup=0");
  }

  @Test
  void cannedBenchmarkMeasuresBothSidesOfEveryCensusModel() {
    List<CannedBenchmark.CaseResult> results =
        CannedBenchmark.run(
            new CannedBenchmark.Options(3, 1, 2), List.of(Census.Model.values()), out);

    assertThat(results).hasSize(3);
    for (CannedBenchmark.CaseResult r : results) {
      assertThat(r.rawMedian()).isPositive();
      assertThat(r.cannedMedian()).isPositive();
    }
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("| LinearClassifier, batch 40, hash buckets 1000 |")
        .contains("| DNNLinearCombinedClassifier, hidden 100-75-50-25, batch 40,");
  }

  @Test
  void alternationRunsOneRawBlockAfterEachEstimatorBlock(@TempDir Path dir) {
    // warm-up 4 + timed 6 Estimator steps in blocks of 2: the raw side runs 5 blocks (10 steps),
    // the 3 timed ones give one ratio each
    int[] rawSteps = {0};
    Alternation timer = new Alternation(() -> rawSteps[0]++, 4, 6, 2);
    io.estimator4j.estimator.Estimator.builder(BenchModel.SMALL.modelFn())
        .config(io.estimator4j.estimator.config.RunConfig.builder().modelDir(dir).build())
        .build()
        .train(
            BenchModel.SMALL.input(),
            io.estimator4j.estimator.StepLimit.steps(timer.totalSteps()),
            timer);

    assertThat(rawSteps[0]).isEqualTo(10);
    Alternation.Result result = timer.result();
    assertThat(result.blockRatios()).hasSize(3);
    assertThat(result.ratio())
        .isCloseTo(result.estimatorStepsPerSec() / result.rawStepsPerSec(), within(1e-12));
    assertThatThrownBy(() -> new Alternation(() -> {}, 5, 6, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "warmup and steps must be positive multiples of the block, got warmup=5, steps=6,"
                + " block=2");
  }

  @Test
  void alternatingBenchmarksReportEveryModel() {
    List<Double> train =
        TrainBenchmark.alternate(
            new TrainBenchmark.Options(4, 1, 2, List.of(BenchModel.SMALL)), 2, out);
    List<Double> canned =
        CannedBenchmark.alternate(
            new CannedBenchmark.Options(4, 1, 2), 2, List.of(Census.Model.WIDE), out);

    assertThat(train).hasSize(1);
    assertThat(canned).hasSize(1);
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .contains("| small (4 -> 10 -> 10 -> 3, batch 100) |")
        .contains("| LinearClassifier, batch 40, hash buckets 1000 |")
        .contains("Alternating on one thread: 2 canned steps, then 2 raw steps");
  }

  @Test
  void kerasLoadMainPrintsEveryPhase() throws Exception {
    PrintStream stdout = System.out;
    System.setOut(out);
    try {
      KerasLoadMain.main(
          new String[] {io.estimator4j.testing.TestData.path("keras/models/mlp_1.h5").toString()});
    } finally {
      System.setOut(stdout);
    }

    // one line, six timings in seconds: jvm read build session predict total
    assertThat(bytes.toString(StandardCharsets.UTF_8))
        .containsPattern(
            "e4j-load jvm=[0-9.]+ read=[0-9.]+ build=[0-9.]+ session=[0-9.]+ predict=[0-9.]+"
                + " total=[0-9.]+\\n");
  }

  @Test
  void traceCountsTheNodesOfBothSides() {
    CannedBenchmark.trace(CannedBenchmark.Case.census(Census.Model.WIDE_DEEP), 2, out);

    // both sides run the same input pipeline and feature columns; the canned linear part adds one
    // SparseFillEmptyRows per categorical column (the rows of its sparse update), and the canned
    // combined model looks the 4 vocabulary columns up once per network, as Python does
    String text = bytes.toString(StandardCharsets.UTF_8);
    assertThat(text).contains("raw: ").contains("canned: ");
    assertThat(text).contains("SparseFillEmptyRows +8;").contains("LookupTableFindV2 +4;");
  }

  @Test
  void scaleBenchmarkRunsEverySweep() {
    List<CannedBenchmark.CaseResult> results =
        ScaleBenchmark.run(
            new ScaleBenchmark.Options(List.of(1, 2), List.of(8), List.of(2), 0.01, 1, 2), out);

    assertThat(results)
        .extracting(r -> r.c().describe())
        .containsExactly(
            "DNNClassifier, hidden 100-75-50-25, batch 1, hash buckets 1000",
            "DNNClassifier, hidden 100-75-50-25, batch 2, hash buckets 1000",
            "DNNClassifier, hidden 8-8, batch 40, hash buckets 1000",
            "DNNLinearCombinedClassifier, hidden 100-75-50-25, batch 40, hash buckets 2000");
    // at 0.01 s per run, the raw side's 10-step floor decides, and the canned side runs as many
    assertThat(results.get(0).raw().get(0).steps()).isEqualTo(10);
    assertThat(results.get(0).canned().get(0).steps()).isEqualTo(10);
  }

  @Test
  void benchmarksFileReplacesAGeneratedSectionInPlace(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("BENCHMARKS.md");
    Files.writeString(file, "# Benchmarks\n\nhand-written text\n");

    BenchmarksFile.write(file, "canned", "first");
    BenchmarksFile.write(file, "scale", "other");
    BenchmarksFile.write(file, "canned", "second");

    assertThat(Files.readString(file))
        .isEqualTo(
            "# Benchmarks\n\nhand-written text\n\n"
                + "<!-- e4j bench all: canned begin -->\nsecond\n<!-- e4j bench all: canned end -->\n"
                + "\n<!-- e4j bench all: scale begin -->\nother\n<!-- e4j bench all: scale end -->\n");
    assertThat(BenchmarksFile.header("`./e4j bench all`", java.time.Instant.EPOCH, "load 1"))
        .contains("- Machine: nproc ")
        .contains("CPU \"")
        .contains("- Load at the start: load 1")
        .contains("- Command: `./e4j bench all`")
        .contains("- Date: 1970-01-01T00:00:00Z");
  }
}
