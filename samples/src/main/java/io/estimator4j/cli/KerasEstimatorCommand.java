package io.estimator4j.cli;

import io.estimator4j.samples.KerasEstimatorSample;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/** {@code e4j sample keras-estimator}: runs {@link KerasEstimatorSample}. */
@Command(
    name = "keras-estimator",
    description = {
      "A compiled Keras model wrapped as an Estimator: train, evaluate, export.",
      "The Java version of TensorFlow's Keras-to-Estimator walkthrough (model_to_estimator)."
    },
    defaultValueProvider = KerasEstimatorCommand.Defaults.class)
final class KerasEstimatorCommand extends TrainingSampleCommand {

  private static final Logger LOG = LoggerFactory.getLogger(KerasEstimatorCommand.class);

  /**
   * The file compiles RMSprop with a learning rate of 1e-4: 1000 steps leave the test accuracy at
   * 0.27, {@link KerasEstimatorSample#DEFAULT_STEPS} (about 20 s) reach 0.93.
   */
  static final class Defaults implements IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec arg) {
      return arg.isOption() && ((OptionSpec) arg).longestName().equals("--steps")
          ? Long.toString(KerasEstimatorSample.DEFAULT_STEPS)
          : null;
    }
  }

  @Override
  public Integer call() throws IOException {
    long steps = steps();
    return inModelDir(
        "e4j-keras-estimator-",
        dir -> {
          LOG.info("model_dir = {}", dir.toAbsolutePath());
          return KerasEstimatorSample.run(dir, steps, System.out);
        });
  }
}
