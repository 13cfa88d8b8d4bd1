package io.estimator4j.cli;

import picocli.CommandLine.Command;

/** {@code e4j keras}: Keras model tools. Placeholder; its commands arrive with later issues. */
@Command(
    name = "keras",
    description = "Keras model tools (commands arrive with later issues).")
final class KerasCommand extends ParentCommand {}
