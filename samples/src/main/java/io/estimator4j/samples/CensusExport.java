package io.estimator4j.samples;

import io.estimator4j.estimator.Estimator;
import java.nio.file.Path;

/** Exports the census model for TF Serving (parsing receiver over tf.Examples). */
final class CensusExport {
  private CensusExport() {}

  static Path export(Estimator estimator, Path exportDirBase) {
    throw new UnsupportedOperationException(
        "SavedModel export is not available yet (tracked by the SavedModel export issue); "
            + "run without --export-dir");
  }
}
