package io.estimator4j.board;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.EvalOptions;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.canned.DNNClassifier;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.featurecolumn.CategoricalColumn;
import io.estimator4j.featurecolumn.DenseColumn;
import io.estimator4j.featurecolumn.FeatureColumn;
import io.estimator4j.featurecolumn.FeatureColumns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real short training run that the board's tests read: DNNClassifier [8, 4] (Adam) on 200 rows
 * with a numeric and a categorical feature, {@link #STEPS} steps with summaries every {@link
 * #SUMMARY_STEPS} steps (loss, global_step/sec, the hidden layers' activation histograms) and
 * checkpoints every 100, evaluated at steps 150 and 300 into {@code eval/} and once as {@code
 * eval_holdout/}, and exported under {@code export/}. Written once per test JVM.
 */
final class TrainedRun {

  static final int STEPS = 300;
  static final int SUMMARY_STEPS = 10;

  static final DenseColumn X = FeatureColumns.numericColumn("x");
  static final CategoricalColumn COLOR =
      FeatureColumns.categoricalColumnWithVocabularyList("color", List.of("red", "blue"));
  static final List<DenseColumn> COLUMNS = List.of(X, FeatureColumns.indicatorColumn(COLOR));

  private static final int N = 200;
  private static Path modelDir;

  private TrainedRun() {}

  /** The model_dir, trained on first use. */
  static synchronized Path modelDir() {
    if (modelDir == null) {
      try {
        Path root = Files.createTempDirectory("e4j-board-test-");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
        Path dir = root.resolve("model");
        train(dir, STEPS);
        modelDir = dir;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return modelDir;
  }

  /** The estimator of the run on {@code dir}. */
  static Estimator estimator(Path dir) {
    return DNNClassifier.builder()
        .featureColumns(COLUMNS)
        .hiddenUnits(8, 4)
        .optimizer("Adam")
        .config(
            RunConfig.builder()
                .modelDir(dir)
                .randomSeed(11)
                .saveSummarySteps(SUMMARY_STEPS)
                .logStepCountSteps(50)
                .saveCheckpointsSteps(100)
                .build())
        .build();
  }

  /**
   * Trains {@code steps} steps on {@code dir} (evaluating at half way and at the end) and exports.
   */
  static void train(Path dir, int steps) {
    Estimator est = estimator(dir);
    est.train(input(null, true), StepLimit.steps(steps / 2));
    est.evaluate(input(1, false));
    est.train(input(null, true), StepLimit.steps(steps - steps / 2));
    est.evaluate(input(1, false));
    est.evaluate(input(1, false), EvalOptions.defaults().withName("holdout"));
    List<FeatureColumn> all = List.of(X, COLOR);
    est.exportSavedModel(
        dir.resolve("export"),
        ServingInputReceivers.parsing(FeatureColumns.makeParseExampleSpec(all), null));
  }

  /** 200 rows: x in [-1, 1), colour red/blue; class 1 when x + (red ? 0.5 : -0.5) > 0. */
  static ArrayInput input(Integer epochs, boolean shuffle) {
    float[] x = new float[N];
    String[] color = new String[N];
    int[] label = new int[N];
    for (int i = 0; i < N; i++) {
      x[i] = -1f + 2f * ((i * 37) % N) / N;
      color[i] = i % 2 == 0 ? "red" : "blue";
      label[i] = x[i] + (color[i].equals("red") ? 0.5f : -0.5f) > 0 ? 1 : 0;
    }
    return ArrayInput.builder()
        .feature("x", x)
        .feature("color", color)
        .labels(label)
        .batchSize(20)
        .numEpochs(epochs)
        .shuffle(shuffle)
        .seed(5)
        .build();
  }

  /** Copies a directory tree (a model_dir) to {@code target}. */
  static void copyTree(Path source, Path target) throws IOException {
    try (Stream<Path> s = Files.walk(source)) {
      for (Path p : s.toList()) {
        Path to = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
  }

  static void deleteTree(Path root) {
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort at JVM exit
    }
  }
}
