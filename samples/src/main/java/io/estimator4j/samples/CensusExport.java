package io.estimator4j.samples;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.featurecolumn.FeatureColumn;
import io.estimator4j.featurecolumn.FeatureColumns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Exports the census model for TF Serving with a parsing receiver over serialized tf.Examples, so
 * it gets classification, regression and predict signatures (census_main's export_model).
 */
public final class CensusExport {
  private CensusExport() {}

  public static Path export(Estimator estimator, Path exportDirBase) {
    Census.Columns c = Census.columns();
    List<FeatureColumn> all = new ArrayList<>(c.wide());
    all.addAll(c.deep());
    return estimator.exportSavedModel(
        exportDirBase,
        ServingInputReceivers.parsing(FeatureColumns.makeParseExampleSpec(all), null));
  }
}
