package io.estimator4j.cli;

import io.estimator4j.samples.Census;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code e4j sample census}: runs {@link Census}. */
@Command(
    name = "census",
    description = {
      "UCI Adult income with TensorFlow's official wide_deep columns and settings:",
      "wide = LinearClassifier, deep = DNNClassifier [100, 75, 50, 25], wide_deep = both."
    })
final class CensusCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Option(names = "--model", paramLabel = "M", defaultValue = "wide_deep",
      description = "wide, deep or wide_deep (default: ${DEFAULT-VALUE}).")
  private String model;

  @Option(names = "--epochs", paramLabel = "N", defaultValue = "40",
      description = "Training epochs (default: ${DEFAULT-VALUE}).")
  private int epochs;

  @Option(names = "--model-dir", paramLabel = "DIR",
      description = "Where checkpoints and summaries go (default: a new temporary directory).")
  private Path modelDir;

  @Option(names = "--export-dir", paramLabel = "DIR",
      description = "Export the trained model as a SavedModel under this directory.")
  private Path exportDir;

  @Option(names = "--seed", paramLabel = "S", defaultValue = "42",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  private long seed;

  @Override
  public Integer call() throws IOException {
    Census.Model m;
    try {
      m = Census.Model.valueOf(model.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(),
          "--model must be wide, deep or wide_deep, got '" + model + "'.");
    }
    if (epochs <= 0) {
      throw new ParameterException(spec.commandLine(), "--epochs must be positive, got " + epochs + ".");
    }
    Path dir = modelDir != null ? modelDir : Files.createTempDirectory("e4j-census-");
    Census.run(m, dir, epochs, seed, System.out, exportDir);
    return 0;
  }
}
