package io.estimator4j.cli;

import picocli.CommandLine.Command;

/** {@code e4j bench}: benchmarks, each a subcommand; results go to BENCHMARKS.md. */
@Command(
    name = "bench",
    description = "Benchmarks against hand-written Session loops.",
    subcommands = {
      BenchTrainCommand.class,
      BenchPredictCommand.class,
      BenchSoakCommand.class,
      BenchKerasAppsCommand.class,
      BenchServeCommand.class,
      BenchCannedCommand.class,
      BenchScaleCommand.class,
      BenchAllCommand.class
    })
final class BenchCommand extends ParentCommand {}
