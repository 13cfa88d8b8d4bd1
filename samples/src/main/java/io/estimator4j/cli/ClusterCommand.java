package io.estimator4j.cli;

import picocli.CommandLine.Command;

/** {@code e4j cluster}: run a sample as a TensorFlow cluster of processes. */
@Command(
    name = "cluster",
    description = "Run a command as a TensorFlow cluster of processes (TF_CONFIG per task).",
    subcommands = {ClusterLocalCommand.class})
final class ClusterCommand extends ParentCommand {}
