package io.estimator4j.samples.bench;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.Prediction;
import io.estimator4j.estimator.PredictionIterator;
import io.estimator4j.estimator.Predictor;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.head.PredictionKeys;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.modelfn.Params;
import io.estimator4j.samples.IrisCustom;
import io.estimator4j.savedmodel.TensorSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * Latency of a warm {@link Predictor} (graph built and checkpoint restored once) against {@link
 * Estimator#predict}, which builds a graph and restores the checkpoint on every call as
 * tf.estimator did. The model is the iris sample's model function ({@link IrisCustom#MODEL_FN}, 4
 * -> 10 -> 10 -> 3), trained briefly on synthetic iris-like data. Not a timed test: run it with
 * {@code ./e4j bench predict} and record the results in BENCHMARKS.md.
 */
public final class PredictBenchmark {
  public static final int DEFAULT_CALLS = 2000;
  public static final int DEFAULT_WARMUP = 200;
  public static final int DEFAULT_PREDICT_CALLS = 20;
  public static final int DEFAULT_TRAIN_STEPS = 200;

  /** Untimed Estimator.predict calls before the timed ones. */
  static final int PREDICT_WARMUP = 3;

  static final int ROWS = 1000;

  /**
   * @param calls timed Predictor calls per batch size
   * @param warmup untimed Predictor calls before them
   * @param predictCalls timed Estimator.predict calls (after {@value #PREDICT_WARMUP} untimed)
   * @param trainSteps training steps before measuring
   */
  public record Options(int calls, int warmup, int predictCalls, int trainSteps) {
    public Options {
      if (calls <= 0 || warmup < 0 || predictCalls <= 0 || trainSteps <= 0) {
        throw new IllegalArgumentException(
            "calls, predictCalls and trainSteps must be > 0 and warmup >= 0, got calls="
                + calls
                + ", warmup="
                + warmup
                + ", predictCalls="
                + predictCalls
                + ", trainSteps="
                + trainSteps);
      }
    }

    public static Options defaults() {
      return new Options(DEFAULT_CALLS, DEFAULT_WARMUP, DEFAULT_PREDICT_CALLS, DEFAULT_TRAIN_STEPS);
    }
  }

  /** Latencies in milliseconds of one way of predicting. */
  public record Latency(String label, int batch, double[] millis) {
    public double median() {
      return Stats.median(millis);
    }

    public double p99() {
      return Stats.percentile(millis, 99);
    }

    public double mean() {
      return Stats.mean(millis);
    }
  }

  private PredictBenchmark() {}

  /** Runs with the defaults; prefer {@code ./e4j bench predict}. */
  public static void main(String[] args) {
    run(Options.defaults(), System.out);
  }

  /** Trains in a temporary model_dir, measures, prints a Markdown table, deletes the dir. */
  public static List<Latency> run(Options options, PrintStream out) {
    Path dir;
    try {
      dir = Files.createTempDirectory("e4j-bench-predict-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary model_dir", e);
    }
    try {
      float[][] columns = syntheticIris(ROWS);
      Estimator est =
          Estimator.builder(IrisCustom.MODEL_FN)
              .config(
                  RunConfig.builder()
                      .modelDir(dir)
                      .noPeriodicCheckpoints()
                      .saveSummarySteps(0)
                      .logStepCountSteps(0)
                      .build())
              .params(
                  Params.of(
                      Map.of(
                          "hidden_units", List.of(10, 10), "n_classes", 3, "learning_rate", 0.1)))
              .build();
      est.train(trainInput(columns), StepLimit.steps(options.trainSteps()));
      List<Latency> results = measure(est, columns, options);
      print(results, options, out);
      return results;
    } finally {
      TrainBenchmark.deleteRecursively(dir);
    }
  }

  static List<Latency> measure(Estimator est, float[][] columns, Options options) {
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    for (String f : IrisCustom.FEATURES) {
      specs.put(f, TensorSpec.of(TFloat32.class, -1));
    }
    long built = System.nanoTime();
    Latency first;
    Latency one;
    Latency hundred;
    Latency oneTensors;
    Latency hundredTensors;
    long warmClass;
    try (Predictor predictor = est.predictor(specs)) {
      double buildMillis = (System.nanoTime() - built) / 1e6;
      first = new Latency("Estimator.predictor(...) build (once)", 0, new double[] {buildMillis});
      List<Latency> ones = timePredictor(predictor, columns, 1, options);
      List<Latency> hundreds = timePredictor(predictor, columns, 100, options);
      one = ones.get(0);
      oneTensors = ones.get(1);
      hundred = hundreds.get(0);
      hundredTensors = hundreds.get(1);
      warmClass = predictor.predict(batch(columns, 1)).longs(PredictionKeys.CLASS_IDS)[0];
    }
    double[] cold = new double[options.predictCalls()];
    long coldClass = -1;
    for (int i = -PREDICT_WARMUP; i < options.predictCalls(); i++) {
      long t0 = System.nanoTime();
      try (PredictionIterator it = est.predict(predictInput(columns))) {
        Prediction p = it.next();
        coldClass = p.longs(PredictionKeys.CLASS_IDS)[0];
      }
      if (i >= 0) {
        cold[i] = (System.nanoTime() - t0) / 1e6;
      }
    }
    if (coldClass != warmClass) {
      throw new IllegalStateException(
          "Predictor and predict disagree on example 0: class " + warmClass + " vs " + coldClass);
    }
    return List.of(
        first,
        one,
        hundred,
        new Latency("Estimator.predict(inputFn), one example", 1, cold),
        oneTensors,
        hundredTensors);
  }

