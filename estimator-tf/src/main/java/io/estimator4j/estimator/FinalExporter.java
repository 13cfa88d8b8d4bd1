package io.estimator4j.estimator;

import io.estimator4j.estimator.export.ServingInputReceiverFn;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Exports only at the end of training; Java counterpart of tf.estimator.FinalExporter. */
public final class FinalExporter implements Exporter {
  private final String name;
  private final ServingInputReceiverFn receiverFn;
  private final Map<String, Path> assetsExtra;

  public FinalExporter(
      String name, ServingInputReceiverFn receiverFn, Map<String, Path> assetsExtra) {
    this.name = name;
    this.receiverFn = receiverFn;
    this.assetsExtra = Map.copyOf(assetsExtra);
  }

  public FinalExporter(String name, ServingInputReceiverFn receiverFn) {
    this(name, receiverFn, Map.of());
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Optional<Path> export(
      Estimator estimator,
      Path exportPath,
      String checkpointPath,
      Map<String, Double> evalResult,
      boolean isTheFinalExport) {
    if (!isTheFinalExport) {
      return Optional.empty();
    }
    return Optional.of(
        estimator.exportSavedModel(exportPath, receiverFn, assetsExtra, checkpointPath));
  }
}
