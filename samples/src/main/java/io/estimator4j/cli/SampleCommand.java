package io.estimator4j.cli;

import picocli.CommandLine.Command;

/** {@code e4j sample}: the runnable samples, each a subcommand. */
@Command(
    name = "sample",
    description = "Run a sample: train, evaluate and predict.",
    subcommands = {
      IrisCustomCommand.class,
      IrisCommand.class,
      CensusCommand.class,
      KerasEstimatorCommand.class,
      KerasInceptionCommand.class
    })
final class SampleCommand extends ParentCommand {}
