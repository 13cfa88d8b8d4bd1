package io.estimator4j.benchmarks;

import io.estimator4j.samples.Census;
import io.estimator4j.samples.CensusData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * The anchor for boosted trees on census (UCI Adult): XGBoost4J's {@code hist} trees at
 * BoostedTreesClassifier's defaults (100 trees, depth 6, learning rate 0.1) on TensorFlow's census
 * columns as a tree model sees them, trained on adult.data and evaluated on adult.test. Prints
 * accuracy, AUC, training time and single-example prediction latency as Markdown. A benchmark, not
 * a test.
 *
 * <p>Features (as the boosted-trees census model would get them): the five numeric columns of
 * TensorFlow's census model ({@code age, education_num, capital_gain, capital_loss,
 * hours_per_week}) as raw values, which XGBoost's {@code hist} method bins itself (256 bins; the
 * TensorFlow estimator would bucketize them by quantiles), and a one-hot (indicator) column for
 * each of {@code workclass, education, marital_status, relationship} over TensorFlow's vocabularies
 * and {@code occupation} over the values seen in training (TensorFlow hashes it into 1000 buckets).
 * Values outside a vocabulary are all-zero rows of that indicator, as in TensorFlow. Labels: {@code
 * income_bracket == ">50K"} after TensorFlow's cleaning of the raw files (trimmed fields, the test
 * file's trailing '.' dropped, lines without a comma skipped).
 *
 * <p>Usage: {@code XGBoostCensusBenchmark [censusDir] [latencyCalls]}; censusDir holds the raw UCI
 * adult.data and adult.test (default: the census sample's copy, cleaned by {@link CensusData}).
 */
public final class XGBoostCensusBenchmark {
  static final int N_TREES = 100;
  static final int MAX_DEPTH = 6;
  static final double LEARNING_RATE = 0.1;

  private static final int WARMUP = 1000;

  static final List<String> NUMERIC =
      List.of("age", "education_num", "capital_gain", "capital_loss", "hours_per_week");

  /** TensorFlow census_dataset.py's vocabularies; occupation's comes from the training file. */
  static final Map<String, List<String>> VOCABULARIES = Census.VOCABULARIES;

  static final List<String> COLUMNS = CensusData.COLUMNS;

  private XGBoostCensusBenchmark() {}

  /** Rows of fields of a file cleaned as census_dataset._download_and_clean_file does. */
  static List<String[]> read(Path cleaned) throws IOException {
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(cleaned, StandardCharsets.UTF_8)) {
      String[] f = line.split(",", -1);
      if (f.length != COLUMNS.size()) {
        throw new IOException("Expected " + COLUMNS.size() + " fields in " + cleaned + ": " + line);
      }
      rows.add(f);
    }
    return rows;
  }

  /** A raw UCI file cleaned as the census sample does, into a temporary file. */
  private static Path cleaned(Path raw) throws IOException {
    Path out = Files.createTempFile("census-", ".tf_cleaned.csv");
    out.toFile().deleteOnExit();
    CensusData.clean(raw, out);
    return out;
  }

  /** The dense features and labels of some rows. */
  record Data(float[] x, float[] y, int rows, int cols) {}

  static Data featurize(List<String[]> rows, Map<String, List<String>> vocabularies) {
    int cols = NUMERIC.size();
    for (List<String> v : vocabularies.values()) {
      cols += v.size();
    }
    float[] x = new float[rows.size() * cols];
    float[] y = new float[rows.size()];
    for (int r = 0; r < rows.size(); r++) {
      String[] f = rows.get(r);
      int c = r * cols;
      for (String n : NUMERIC) {
        x[c++] = Float.parseFloat(f[COLUMNS.indexOf(n)]);
      }
      for (Map.Entry<String, List<String>> e : vocabularies.entrySet()) {
        int id = e.getValue().indexOf(f[COLUMNS.indexOf(e.getKey())]);
        if (id >= 0) {
          x[c + id] = 1f;
        }
        c += e.getValue().size();
      }
      y[r] = f[COLUMNS.indexOf("income_bracket")].equals(">50K") ? 1f : 0f;
    }
    return new Data(x, y, rows.size(), cols);
  }

  /** Area under the ROC curve (ties count one half), from the ranks of the scores. */
  static double auc(float[] scores, float[] labels) {
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> Float.compare(scores[a], scores[b]));
    double rankSumPositive = 0;
    long positives = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (labels[order[k]] > 0.5f) {
          rankSumPositive += rank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = scores.length - positives;
    return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  public static void main(String[] args) throws IOException, XGBoostError {
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    List<String[]> trainRows =
        read(args.length > 0 ? cleaned(Path.of(args[0], "adult.data")) : CensusData.trainFile());
    List<String[]> testRows =
        read(args.length > 0 ? cleaned(Path.of(args[0], "adult.test")) : CensusData.testFile());
    Map<String, List<String>> vocabularies = new LinkedHashMap<>(VOCABULARIES);
    vocabularies.put(
        "occupation",
        trainRows.stream().map(f -> f[COLUMNS.indexOf("occupation")]).distinct().sorted().toList());
    Data train = featurize(trainRows, vocabularies);
    Data test = featurize(testRows, vocabularies);

    Map<String, Object> params = new HashMap<>();
    params.put("objective", "binary:logistic");
    params.put("tree_method", "hist");
    params.put("max_depth", MAX_DEPTH);
    params.put("eta", LEARNING_RATE);
    params.put("seed", 0);

    long t0 = System.nanoTime();
    Booster booster;
    try (Closing<DMatrix> dtrain =
        new Closing<>(new DMatrix(train.x(), train.rows(), train.cols(), Float.NaN))) {
      dtrain.value().setLabel(train.y());
      booster = XGBoost.train(dtrain.value(), params, N_TREES, Map.of(), null, null);
    }
    double trainSeconds = (System.nanoTime() - t0) / 1e9;

    float[] scores = new float[test.rows()];
    try (Closing<DMatrix> dtest =
        new Closing<>(new DMatrix(test.x(), test.rows(), test.cols(), Float.NaN))) {
      float[][] p = booster.predict(dtest.value());
      for (int i = 0; i < scores.length; i++) {
        scores[i] = p[i][0];
      }
    }
    int correct = 0;
    for (int i = 0; i < scores.length; i++) {
      if ((scores[i] > 0.5f) == (test.y()[i] > 0.5f)) {
        correct++;
      }
    }
    double accuracy = (double) correct / scores.length;
    double auc = auc(scores, test.y());

    // single-example latency: one test row per call, a new DMatrix each time (what a service does),
    // with XGBoost's default threads and then with nthread 1
    long[] defaultThreads = latency(booster, test, calls);
    booster.setParam("nthread", 1);
    long[] oneThread = latency(booster, test, calls);
    booster.dispose();

    System.out.println(
        "| Model | accuracy | AUC | train s | predict 1 example µs p50 / p90 / p99 (default"
            + " threads) | same, nthread 1 |");
    System.out.println("|---|---|---|---|---|---|");
    System.out.printf(
        Locale.ROOT,
        "| XGBoost4J hist, %d trees, depth %d, eta %.1f | %.4f | %.4f | %.2f | %s | %s |%n",
        N_TREES,
        MAX_DEPTH,
        LEARNING_RATE,
        accuracy,
        auc,
        trainSeconds,
        percentiles(defaultThreads),
        percentiles(oneThread));
    System.out.printf(
        Locale.ROOT,
        "%ntrain %d rows, test %d rows, %d features, %d latency calls per setting%n",
        train.rows(),
        test.rows(),
        train.cols(),
        calls);
  }

  /** Sorted nanoseconds of {@code calls} single-row predictions after a warm-up. */
  private static long[] latency(Booster booster, Data test, int calls) throws XGBoostError {
    long[] nanos = new long[calls];
    float sink = 0;
    for (int i = -WARMUP; i < calls; i++) {
      int r = Math.floorMod(i, test.rows());
      float[] row = Arrays.copyOfRange(test.x(), r * test.cols(), (r + 1) * test.cols());
      long s = System.nanoTime();
      DMatrix one = new DMatrix(row, 1, test.cols(), Float.NaN);
      try {
        sink += booster.predict(one)[0][0];
      } finally {
        one.dispose();
      }
      if (i >= 0) {
        nanos[i] = System.nanoTime() - s;
      }
    }
    if (Float.isNaN(sink)) {
      throw new IllegalStateException("NaN prediction");
    }
    Arrays.sort(nanos);
    return nanos;
  }

  private static String percentiles(long[] sorted) {
    int n = sorted.length;
    return String.format(
        Locale.ROOT,
        "%.1f / %.1f / %.1f",
        sorted[n / 2] / 1e3,
        sorted[(int) (n * 0.9)] / 1e3,
        sorted[(int) (n * 0.99)] / 1e3);
  }

  /** A DMatrix closed by try-with-resources (XGBoost4J's dispose). */
  private record Closing<T extends DMatrix>(T value) implements AutoCloseable {
    @Override
    public void close() {
      value.dispose();
    }
  }
}
