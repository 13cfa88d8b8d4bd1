package io.estimator4j.cli;

import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A {@code e4j bench} subcommand: turns its command-line values into the benchmark's options, whose
 * constructor validates them (a value it refuses is a usage error, exit code 2), then runs the
 * benchmark, printing to standard output.
 *
 * @param <O> the benchmark's options
 */
abstract class BenchRunCommand<O> implements Callable<Integer> {

  @Spec private CommandSpec spec;

  /**
   * The benchmark's options from the parsed values.
   *
   * @throws IllegalArgumentException if the benchmark refuses a value
   */
  abstract O options();

  /** Runs the benchmark and prints its results to {@code out}. */
  abstract void run(O options, PrintStream out);

  @Override
  public final Integer call() {
    O options;
    try {
      options = options();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    run(options, System.out);
    return 0;
  }
}
