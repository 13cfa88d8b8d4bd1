package io.estimator4j.cli;

import io.estimator4j.samples.bench.ServeBenchmark;
import java.io.PrintStream;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code e4j bench serve}: runs {@link ServeBenchmark}. */
@Command(
    name = "serve",
    description = {
      "Load test of e4j serve on loopback: half_plus_two (predict) and census (classify) over REST"
          + " and gRPC at 1, 8 and 64 clients, with and without batching, against in-process"
          + " SavedModelPredictor calls. Prints a Markdown table."
    })
final class BenchServeCommand extends BenchRunCommand<ServeBenchmark.Options> {

  @Option(
      names = "--seconds",
      paramLabel = "S",
      defaultValue = "3",
      description = "Measured seconds per row, after a warm-up (default: ${DEFAULT-VALUE}).")
  private double seconds;

  @Option(
      names = "--census-steps",
      paramLabel = "N",
      defaultValue = "500",
      description = "Training steps of the census model before export (default: ${DEFAULT-VALUE}).")
  private long censusSteps;

  @Option(
      names = "--half-plus-two",
      paramLabel = "DIR",
      defaultValue = "testdata/savedmodels/tf-serving-saved_model_half_plus_two_2_versions",
      description = "TF Serving's half_plus_two base path (default: ${DEFAULT-VALUE}).")
  private Path halfPlusTwo;

  @Option(
      names = "--tensorflow_inter_op_parallelism",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "The server's flag of that name, also given to the in-process baseline's session"
              + " (default ${DEFAULT-VALUE}: TensorFlow's choice; -1: each request in its"
              + " caller's thread).")
  private int interOp;

  @Option(
      names = "--batch-timeout-micros",
      paramLabel = "US",
      defaultValue = "1000",
      description =
          "batch_timeout_micros of the batching rows (default ${DEFAULT-VALUE}; 0: a batch runs"
              + " as soon as a batch thread is free, with what has queued).")
  private long batchTimeoutMicros;

  @Option(
      names = "--alternate",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "After the table, N alternating rounds of every 1-client path (in process both ways,"
              + " gRPC with a blocking and an asynchronous client, REST, floors) and a verdict on"
              + " issue 15's latency goals from the medians; then N alternating rounds at 64"
              + " clients of a server without and one with batching, both up at once, and a"
              + " verdict on the batching goal (default ${DEFAULT-VALUE}: none).")
  private int alternate;

  @Option(
      names = "--verdict-round-seconds",
      paramLabel = "S",
      defaultValue = "0.5",
      description = "Seconds per path per round of --alternate (default: ${DEFAULT-VALUE}).")
  private double verdictRoundSeconds;

  @Override
  ServeBenchmark.Options options() {
    return new ServeBenchmark.Options(
        seconds,
        censusSteps,
        halfPlusTwo,
        interOp,
        batchTimeoutMicros,
        alternate,
        verdictRoundSeconds);
  }

  @Override
  void run(ServeBenchmark.Options options, PrintStream out) {
    try {
      ServeBenchmark.run(options, out);
    } catch (Exception e) {
      throw new IllegalStateException("bench serve failed: " + e, e);
    }
  }
}
