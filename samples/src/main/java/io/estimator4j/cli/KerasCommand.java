package io.estimator4j.cli;

import io.estimator4j.keras.KerasModelFile;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/**
 * {@code e4j keras}: Keras model tools: convert a Keras model into a SavedModel for TF Serving, and
 * show its layers as {@code model.summary()} does.
 */
@Command(
    name = "keras",
    description = "Keras model tools: convert to a SavedModel, show a summary.",
    subcommands = {KerasConvertCommand.class, KerasShowCommand.class})
final class KerasCommand extends ParentCommand {

  /** Reads MODEL, or with a weights file, MODEL as the architecture JSON and those weights. */
  static KerasModelFile read(Path model, Path weights) throws IOException {
    return weights == null ? KerasModelFile.read(model) : KerasModelFile.read(model, weights);
  }
}
