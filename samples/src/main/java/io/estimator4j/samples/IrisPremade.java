package io.estimator4j.samples;

import io.estimator4j.checkpoint.TensorFlowFlavour;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.canned.DNNClassifier;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.featurecolumn.DenseColumn;
import io.estimator4j.featurecolumn.FeatureColumns;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * TensorFlow's premade-estimator guide in Java: DNNClassifier(hidden [10, 10], 3 classes) on four
 * numeric columns, 1000 steps of batch 100, evaluated on the 30 test rows. The guide ran
 * tf.estimator's TF1 DNNClassifier (Adagrad at 0.05), so the sample asks for the TF1 flavour; the
 * TF2 default (Keras Adagrad at 0.001) needs many more steps.
 */
public final class IrisPremade {
  private IrisPremade() {}

  /** The estimator of the guide. */
  public static Estimator estimator(Path modelDir, long seed) {
    List<DenseColumn> columns =
        IrisCustom.FEATURES.stream()
            .map(f -> (DenseColumn) FeatureColumns.numericColumn(f))
            .toList();
    return DNNClassifier.builder()
        .featureColumns(columns)
        .hiddenUnits(10, 10)
        .nClasses(3)
        .config(
            RunConfig.builder()
                .modelDir(modelDir)
                .randomSeed(seed)
                .tensorFlowFlavour(TensorFlowFlavour.TF1)
                .build())
        .build();
  }

  /** Trains, evaluates and prints the metrics as JSON on the last line. */
  public static int run(Path modelDir, long steps, long seed, PrintStream out) {
    Estimator estimator = estimator(modelDir, seed);
    Path train = SampleData.file("iris/iris_training.csv");
    Path test = SampleData.file("iris/iris_test.csv");
    out.println(
        "Training DNNClassifier [10, 10] for " + steps + " steps in " + estimator.modelDir());
    out.println(BoardHints.watch(estimator.modelDir()));
    estimator.train(IrisCustom.input(train, true, seed), StepLimit.steps(steps));
    Map<String, Double> metrics = estimator.evaluate(IrisCustom.input(test, false, seed));
    out.println(BoardHints.eventFiles(estimator.modelDir()));
    out.println(Json.metrics(metrics));
    return 0;
  }
}
