package io.estimator4j.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that only groups subcommands: run on its own it reports a usage error (exit code 2)
 * naming the subcommands it has.
 */
abstract class ParentCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    String name = spec.qualifiedName();
    if (spec.subcommands().isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "'" + name + "' has no commands yet: they arrive with later issues.");
    }
    throw new ParameterException(
        spec.commandLine(),
        "Missing command: expected one of "
            + String.join(", ", spec.subcommands().keySet())
            + " after '"
            + name
            + "'.");
  }
}
