package io.estimator4j.cli;

import io.estimator4j.samples.bench.ScaleBenchmark;
import java.io.PrintStream;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code e4j bench scale}: runs {@link ScaleBenchmark}. */
@Command(
    name = "scale",
    description = {
      "Steps/s and examples/s of DNNClassifier against the raw loop by batch size and hidden"
          + " width, and of DNNLinearCombinedClassifier by hash-bucket size (census columns)."
    })
final class BenchScaleCommand extends BenchRunCommand<ScaleBenchmark.Options> {

  @Option(
      names = "--batch",
      split = ",",
      defaultValue = "1,32,256,2048",
      description = "DNNClassifier batch sizes (default: ${DEFAULT-VALUE}).")
  private List<Integer> batches;

  @Option(
      names = "--width",
      split = ",",
      defaultValue = "64,256,1024,4096",
      description = "Hidden widths, two layers, batch 40 (default: ${DEFAULT-VALUE}).")
  private List<Integer> widths;

  @Option(
      names = "--bucket-scale",
      split = ",",
      defaultValue = "1,4,16",
      description = "wide_deep hash buckets times 1000 (default: ${DEFAULT-VALUE}).")
  private List<Integer> bucketScales;

  @Option(
      names = "--seconds",
      defaultValue = "1.5",
      description = "Timed seconds per run, about (default: ${DEFAULT-VALUE}).")
  private double seconds;

  @Option(
      names = "--repeats",
      defaultValue = "3",
      description = "Runs per side; the median is reported (default: ${DEFAULT-VALUE}).")
  private int repeats;

  @Option(
      names = "--warmup",
      defaultValue = "20",
      description = "Untimed steps per run (default: ${DEFAULT-VALUE}).")
  private long warmup;

  @Override
  ScaleBenchmark.Options options() {
    return new ScaleBenchmark.Options(batches, widths, bucketScales, seconds, repeats, warmup);
  }

  @Override
  void run(ScaleBenchmark.Options options, PrintStream out) {
    ScaleBenchmark.run(options, out);
  }
}
