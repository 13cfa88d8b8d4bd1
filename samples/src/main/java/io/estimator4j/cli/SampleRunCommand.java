package io.estimator4j.cli;

import io.estimator4j.savedmodel.SavedModelWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A {@code e4j sample} subcommand: the checks of its values (a bad one is a usage error, exit code
 * 2) and its model_dir: {@code --model-dir}, or a new temporary directory that is removed when the
 * sample ends unless {@code --keep} is given.
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

  @Option(
      names = "--model-dir",
      paramLabel = "DIR",
      description =
          "Where checkpoints, summaries and exports go (default: a new temporary directory,"
              + " removed at the end unless --keep).")
  private Path modelDir;

  @Option(
      names = "--keep",
      description = "Keep the temporary model_dir at the end (no effect with --model-dir).")
  private boolean keep;

  /** What a sample runs in its model_dir; returns the exit code. */
  @FunctionalInterface
  interface InModelDir {
    int run(Path modelDir) throws IOException;
  }

  /**
   * Runs {@code body} in {@code --model-dir}, or in a new temporary directory named {@code
   * prefix...} that is removed afterwards (also when the body fails) unless {@code --keep}; says on
   * standard error which it did.
   */
  final int inModelDir(String prefix, InModelDir body) throws IOException {
    if (modelDir != null) {
      return body.run(modelDir);
    }
    Path dir = Files.createTempDirectory(prefix);
    try {
      return body.run(dir);
    } finally {
      if (keep) {
        spec.commandLine().getErr().println("e4j: kept the temporary model_dir " + dir);
      } else {
        SavedModelWriter.deleteRecursively(dir);
        spec.commandLine()
            .getErr()
            .println(
                "e4j: removed the temporary model_dir "
                    + dir
                    + " (pass --keep, or --model-dir DIR, to keep it)");
      }
    }
  }
}
