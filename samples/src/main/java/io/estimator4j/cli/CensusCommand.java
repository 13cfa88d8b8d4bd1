package io.estimator4j.cli;

import io.estimator4j.samples.Census;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code e4j sample census}: runs {@link Census}. */
@Command(
    name = "census",
    description = {
      "UCI Adult income with TensorFlow's official wide_deep columns and settings:",
      "wide = LinearClassifier, deep = DNNClassifier [100, 75, 50, 25], wide_deep = both."
    })
final class CensusCommand extends SampleRunCommand {
  @Option(
      names = "--model",
      paramLabel = "M",
      defaultValue = "wide_deep",
      description = "wide, deep or wide_deep (default: ${DEFAULT-VALUE}).")
  private String model;

  @Option(
      names = "--epochs",
      paramLabel = "N",
      defaultValue = "40",
      description = "Training epochs (default: ${DEFAULT-VALUE}).")
  private int epochs;

  @Option(
      names = "--export-dir",
      paramLabel = "DIR",
      description = "Export the trained model as a SavedModel under this directory.")
  private Path exportDir;

  @Option(
      names = "--seed",
      paramLabel = "S",
      defaultValue = "42",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Override
  public Integer call() throws IOException {
    Census.Model m;
    try {
      m = Census.Model.valueOf(model.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw usageError("--model must be wide, deep or wide_deep, got '" + model + "'.");
    }
    requirePositive("--epochs", epochs);
    return inModelDir(
        "e4j-census-",
        dir -> {
          Census.run(m, dir, epochs, seed, System.out, exportDir);
          return 0;
        });
  }
}
