package io.estimator4j.cli;

import io.estimator4j.samples.IrisPremade;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code e4j sample iris}: runs {@link IrisPremade}. */
@Command(
    name = "iris",
    description = {
      "Iris with DNNClassifier(hidden [10, 10], 3 classes), 1000 steps of batch 100.",
      "The Java version of TensorFlow's premade_estimator.py."
    })
final class IrisCommand extends TrainingSampleCommand {
  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "42",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Override
  public Integer call() throws IOException {
    long steps = steps();
    return inModelDir("e4j-iris-", dir -> IrisPremade.run(dir, steps, seed, System.out));
  }
}
