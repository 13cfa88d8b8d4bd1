package io.estimator4j.cli;

import picocli.CommandLine.Command;

/** {@code e4j saved-model}: SavedModel tools. Placeholder; its commands arrive with later issues. */
@Command(
    name = "saved-model",
    description = "SavedModel tools (commands arrive with later issues).")
final class SavedModelCommand extends ParentCommand {}
