package io.estimator4j.cli;

import picocli.CommandLine.Command;

/**
 * {@code e4j saved-model}: show, run and check any SavedModel; the Java counterpart of TensorFlow's
 * {@code saved_model_cli}, plus a check against TF Serving's APIs.
 */
@Command(
    name = "saved-model",
    description = "SavedModel tools: show, run and check any SavedModel (like saved_model_cli).",
    subcommands = {
      SavedModelShowCommand.class,
      SavedModelRunCommand.class,
      SavedModelCheckCommand.class
    })
final class SavedModelCommand extends ParentCommand {}
