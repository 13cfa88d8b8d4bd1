package io.estimator4j.cli;

import io.estimator4j.samples.bench.BenchModel;
import io.estimator4j.samples.bench.TrainBenchmark;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code e4j bench train}: runs {@link TrainBenchmark}. */
@Command(
    name = "train",
    description = {
      "Steps/sec of Estimator.train against a raw Session loop.",
      "Both sides run the same graph on the same synthetic data.",
      "Models: small (4 -> 10 -> 10 -> 3, batch 100), medium (100 -> 512 -> 512 -> 10,"
          + " batch 256) and, on request, tiny (4 -> 3, batch 1: mostly session overhead)."
          + " Prints a Markdown table per model."
    })
final class BenchTrainCommand extends BenchRunCommand<TrainBenchmark.Options> {

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "" + TrainBenchmark.DEFAULT_STEPS,
      description = "Timed steps per run (default: ${DEFAULT-VALUE}).")
  private long steps;

  @Option(
      names = "--repeats",
      paramLabel = "R",
      defaultValue = "" + TrainBenchmark.DEFAULT_REPEATS,
      description = "Runs per loop; the median is reported (default: ${DEFAULT-VALUE}).")
  private int repeats;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "" + TrainBenchmark.DEFAULT_WARMUP,
      description = "Untimed steps before the timed ones (default: ${DEFAULT-VALUE}).")
  private long warmup;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      split = ",",
      defaultValue = "small,medium",
      description =
          "Models to run, comma-separated: tiny, small, medium" + " (default: ${DEFAULT-VALUE}).")
  private List<String> models;

  @Mixin private AlternateOption alternateOption;

  private int alternate;

  @Override
  TrainBenchmark.Options options() {
    alternate = alternateOption.block(warmup, steps);
    return new TrainBenchmark.Options(
        steps, repeats, warmup, models.stream().map(BenchModel::named).toList());
  }

  @Override
  void run(TrainBenchmark.Options options, PrintStream out) {
    if (alternate > 0) {
      TrainBenchmark.alternate(options, alternate, out);
    } else {
      TrainBenchmark.run(options, out);
    }
  }
}
