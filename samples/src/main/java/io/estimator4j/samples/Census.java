package io.estimator4j.samples;

import io.estimator4j.checkpoint.TensorFlowFlavour;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.canned.DNNClassifier;
import io.estimator4j.estimator.canned.DNNLinearCombinedClassifier;
import io.estimator4j.estimator.canned.LinearClassifier;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.head.LossReduction;
import io.estimator4j.estimator.head.MetricKeys;
import io.estimator4j.featurecolumn.CategoricalColumn;
import io.estimator4j.featurecolumn.DenseColumn;
import io.estimator4j.featurecolumn.FeatureColumn;
import io.estimator4j.featurecolumn.FeatureColumns;
import io.estimator4j.featurecolumn.NumericColumn;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * TensorFlow's official wide_deep census sample (official/r1/wide_deep) in Java: the same feature
 * columns, models and settings (40 epochs, batch 40, evaluation every 2 epochs).
 */
public final class Census {
  public static final int DEFAULT_EPOCHS = 40;
  public static final int EPOCHS_BETWEEN_EVALS = 2;
  public static final int BATCH_SIZE = 40;

  private static final int[] HIDDEN_UNITS = {100, 75, 50, 25};

  /**
   * The loss reduction: the TF 2 canned estimators' mean over the batch. (official/r1/wide_deep ran
   * the TF 1 classes, which sum over the batch; measured here with 40 epochs, wide reached 0.8337
   * with SUM and 0.8350 with SUM_OVER_BATCH_SIZE, so the TF 2 default is kept.)
   */
  public static final LossReduction REDUCTION = LossReduction.SUM_OVER_BATCH_SIZE;

  /** Which model: wide (LinearClassifier), deep (DNNClassifier) or wide_deep (combined). */
  public enum Model {
    WIDE,
    DEEP,
    WIDE_DEEP
  }

  private Census() {}

  /** The wide (linear) and deep (DNN) columns of census_dataset.build_model_columns. */
  public record Columns(List<FeatureColumn> wide, List<DenseColumn> deep) {}

  /** The DNN's hidden units (census_main.build_estimator): 100, 75, 50, 25. */
  public static int[] hiddenUnits() {
    return HIDDEN_UNITS.clone();
  }

  public static Columns columns() {
    return columns(1);
  }

  /** The census columns with {@code bucketScale} times the sample's hash-bucket sizes (1000). */
  public static Columns columns(int bucketScale) {
    if (bucketScale < 1) {
      throw new IllegalArgumentException("bucketScale must be >= 1, got " + bucketScale);
    }
    int buckets = 1000 * bucketScale;
    NumericColumn age = FeatureColumns.numericColumn("age");
    NumericColumn educationNum = FeatureColumns.numericColumn("education_num");
    NumericColumn capitalGain = FeatureColumns.numericColumn("capital_gain");
    NumericColumn capitalLoss = FeatureColumns.numericColumn("capital_loss");
    NumericColumn hoursPerWeek = FeatureColumns.numericColumn("hours_per_week");
    CategoricalColumn education =
        FeatureColumns.categoricalColumnWithVocabularyList(
            "education",
            List.of(
                "Bachelors",
                "HS-grad",
                "11th",
                "Masters",
                "9th",
                "Some-college",
                "Assoc-acdm",
                "Assoc-voc",
                "7th-8th",
                "Doctorate",
                "Prof-school",
                "5th-6th",
                "10th",
                "1st-4th",
                "Preschool",
                "12th"));
    CategoricalColumn maritalStatus =
        FeatureColumns.categoricalColumnWithVocabularyList(
            "marital_status",
            List.of(
                "Married-civ-spouse",
                "Divorced",
                "Married-spouse-absent",
                "Never-married",
                "Separated",
                "Married-AF-spouse",
                "Widowed"));
    CategoricalColumn relationship =
        FeatureColumns.categoricalColumnWithVocabularyList(
            "relationship",
            List.of(
                "Husband", "Not-in-family", "Wife", "Own-child", "Unmarried", "Other-relative"));
    CategoricalColumn workclass =
        FeatureColumns.categoricalColumnWithVocabularyList(
            "workclass",
            List.of(
                "Self-emp-not-inc",
                "Private",
                "State-gov",
                "Federal-gov",
                "Local-gov",
                "?",
                "Self-emp-inc",
                "Without-pay",
                "Never-worked"));
    CategoricalColumn occupation =
        FeatureColumns.categoricalColumnWithHashBucket("occupation", buckets);
    CategoricalColumn ageBuckets =
        FeatureColumns.bucketizedColumn(age, new float[] {18, 25, 30, 35, 40, 45, 50, 55, 60, 65});
    List<FeatureColumn> wide =
        new ArrayList<>(
            List.of(education, maritalStatus, relationship, workclass, occupation, ageBuckets));
    wide.add(FeatureColumns.crossedColumn(List.of("education", "occupation"), buckets, null));
    wide.add(
        FeatureColumns.crossedColumn(
            List.of(ageBuckets, "education", "occupation"), buckets, null));
    List<DenseColumn> deep =
        List.of(
            age,
            educationNum,
            capitalGain,
            capitalLoss,
            hoursPerWeek,
            FeatureColumns.indicatorColumn(workclass),
            FeatureColumns.indicatorColumn(education),
            FeatureColumns.indicatorColumn(maritalStatus),
            FeatureColumns.indicatorColumn(relationship),
            FeatureColumns.embeddingColumn(occupation, 8));
    return new Columns(wide, deep);
  }