  /**
   * Times {@code Predictor.predict} (outputs copied into Java arrays the caller owns) and, in turns
   * with it, {@code Predictor.predictTensors} (the session's output tensors handed over, no copy):
   * the difference is the cost of the copy. Returns the two latencies, in that order.
   */
  private static List<Latency> timePredictor(
      Predictor predictor, float[][] columns, int batchSize, Options options) {
    Map<String, TFloat32> feed = batch(columns, batchSize);
    try {
      for (int i = 0; i < options.warmup(); i++) {
        predictor.predict(feed);
        closeAll(predictor.predictTensors(feed, null));
      }
      double[] copied = new double[options.calls()];
      double[] handed = new double[options.calls()];
      for (int i = 0; i < options.calls(); i++) {
        long t0 = System.nanoTime();
        predictor.predict(feed);
        long t1 = System.nanoTime();
        closeAll(predictor.predictTensors(feed, null));
        long t2 = System.nanoTime();
        copied[i] = (t1 - t0) / 1e6;
        handed[i] = (t2 - t1) / 1e6;
      }
      return List.of(
          new Latency("Predictor.predict, batch of " + batchSize, batchSize, copied),
          new Latency(
              "Predictor.predictTensors (no copy), batch of " + batchSize, batchSize, handed));
    } finally {
      feed.values().forEach(TFloat32::close);
    }
  }

  private static void closeAll(Map<String, Tensor> tensors) {
    tensors.values().forEach(Tensor::close);
  }

  /** The first {@code n} rows as one float32 [n] tensor per feature; the caller closes them. */
  private static Map<String, TFloat32> batch(float[][] columns, int n) {
    Map<String, TFloat32> feed = new LinkedHashMap<>();
    for (int f = 0; f < IrisCustom.FEATURES.size(); f++) {
      feed.put(IrisCustom.FEATURES.get(f), TFloat32.vectorOf(Arrays.copyOf(columns[f], n)));
    }
    return feed;
  }

  private static ArrayInput trainInput(float[][] columns) {
    ArrayInput.Builder b = ArrayInput.builder();
    for (int f = 0; f < IrisCustom.FEATURES.size(); f++) {
      b.feature(IrisCustom.FEATURES.get(f), columns[f]);
    }
    int[] labels = new int[ROWS];
    for (int i = 0; i < ROWS; i++) {
      labels[i] = (int) columns[IrisCustom.FEATURES.size()][i];
    }
    return b.labels(labels).batchSize(IrisCustom.BATCH_SIZE).numEpochs(null).shuffle(false).build();
  }

  /** The first example only, one batch of one, one epoch. */
  private static ArrayInput predictInput(float[][] columns) {
    ArrayInput.Builder b = ArrayInput.builder();
    for (int f = 0; f < IrisCustom.FEATURES.size(); f++) {
      b.feature(IrisCustom.FEATURES.get(f), new float[] {columns[f][0]});
    }
    return b.batchSize(1).numEpochs(1).shuffle(false).build();
  }

  /**
   * Four feature columns around a per-class centre (iris-like magnitudes) and, as the fifth column,
   * the class id.
   */
  static float[][] syntheticIris(int rows) {
    Random random = new Random(BenchModel.SEED);
    int features = IrisCustom.FEATURES.size();
    float[][] centres = {
      {5.0f, 3.4f, 1.5f, 0.2f}, {5.9f, 2.8f, 4.3f, 1.3f}, {6.6f, 3.0f, 5.6f, 2.0f}
    };
    float[][] columns = new float[features + 1][rows];
    for (int i = 0; i < rows; i++) {
      int label = random.nextInt(centres.length);
      for (int f = 0; f < features; f++) {
        columns[f][i] = centres[label][f] + 0.3f * (float) random.nextGaussian();
      }
      columns[features][i] = label;
    }
    return columns;
  }

  static void print(List<Latency> results, Options options, PrintStream out) {
    out.println(Machine.describe());
    out.printf(
        "%n### Predict: iris model (4 -> 10 -> 10 -> 3), trained %d steps%n%n",
        options.trainSteps());
    out.println("| Call | timed calls | median ms | p99 ms | mean ms |");
    out.println("|---|---:|---:|---:|---:|");
    for (Latency l : results) {
      out.printf(
          "| %s | %d | %s | %s | %s |%n",
          l.label(),
          l.millis().length,
          Stats.fixed(l.median(), 3),
          Stats.fixed(l.p99(), 3),
          Stats.fixed(l.mean(), 3));
    }
    double speedup = results.get(3).median() / results.get(1).median();
    out.printf(
        "%nA warm Predictor answers one example %s times faster than Estimator.predict "
            + "(median against median). %s%n",
        Stats.fixed(speedup, 0), Machine.loadAverage());
    out.printf(
        "Copying the outputs into Java arrays (predict against predictTensors, calls in turns,"
            + " median against median): %s ms at batch 1, %s ms at batch 100.%n",
        Stats.fixed(results.get(1).median() - results.get(4).median(), 3),
        Stats.fixed(results.get(2).median() - results.get(5).median(), 3));
  }
}
