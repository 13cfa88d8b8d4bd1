package io.estimator4j.cli;

import io.estimator4j.samples.KerasApplications;
import io.estimator4j.samples.KerasInceptionSample;
import java.io.IOException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/** {@code e4j sample keras-inception}: runs {@link KerasInceptionSample}. */
@Command(
    name = "keras-inception",
    description = {
      "tf.keras.applications InceptionV3 (weights=None, SGD lr 1e-4 momentum 0.9, categorical",
      "cross-entropy) through modelToEstimator on synthetic 299x299 images: train, evaluate,",
      "export, and images/s next to a raw tensorflow-java loop on the same graph."
    },
    defaultValueProvider = KerasInceptionCommand.Defaults.class)
final class KerasInceptionCommand extends TrainingSampleCommand {
  private static final Logger LOG = LoggerFactory.getLogger(KerasInceptionCommand.class);

  @Option(
      names = "--batch",
      paramLabel = "B",
      defaultValue = "" + KerasInceptionSample.DEFAULT_BATCH,
      description = "Images per step (default: ${DEFAULT-VALUE}).")
  private int batch;

  @Option(
      names = "--model",
      paramLabel = "NAME",
      defaultValue = "inception_v3",
      description = "inception_v3, resnet50 or mobilenet_v2 (default: ${DEFAULT-VALUE}).")
  private String model;

  /** InceptionV3 on a CPU takes seconds per step: a few steps by default. */
  static final class Defaults implements IDefaultValueProvider {
    @Override
    public String defaultValue(ArgSpec arg) {
      return arg.isOption() && ((OptionSpec) arg).longestName().equals("--steps")
          ? Long.toString(KerasInceptionSample.DEFAULT_STEPS)
          : null;
    }
  }

  @Override
  public Integer call() throws IOException {
    long steps = steps();
    if (steps < 2) {
      throw usageError(
          "--steps must be at least 2 (the first step is warm-up), got " + steps + ".");
    }
    requirePositive("--batch", batch);
    KerasApplications.App app =
        switch (model.toLowerCase(Locale.ROOT)) {
          case "inception_v3", "inceptionv3" -> KerasApplications.App.INCEPTION_V3;
          case "resnet50" -> KerasApplications.App.RESNET50;
          case "mobilenet_v2", "mobilenetv2" -> KerasApplications.App.MOBILENET_V2;
          default ->
              throw usageError(
                  "--model must be inception_v3, resnet50 or mobilenet_v2, got " + model + ".");
        };
    return inModelDir(
        "e4j-keras-inception-",
        dir -> {
          LOG.info("model_dir = {}", dir.toAbsolutePath());
          KerasInceptionSample.run(dir, app, steps, batch, System.out);
          return 0;
        });
  }
}
