package io.estimator4j.cli;

import io.estimator4j.samples.bench.PredictBenchmark;
import java.io.PrintStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code e4j bench predict}: runs {@link PredictBenchmark}. */
@Command(
    name = "predict",
    description = {
      "Latency of a warm Predictor against Estimator.predict.",
      "Estimator.predict builds a graph and restores the checkpoint on every call.",
      "Trains the iris model briefly in a temporary model_dir first. Prints a Markdown table."
    })
final class BenchPredictCommand extends BenchRunCommand<PredictBenchmark.Options> {

  @Option(
      names = "--calls",
      paramLabel = "N",
      defaultValue = "" + PredictBenchmark.DEFAULT_CALLS,
      description = "Timed Predictor calls per batch size (default: ${DEFAULT-VALUE}).")
  private int calls;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "" + PredictBenchmark.DEFAULT_WARMUP,
      description = "Untimed Predictor calls before them (default: ${DEFAULT-VALUE}).")
  private int warmup;

  @Option(
      names = "--predict-calls",
      paramLabel = "N",
      defaultValue = "" + PredictBenchmark.DEFAULT_PREDICT_CALLS,
      description = "Timed Estimator.predict calls (default: ${DEFAULT-VALUE}).")
  private int predictCalls;

  @Option(
      names = "--train-steps",
      paramLabel = "N",
      defaultValue = "" + PredictBenchmark.DEFAULT_TRAIN_STEPS,
      description = "Training steps before measuring (default: ${DEFAULT-VALUE}).")
  private int trainSteps;

  @Override
  PredictBenchmark.Options options() {
    return new PredictBenchmark.Options(calls, warmup, predictCalls, trainSteps);
  }

  @Override
  void run(PredictBenchmark.Options options, PrintStream out) {
    PredictBenchmark.run(options, out);
  }
}
