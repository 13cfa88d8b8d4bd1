package io.estimator4j.estimator;

import io.estimator4j.estimator.export.ServingInputReceiverFn;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Exports after every evaluation and keeps the newest {@code exportsToKeep}; Java counterpart of
 * tf.estimator.LatestExporter.
 */
public final class LatestExporter implements Exporter {
  public static final int DEFAULT_EXPORTS_TO_KEEP = 5;
  private final String name;
  private final ServingInputReceiverFn receiverFn;
  private final Map<String, Path> assetsExtra;
  private final int exportsToKeep;

  public LatestExporter(
      String name,
      ServingInputReceiverFn receiverFn,
      Map<String, Path> assetsExtra,
      int exportsToKeep) {
    this.name = name;
    this.receiverFn = receiverFn;
    this.assetsExtra = Map.copyOf(assetsExtra);
    this.exportsToKeep = exportsToKeep;
  }

  public LatestExporter(String name, ServingInputReceiverFn receiverFn) {
    this(name, receiverFn, Map.of(), DEFAULT_EXPORTS_TO_KEEP);
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
    Path out = estimator.exportSavedModel(exportPath, receiverFn, assetsExtra, checkpointPath);
    ExportGarbageCollector.keepNewest(exportPath, exportsToKeep);
    return Optional.of(out);
  }
}
