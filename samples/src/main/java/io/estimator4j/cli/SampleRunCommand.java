package io.estimator4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A {@code e4j sample} subcommand: the checks of its values (a bad one is a usage error, exit code
 * 2) and its model_dir, a new temporary directory unless {@code --model-dir} names one.
 */
abstract class SampleRunCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  /** A usage error (exit code 2) with {@code message}. */
  final ParameterException usageError(String message) {
    return new ParameterException(spec.commandLine(), message);
  }

  /** Refuses, as a usage error, a value of {@code option} that is not positive. */
  final void requirePositive(String option, long value) {
    if (value <= 0) {
      throw usageError(option + " must be positive, got " + value + ".");
    }
  }

  /** {@code modelDir}, or when it is null a new temporary directory named {@code prefix...}. */
  static Path modelDir(Path modelDir, String prefix) throws IOException {
    return modelDir != null ? modelDir : Files.createTempDirectory(prefix);
  }
}
