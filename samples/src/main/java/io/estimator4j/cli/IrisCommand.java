package io.estimator4j.cli;

import io.estimator4j.samples.IrisPremade;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code e4j sample iris}: runs {@link IrisPremade}. */
@Command(
    name = "iris",
    description = {
      "Iris with DNNClassifier(hidden [10, 10], 3 classes), 1000 steps of batch 100.",
      "The Java version of TensorFlow's premade_estimator.py."
    })
final class IrisCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(names = "--model-dir", paramLabel = "DIR",
      description = "Where checkpoints and summaries go (default: a new temporary directory).")
  private Path modelDir;

  @Option(names = "--steps", paramLabel = "N", defaultValue = "1000",
      description = "Training steps (default: ${DEFAULT-VALUE}).")
  private long steps;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Override
  public Integer call() throws IOException {
    if (steps <= 0) {
      throw new ParameterException(spec.commandLine(), "--steps must be positive, got " + steps + ".");
    }
    Path dir = modelDir != null ? modelDir : Files.createTempDirectory("e4j-iris-");
    return IrisPremade.run(dir, steps, seed, System.out);
  }
}
