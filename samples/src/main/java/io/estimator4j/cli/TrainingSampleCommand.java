package io.estimator4j.cli;

import picocli.CommandLine.Option;

/**
 * A {@code e4j sample} subcommand that trains for a number of steps: its {@code --steps} option,
 * checked positive.
 */
abstract class TrainingSampleCommand extends SampleRunCommand {
  /** Training steps by default, as in TensorFlow's iris samples. */
  static final long DEFAULT_STEPS = 1000;

  @Option(
      names = "--steps",
      paramLabel = "N",
      defaultValue = "" + DEFAULT_STEPS,
      description = "Training steps (default: ${DEFAULT-VALUE}).")
  private long steps;

  /** The {@code --steps} value; a usage error (exit code 2) unless it is positive. */
  final long steps() {
    requirePositive("--steps", steps);
    return steps;
  }
}
