package io.estimator4j.samples;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.head.MetricKeys;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.keras.KerasEstimators;
import io.estimator4j.keras.KerasModelFile;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * TensorFlow's "Create an Estimator from a Keras model" walkthrough in Java: a compiled Keras model
 * (a softmax classifier over 4 features, RMSprop and sparse categorical cross-entropy) is read from
 * an HDF5 file, wrapped by {@link KerasEstimators#modelToEstimator}, trained on the iris training
 * rows held in memory, evaluated on the iris test rows, and exported as a SavedModel.
 */
public final class KerasEstimatorSample {
  /** The compiled Keras model shipped in the samples jar (see data/ATTRIBUTION.md). */
  public static final String MODEL = "keras/simple_sparse_xent_mlp_keras_2_model.h5";

  /** The Keras input layer name: the feature key of the Estimator. */
  public static final String INPUT = "dense_1_input";

  public static final int BATCH_SIZE = 32;

  /**
   * Training steps of the command-line sample: the file's RMSprop runs at a learning rate of 1e-4,
   * so it needs many small steps (measured: 1000 steps give 0.27 test accuracy, 20000 give 0.93).
   */
  public static final long DEFAULT_STEPS = 20_000;

  private KerasEstimatorSample() {}

  /** Iris rows in memory: features [n, 4] and class ids. */
  record Rows(float[][] features, int[] labels) {}

  /** Reads one of TensorFlow's iris CSV files (a count header, 4 features, the class id). */
  static Rows iris(Path csv) {
    try {
      List<String> lines = Files.readAllLines(csv);
      List<float[]> x = new ArrayList<>();
      List<Integer> y = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(",");
        x.add(
            new float[] {
              Float.parseFloat(f[0]),
              Float.parseFloat(f[1]),
              Float.parseFloat(f[2]),
              Float.parseFloat(f[3])
            });
        y.add(Integer.parseInt(f[4].strip()));
      }
      return new Rows(x.toArray(float[][]::new), y.stream().mapToInt(Integer::intValue).toArray());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + csv, e);
    }
  }

  /** Loads, wraps, trains, evaluates, exports and prints the metrics as JSON on the last line. */
  public static int run(Path modelDir, long steps, PrintStream out) throws IOException {
    KerasModelFile keras = KerasModelFile.read(SampleData.file(MODEL));
    out.println(
        "Keras model "
            + MODEL
            + ": training_config "
            + keras.trainingConfig().map(Object::toString).orElse("(none)"));
    Estimator estimator =
        KerasEstimators.modelToEstimator(
            keras, RunConfig.builder().modelDir(modelDir).saveCheckpointsSteps(500).build());

    Rows train = iris(SampleData.file("iris/iris_training.csv"));
    Rows test = iris(SampleData.file("iris/iris_test.csv"));
    ArrayInput trainInput =
        ArrayInput.builder()
            .feature(INPUT, train.features())
            .labels(train.labels())
            .batchSize(BATCH_SIZE)
            .numEpochs(null)
            .shuffle(true)
            .seed(42)
            .build();
    ArrayInput testInput =
        ArrayInput.builder()
            .feature(INPUT, test.features())
            .labels(test.labels())
            .batchSize(BATCH_SIZE)
            .numEpochs(1)
            .shuffle(false)
            .build();

    out.println("Training " + steps + " steps in " + estimator.modelDir());
    out.println(BoardHints.watch(estimator.modelDir()));
    estimator.train(trainInput, StepLimit.steps(steps));
    Map<String, Double> metrics = estimator.evaluate(testInput);

    Path export =
        estimator.exportSavedModel(
            modelDir.resolve("export"), KerasEstimators.rawServingInputReceiverFn(keras));
    out.println("Exported the SavedModel to " + export);

    Map<String, Double> json = new LinkedHashMap<>();
    json.put(MetricKeys.ACCURACY, metrics.get(MetricKeys.ACCURACY));
    json.put(MetricKeys.LOSS, metrics.get(MetricKeys.LOSS));
    json.put(EstimatorSpec.GLOBAL_STEP_KEY, metrics.get(EstimatorSpec.GLOBAL_STEP_KEY));
    out.println(BoardHints.eventFiles(estimator.modelDir()));
    out.println(Json.metrics(json));
    return 0;
  }
}
