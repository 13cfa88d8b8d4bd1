package io.estimator4j.samples.bench;

import io.estimator4j.samples.Census;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the canned estimators' cost grows with the work, each point as a ratio to the hand-written
 * loop of {@link CannedBenchmark} (same feature-column graph, same input pipeline, interleaved):
 * DNNClassifier on the census deep columns at several batch sizes and hidden widths (two hidden
 * layers of the width), and DNNLinearCombinedClassifier with the census hash buckets scaled. Each
 * run times the steps that fit in {@code seconds} at the raw warm-up's speed (10 at least), so that
 * large cases stay bounded; the canned side runs the same number of steps.
 */
public final class ScaleBenchmark {
  private ScaleBenchmark() {}

  /**
   * @param batches DNNClassifier batch sizes (hidden 100-75-50-25)
   * @param widths DNNClassifier hidden widths (two layers, batch 40)
   * @param bucketScales wide_deep hash-bucket multipliers (batch 40)
   * @param seconds timed seconds per run, about
   * @param repeats runs per side
   * @param warmup untimed steps per run
   */
  public record Options(
      List<Integer> batches,
      List<Integer> widths,
      List<Integer> bucketScales,
      double seconds,
      int repeats,
      long warmup) {
    public Options {
      batches = List.copyOf(batches);
      widths = List.copyOf(widths);
      bucketScales = List.copyOf(bucketScales);
      if (seconds <= 0 || repeats <= 0 || warmup <= 0) {
        throw new IllegalArgumentException(
            "seconds, repeats and warmup must be > 0, got seconds="
                + seconds
                + ", repeats="
                + repeats
                + ", warmup="
                + warmup);
      }
      for (List<Integer> l : List.of(batches, widths, bucketScales)) {
        if (l.stream().anyMatch(v -> v <= 0)) {
          throw new IllegalArgumentException("Sizes must be > 0, got " + l);
        }
      }
    }
  }

  /** The cases of {@code options}, in order: batches, widths, bucket scales. */
  static List<CannedBenchmark.Case> cases(Options options) {
    List<CannedBenchmark.Case> cases = new ArrayList<>();
    for (int b : options.batches()) {
      cases.add(new CannedBenchmark.Case(Census.Model.DEEP, Census.hiddenUnits(), b, 1));
    }
    for (int w : options.widths()) {
      cases.add(
          new CannedBenchmark.Case(Census.Model.DEEP, new int[] {w, w}, Census.BATCH_SIZE, 1));
    }
    for (int s : options.bucketScales()) {
      cases.add(
          new CannedBenchmark.Case(
              Census.Model.WIDE_DEEP, Census.hiddenUnits(), Census.BATCH_SIZE, s));
    }
    return cases;
  }

  /** Measures every case and prints one Markdown table. */
  public static List<CannedBenchmark.CaseResult> run(Options options, PrintStream out) {
    out.println(Machine.describe());
    out.printf(
        Locale.ROOT,
        "%nAbout %.1f s timed per run after %d warm-up steps, %d repeats, sides interleaved;"
            + " medians.%n%n",
        options.seconds(),
        options.warmup(),
        options.repeats());
    out.println(
        "| Case | raw steps/s | canned steps/s | raw examples/s | canned examples/s"
            + " | canned / raw | raw loop-thread µs/step | canned loop-thread µs/step |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    List<CannedBenchmark.CaseResult> results = new ArrayList<>();
    for (CannedBenchmark.Case c : cases(options)) {
      List<Meter.Run> raw = new ArrayList<>();
      List<Meter.Run> canned = new ArrayList<>();
      for (int r = 0; r < options.repeats(); r++) {
        Meter.Run rawRun =
            CannedBenchmark.raw(c, options.warmup(), Long.MAX_VALUE, options.seconds());
        raw.add(rawRun);
        canned.add(CannedBenchmark.canned(c, options.warmup(), rawRun.steps()));
      }
      CannedBenchmark.CaseResult result = new CannedBenchmark.CaseResult(c, raw, canned);
      CannedBenchmark.printRow(result, out);
      results.add(result);
    }
    out.println();
    out.println(Machine.loadAverage() + " (at the end)");
    return results;
  }
}
