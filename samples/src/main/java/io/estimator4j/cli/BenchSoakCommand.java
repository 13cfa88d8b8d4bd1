package io.estimator4j.cli;

import io.estimator4j.samples.bench.SoakBenchmark;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code e4j bench soak}: runs {@link SoakBenchmark}. */
@Command(
    name = "soak",
    description = {
      "Native memory over long runs: RSS every 10%% of SavedModelPredictor calls from many",
      "threads, and of census wide_deep training steps. Prints Markdown tables and the growth",
      "after warm-up (goal: within 5%%)."
    })
final class BenchSoakCommand extends BenchRunCommand<SoakBenchmark.Options> {

  @Option(
      names = "--predict-calls",
      paramLabel = "N",
      defaultValue = "" + SoakBenchmark.DEFAULT_PREDICT_CALLS,
      description = "SavedModelPredictor calls in all; 0 skips (default: ${DEFAULT-VALUE}).")
  private long predictCalls;

  @Option(
      names = "--threads",
      paramLabel = "T",
      defaultValue = "" + SoakBenchmark.DEFAULT_THREADS,
      description = "Threads sharing the predictor (default: ${DEFAULT-VALUE}).")
  private int threads;

  @Option(
      names = "--train-steps",
      paramLabel = "N",
      defaultValue = "" + SoakBenchmark.DEFAULT_TRAIN_STEPS,
      description = "Census wide_deep training steps; 0 skips (default: ${DEFAULT-VALUE}).")
  private long trainSteps;

  @Override
  SoakBenchmark.Options options() {
    return new SoakBenchmark.Options(predictCalls, threads, trainSteps);
  }

  @Override
  void run(SoakBenchmark.Options options, PrintStream out) {
    SoakBenchmark.run(options, out);
  }
}
