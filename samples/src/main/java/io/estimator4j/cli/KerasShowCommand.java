package io.estimator4j.cli;

import io.estimator4j.keras.KerasModel;
import io.estimator4j.keras.KerasSummary;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code e4j keras show}: a Keras model's layers, output shapes and parameter counts, as Keras's
 * {@code model.summary()} prints them.
 */
@Command(
    name = "show",
    description = {
      "Show a Keras model's layers, output shapes and parameter counts.",
      "Printed like Keras's model.summary(): Layer (type), Output Shape (None for the batch),"
          + " Param # and, for functional models, Connected to; then the total, trainable and"
          + " non-trainable parameter counts."
    })
final class KerasShowCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Parameters(
      index = "0",
      paramLabel = "MODEL",
      description = "Keras model: .h5/.hdf5, .keras archive, or architecture .json.")
  private Path model;

  @Option(
      names = "--weights",
      paramLabel = "FILE",
      description = "HDF5 weights (model.save_weights) for an architecture .json MODEL.")
  private Path weights;

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    try (KerasModel keras = KerasModel.build(KerasCommand.read(model, weights))) {
      out.print(KerasSummary.of(keras).text());
    }
    out.flush();
    return 0;
  }
}
