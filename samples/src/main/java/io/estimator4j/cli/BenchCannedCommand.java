package io.estimator4j.cli;

import io.estimator4j.samples.Census;
import io.estimator4j.samples.bench.CannedBenchmark;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code e4j bench canned}: runs {@link CannedBenchmark}. */
@Command(
    name = "canned",
    description = {
      "Examples/s of the canned census estimators (LinearClassifier, DNNClassifier,"
          + " DNNLinearCombinedClassifier) against a hand-written Session loop over the same"
          + " feature-column graph and input pipeline. Prints a Markdown table."
    })
final class BenchCannedCommand extends BenchRunCommand<CannedBenchmark.Options> {

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Timed steps per run (default: ${DEFAULT-VALUE}).")
  private long steps;

  @Option(
      names = "--repeats",
      paramLabel = "R",
      defaultValue = "3",
      description = "Runs per side; the median is reported (default: ${DEFAULT-VALUE}).")
  private int repeats;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "200",
      description = "Untimed steps before the timed ones (default: ${DEFAULT-VALUE}).")
  private long warmup;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      split = ",",
      defaultValue = "wide,deep,wide_deep",
      description =
          "Census models, comma-separated: wide, deep, wide_deep (default: ${DEFAULT-VALUE}).")
  private List<String> models;

  @Option(
      names = "--trace",
      description =
          "Instead of timing, print op-level StepStats of both sides per op type (where a step's"
              + " time goes).")
  private boolean trace;

  @Mixin private AlternateOption alternateOption;

  private int alternate;

  @Override
  CannedBenchmark.Options options() {
    alternate = alternateOption.block(warmup, steps);
    return new CannedBenchmark.Options(steps, repeats, warmup);
  }

  @Override
  void run(CannedBenchmark.Options options, PrintStream out) {
    List<Census.Model> chosen =
        models.stream().map(m -> Census.Model.valueOf(m.toUpperCase(Locale.ROOT))).toList();
    if (trace) {
      chosen.forEach(m -> CannedBenchmark.trace(CannedBenchmark.Case.census(m), warmup, out));
    } else if (alternate > 0) {
      CannedBenchmark.alternate(options, alternate, chosen, out);
    } else {
      CannedBenchmark.run(options, chosen, out);
    }
  }
}
