package io.estimator4j.cli;

import io.estimator4j.samples.IrisCustom;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code e4j sample iris-custom}: runs {@link IrisCustom}. */
@Command(
    name = "iris-custom",
    description = {
      "Iris classifier from a custom model function.",
      "The Java version of tf.estimator's custom_estimator.py sample."
    })
final class IrisCustomCommand extends TrainingSampleCommand {

  static final long DEFAULT_SEED = 42;

  private static final Logger LOG = LoggerFactory.getLogger(IrisCustomCommand.class);

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "" + DEFAULT_SEED,
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Override
  public Integer call() throws IOException {
    long steps = steps();
    return inModelDir(
        "e4j-iris-custom-",
        dir -> {
          LOG.info("model_dir = {}", dir.toAbsolutePath());
          return IrisCustom.run(dir, steps, seed, System.out);
        });
  }
}
