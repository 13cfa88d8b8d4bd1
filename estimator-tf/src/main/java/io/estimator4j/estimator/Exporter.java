package io.estimator4j.estimator;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Exports a model after an evaluation during train_and_evaluate; Java counterpart of
 * tf.estimator.Exporter.
 */
public interface Exporter {
  /** Directory name under model_dir/export. */
  String name();

  /**
   * Exports (or not) the evaluated checkpoint.
   *
   * @param exportPath model_dir/export/&lt;name&gt;
   * @param evalResult the metrics of this checkpoint's evaluation
   * @param isTheFinalExport true for the evaluation at the end of training
   * @return the export directory, if one was written
   */
  Optional<Path> export(
      Estimator estimator,
      Path exportPath,
      String checkpointPath,
      Map<String, Double> evalResult,
      boolean isTheFinalExport);
}
