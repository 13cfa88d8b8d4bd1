package io.estimator4j.estimator;

import io.estimator4j.estimator.export.ServingInputReceiverFn;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.summary.EventFileReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports when an evaluation beats every earlier one, judged on a metric (default: smaller loss),
 * and keeps the newest {@code exportsToKeep}; Java counterpart of tf.estimator.BestExporter.
 *
 * <p>The best value is read from the evaluation event files at every export decision, so it
 * survives restarts: TensorFlow's BestExporter exported whatever came first after a restart, even a
 * worse model (tensorflow issue #47396). Here a restarted job exports only a model better than
 * every evaluation recorded before it.
 */
public final class BestExporter implements Exporter {
  private static final Logger LOG = LoggerFactory.getLogger(BestExporter.class);
  public static final String DEFAULT_NAME = "best_exporter";
  private final String name;
  private final ServingInputReceiverFn receiverFn;
  private final String metric;
  private final boolean smallerIsBetter;
  private final String evalName;
  private final int exportsToKeep;

  private BestExporter(
      String name,
      ServingInputReceiverFn receiverFn,
      String metric,
      boolean smallerIsBetter,
      String evalName,
      int exportsToKeep) {
    this.name = name;
    this.receiverFn = receiverFn;
    this.metric = metric;
    this.smallerIsBetter = smallerIsBetter;
    this.evalName = evalName;
    this.exportsToKeep = exportsToKeep;
  }

  /** Smaller {@code loss} is better; evaluations read from model_dir/eval. */
  public static BestExporter onLoss(ServingInputReceiverFn receiverFn) {
    return new BestExporter(
        DEFAULT_NAME,
        receiverFn,
        EstimatorSpec.LOSS_KEY,
        true,
        null,
        LatestExporter.DEFAULT_EXPORTS_TO_KEEP);
  }

  /**
   * Best by {@code metric}.
   *
   * @param evalName the EvalSpec name whose events to read (null for model_dir/eval)
   */
  public static BestExporter on(
      String name,
      ServingInputReceiverFn receiverFn,
      String metric,
      boolean smallerIsBetter,
      String evalName,
      int exportsToKeep) {
    return new BestExporter(name, receiverFn, metric, smallerIsBetter, evalName, exportsToKeep);
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
    Double current = evalResult.get(metric);
    if (current == null) {
      throw new IllegalArgumentException(
          "BestExporter compares '"
              + metric
              + "', which the evaluation did not return; metrics: "
              + evalResult.keySet());
    }
    long step = Math.round(evalResult.getOrDefault(EstimatorSpec.GLOBAL_STEP_KEY, -1.0));
    Optional<Double> best = bestBefore(estimator.evalDir(evalName), step);
    if (best.isPresent() && !(smallerIsBetter ? current < best.get() : current > best.get())) {
      LOG.info(
          "Not exporting step {}: {} = {} is not better than the best so far ({}).",
          step,
          metric,
          current,
          best.get());
      return Optional.empty();
    }
    Path out = estimator.exportSavedModel(exportPath, receiverFn, Map.of(), checkpointPath);
    ExportGarbageCollector.keepNewest(exportPath, exportsToKeep);
    return Optional.of(out);
  }

  /** The best value of the metric among evaluations at steps other than {@code step}. */
  private Optional<Double> bestBefore(Path evalDir, long step) {
    if (!Files.isDirectory(evalDir)) {
      return Optional.empty();
    }
    try {
      return EventFileReader.scalarsByStep(evalDir).entrySet().stream()
          .filter(e -> e.getKey() != step && e.getValue().containsKey(metric))
          .map(e -> e.getValue().get(metric))
          .reduce((a, b) -> smallerIsBetter ? Math.min(a, b) : Math.max(a, b));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read evaluation events in " + evalDir, e);
    }
  }
}
