package io.estimator4j.cli;

import io.estimator4j.samples.bench.KerasAppsBenchmark;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code e4j bench keras-apps}: runs {@link KerasAppsBenchmark}. */
@Command(
    name = "keras-apps",
    description = {
      "Load time and per-call predict latency of InceptionV3, ResNet50 and MobileNetV2 (written",
      "as tf.keras 2.x writes them): KerasModel.predict and SavedModelPredictor on the converted",
      "SavedModel, each beside a bare session.runner() on the same graph, calls interleaved.",
      "--keras FILE adds any Keras file (float32 inputs); --no-apps leaves the three out.",
      "Prints a Markdown table."
    })
final class BenchKerasAppsCommand extends BenchRunCommand<KerasAppsBenchmark.Options> {
  @Option(
      names = "--calls",
      paramLabel = "N",
      defaultValue = "" + KerasAppsBenchmark.DEFAULT_CALLS,
      description = "Timed calls per measurement (default: ${DEFAULT-VALUE}).")
  private int calls;

  @Option(
      names = "--warmup",
      paramLabel = "W",
      defaultValue = "" + KerasAppsBenchmark.DEFAULT_WARMUP,
      description = "Untimed calls before them (default: ${DEFAULT-VALUE}).")
  private int warmup;

  @Option(
      names = "--batch",
      paramLabel = "B",
      defaultValue = "1",
      description = "Images per call (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(
      names = "--keras",
      paramLabel = "FILE",
      description = "A Keras file (.h5, .keras, .json) to time as well; repeatable.")
  private List<Path> files = new ArrayList<>();

  @Option(
      names = "--no-apps",
      description = "Time only the --keras files, not the three applications.")
  private boolean noApps;

  @Option(
      names = "--fresh-jvm",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "Instead, load each application N times, each in a fresh JVM started like this one:"
              + " the time from main() to the first prediction, by phase (0: off, default).")
  private int freshJvm;

  @Override
  KerasAppsBenchmark.Options options() {
    if (freshJvm < 0) {
      throw new IllegalArgumentException("--fresh-jvm must be >= 0, got " + freshJvm);
    }
    return new KerasAppsBenchmark.Options(calls, warmup, batch, files, !noApps);
  }

  @Override
  void run(KerasAppsBenchmark.Options options, PrintStream out) {
    if (freshJvm > 0) {
      KerasAppsBenchmark.freshJvm(freshJvm, out);
    } else {
      KerasAppsBenchmark.run(options, out);
    }
  }
}
