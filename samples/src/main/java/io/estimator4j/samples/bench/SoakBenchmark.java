package io.estimator4j.samples.bench;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import io.estimator4j.samples.Census;
import io.estimator4j.samples.CensusData;
import io.estimator4j.samples.IrisCustom;
import io.estimator4j.samples.IrisPremade;
import io.estimator4j.samples.SampleData;
import io.estimator4j.savedmodel.SavedModelPredictor;
import io.estimator4j.savedmodel.TensorSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * Native memory over long runs: resident set size (RSS, from /proc/self/status) sampled every 10%
 * of (1) {@code predictCalls} {@link SavedModelPredictor} calls from {@code threads} threads on the
 * iris DNNClassifier export, and (2) {@code trainSteps} training steps of the census wide_deep
 * model in one {@code train} call. The goal (issues 10 and 13): growth after warm-up (from the 10%
 * sample to the last) within 5%. Run it with a fixed heap ({@code E4J_JAVA_OPTS="-Xms1g -Xmx1g"
 * ./e4j bench soak}) so that the Java heap growing to its maximum does not count as growth; the
 * tables show the committed heap beside the RSS. Not a timed test: record the tables in
 * BENCHMARKS.md.
 */
public final class SoakBenchmark {
  public static final long DEFAULT_PREDICT_CALLS = 1_000_000;
  public static final int DEFAULT_THREADS = 8;
  public static final long DEFAULT_TRAIN_STEPS = 100_000;

  /** The growth after warm-up the soak must stay within, as a fraction. */
  public static final double GOAL = 0.05;

  private static final int SAMPLES = 10;

  /**
   * @param predictCalls predictor calls in all (0 skips the serving soak)
   * @param threads threads sharing the predictor
   * @param trainSteps training steps (0 skips the training soak)
   */
  public record Options(long predictCalls, int threads, long trainSteps) {
    public Options {
      if (predictCalls < 0 || trainSteps < 0 || threads <= 0) {
        throw new IllegalArgumentException(
            "predict calls and train steps must be >= 0 and threads > 0, got predictCalls="
                + predictCalls
                + ", threads="
                + threads
                + ", trainSteps="
                + trainSteps);
      }
      if (predictCalls > 0 && predictCalls < SAMPLES * threads) {
        throw new IllegalArgumentException(
            "predict calls must be 0 or at least " + SAMPLES * threads + ", got " + predictCalls);
      }
      if (trainSteps > 0 && trainSteps < SAMPLES) {
        throw new IllegalArgumentException(
            "train steps must be 0 or at least " + SAMPLES + ", got " + trainSteps);
      }
    }
  }

  private SoakBenchmark() {}

  /** Runs both soaks and prints one Markdown table each, with the growth after warm-up. */
  public static void run(Options o, PrintStream out) {
    out.println(Machine.describe());
    try {
      Path dir = Files.createTempDirectory("e4j-bench-soak-");
      try {
        if (o.predictCalls() > 0) {
          report(
              out, "SavedModelPredictor calls, " + o.threads() + " threads", servingSoak(o, dir));
        }
        if (o.trainSteps() > 0) {
          report(out, "census wide_deep training steps", trainingSoak(o, dir));
        }
      } finally {
        deleteRecursively(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One sample: work done so far and the RSS then. */
  record Sample(long done, double rssMiB, double heapMiB) {
    Sample(long done, double rssMiB) {
      this(done, rssMiB, Runtime.getRuntime().totalMemory() / 1048576.0);
    }
  }

  private static List<Sample> servingSoak(Options o, Path dir) throws IOException {
    Estimator est = IrisPremade.estimator(dir.resolve("iris"), 42);
    est.train(
        IrisCustom.input(SampleData.file("iris/iris_training.csv"), true, 42),
        StepLimit.steps(200));
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    IrisCustom.FEATURES.forEach(f -> specs.put(f, TensorSpec.of(TFloat32.class, -1)));
    Path export = est.exportSavedModel(dir.resolve("export"), ServingInputReceivers.raw(specs));
    List<Sample> samples = new ArrayList<>();
    ExecutorService pool = Executors.newFixedThreadPool(o.threads());
    try (SavedModelPredictor p = SavedModelPredictor.load(export, Set.of("serve"))) {
      samples.add(new Sample(0, rssMiB()));
      long perRoundPerThread = o.predictCalls() / SAMPLES / o.threads();
      long done = 0;
      for (int round = 1; round <= SAMPLES; round++) {
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < o.threads(); t++) {
          futures.add(pool.submit(() -> predictLoop(p, perRoundPerThread)));
        }
        for (Future<?> f : futures) {
          f.get();
        }
        done += perRoundPerThread * o.threads();
        samples.add(new Sample(done, rssMiB()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("A predictor thread failed: " + e.getCause(), e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return samples;
  }

  /** Each thread feeds its own input tensors; every output is closed. */
  private static Void predictLoop(SavedModelPredictor p, long calls) {
    Map<String, TFloat32> in = new LinkedHashMap<>();
    float[] row = {5.9f, 3.0f, 4.2f, 1.5f};
    for (int i = 0; i < row.length; i++) {
      in.put(IrisCustom.FEATURES.get(i), TFloat32.vectorOf(row[i]));
    }
    try {
      for (long i = 0; i < calls; i++) {
        Map<String, Tensor> out = p.predict("predict", in);
        out.values().stream().distinct().forEach(Tensor::close);
      }
    } finally {
      in.values().forEach(Tensor::close);
    }
    return null;
  }

  private static List<Sample> trainingSoak(Options o, Path dir) {
    RunConfig config =
        RunConfig.builder()
            .modelDir(dir.resolve("census"))
            .randomSeed(42)
            .saveCheckpointsSteps(Math.toIntExact(Math.max(1, o.trainSteps() / SAMPLES)))
            .keepCheckpointMax(2)
            .logStepCountSteps(0)
            .saveSummarySteps(1000)
            .build();
    Estimator est = Census.estimator(Census.Model.WIDE_DEEP, config);
    List<Sample> samples = new ArrayList<>();
    long every = o.trainSteps() / SAMPLES;
    SessionRunHook sampler =
        new SessionRunHook() {
          private long steps;

          @Override
          public void afterRun(SessionRunContext context, SessionRunValues values) {
            steps++;
            if (steps == 1) {
              samples.add(new Sample(0, rssMiB()));
            }
            if (steps % every == 0) {
              samples.add(new Sample(steps, rssMiB()));
            }
          }
        };
    est.train(
        CensusData.input(CensusData.trainFile(), true, null, Census.BATCH_SIZE, 42),
        StepLimit.steps(o.trainSteps()),
        sampler);
    return samples;
  }

  private static void report(PrintStream out, String what, List<Sample> samples) {
    out.println();
    out.println("| " + what + " | RSS MiB | Java heap committed MiB |");
    out.println("|---|---|---|");
    samples.forEach(
        s -> out.printf(Locale.ROOT, "| %d | %.1f | %.1f |%n", s.done(), s.rssMiB(), s.heapMiB()));
    double warm = samples.get(Math.min(1, samples.size() - 1)).rssMiB();
    double last = samples.get(samples.size() - 1).rssMiB();
    double growth = (last - warm) / warm;
    out.printf(
        Locale.ROOT,
        "Growth after warm-up (first 10%% sample to the last): %+.2f%% (goal: within %.0f%%): %s%n",
        growth * 100,
        GOAL * 100,
        Math.abs(growth) <= GOAL ? "met" : "NOT met");
  }

  static double rssMiB() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
      return Double.NaN;
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