  /**
   * census_main.build_estimator with TensorFlow's default optimizers. The official wide_deep model
   * ran tf.estimator's TF1 classes, so the sample asks for the TF1 flavour (DNN Adagrad at 0.05).
   */
  public static Estimator estimator(Model model, Path modelDir, long seed) {
    return estimator(
        model,
        RunConfig.builder()
            .modelDir(modelDir)
            .randomSeed(seed)
            .saveCheckpointsSecs(600)
            .logStepCountSteps(1000)
            .tensorFlowFlavour(TensorFlowFlavour.TF1)
            .build());
  }

  /** The model with a given run configuration. */
  public static Estimator estimator(Model model, RunConfig config) {
    return estimator(model, config, columns(), HIDDEN_UNITS);
  }

  /** The model on the given columns and DNN hidden units (ignored by the wide model). */
  public static Estimator estimator(Model model, RunConfig config, Columns c, int[] hidden) {
    return switch (model) {
      case WIDE ->
          LinearClassifier.builder()
              .featureColumns(c.wide())
              .config(config)
              .lossReduction(REDUCTION)
              .build();
      case DEEP ->
          DNNClassifier.builder()
              .featureColumns(c.deep())
              .hiddenUnits(hidden)
              .config(config)
              .lossReduction(REDUCTION)
              .build();
      case WIDE_DEEP ->
          DNNLinearCombinedClassifier.builder()
              .linearFeatureColumns(c.wide())
              .dnnFeatureColumns(c.deep())
              .dnnHiddenUnits(hidden)
              .config(config)
              .lossReduction(REDUCTION)
              .build();
    };
  }

  /**
   * Trains for {@code epochs}, evaluating every 2 epochs as wide_deep_run_loop does, and prints the
   * final metrics as JSON on the last line.
   */
  public static Map<String, Double> run(
      Model model, Path modelDir, int epochs, long seed, PrintStream out, Path exportDir) {
    Estimator estimator = estimator(model, modelDir, seed);
    Path train = CensusData.trainFile();
    Path test = CensusData.testFile();
    Map<String, Double> metrics = Map.of();
    int done = 0;
    out.println(BoardHints.watch(estimator.modelDir()));
    try (var evaluator =
        estimator.evaluator(CensusData.input(test, false, 1, BATCH_SIZE, seed), null)) {
      while (done < epochs) {
        int n = Math.min(EPOCHS_BETWEEN_EVALS, epochs - done);
        estimator.train(
            CensusData.input(train, true, n, BATCH_SIZE, seed + done), StepLimit.untilInputEnds());
        done += n;
        metrics = evaluator.evaluate(null, null, List.of());
        out.println(
            String.format(
                Locale.ROOT,
                "Results at epoch %d / %d: accuracy %.4f, loss %.4f",
                done,
                epochs,
                metrics.get(MetricKeys.ACCURACY),
                metrics.get(MetricKeys.LOSS)));
      }
    }
    if (exportDir != null) {
      out.println("Exported SavedModel to " + CensusExport.export(estimator, exportDir));
    }
    out.println(BoardHints.eventFiles(estimator.modelDir()));
    out.println(Json.metrics(metrics));
    return metrics;
  }
}
