package io.estimator4j.samples.bench;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.samples.IrisCustom;
import io.estimator4j.samples.IrisPremade;
import io.estimator4j.samples.SampleData;
import io.estimator4j.savedmodel.LoadedSavedModel;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.savedmodel.SavedModelPredictor;
import io.estimator4j.savedmodel.TensorSpec;
import java.io.IOException;
import java.io.PrintStream;
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
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * SavedModelPredictor against a bare session run on the same loaded graph: latency and throughput
 * for 1 and 8 threads, and resident memory over a million predictions. The model is the iris
 * DNNClassifier, exported with a raw receiver (4 float features, batch 1).
 */
public final class SavedModelPredictorBenchmark {
  private SavedModelPredictorBenchmark() {}

  public static void main(String[] args) throws Exception {
    run(System.out, args.length > 0 ? Long.parseLong(args[0]) : 1_000_000);
  }

  public static void run(PrintStream out, long soakPredictions) throws Exception {
    Path dir = Files.createTempDirectory("e4j-bench-smp-");
    Estimator est = IrisPremade.estimator(dir.resolve("model"), 42);
    est.train(
        IrisCustom.input(SampleData.file("iris/iris_training.csv"), true, 42),
        StepLimit.steps(200));
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    IrisCustom.FEATURES.forEach(f -> specs.put(f, TensorSpec.of(TFloat32.class, -1)));
    Path export = est.exportSavedModel(dir.resolve("export"), ServingInputReceivers.raw(specs));
    try (SavedModelPredictor p = SavedModelPredictor.load(export, Set.of("serve"));
        LoadedSavedModel raw = SavedModelLoader.load(export, Set.of("serve"), null)) {
      Map<String, TFloat32> in = new LinkedHashMap<>();
      float[] row = {5.9f, 3.0f, 4.2f, 1.5f};
      for (int i = 0; i < 4; i++) {
        in.put(IrisCustom.FEATURES.get(i), TFloat32.vectorOf(row[i]));
      }
      try {
        out.println("| measurement | calls/s | p50 µs | p99 µs |");
        out.println("|---|---|---|---|");
        for (int threads : new int[] {1, 8}) {
          out.println(
              row("bare Session.run, " + threads + " thread(s)", threads, () -> bare(raw, in)));
          out.println(
              row(
                  "SavedModelPredictor.predict, " + threads + " thread(s)",
                  threads,
                  () -> closeAll(p.predict("predict", in))));
        }
        out.println();
        out.println("| predictions | RSS MiB |");
        out.println("|---|---|");
        out.printf(Locale.ROOT, "| 0 | %.1f |%n", rssMiB());
        for (long done = 1; done <= soakPredictions; done++) {
          closeAll(p.predict("predict", in));
          if (done % (soakPredictions / 10) == 0) {
            out.printf(Locale.ROOT, "| %d | %.1f |%n", done, rssMiB());
          }
        }
      } finally {
        in.values().forEach(Tensor::close);
      }
    }
  }

  /** The same signature run on a loaded model's session directly, outputs closed. */
  private static void bare(LoadedSavedModel m, Map<String, TFloat32> in) {
    SignatureDef sig = m.signature("predict");
    Session.Runner r = m.session().runner();
    in.forEach((k, t) -> r.feed(sig.getInputsMap().get(k).getName(), t));
    sig.getOutputsMap().values().stream().map(i -> i.getName()).distinct().forEach(r::fetch);
    r.run().close();
  }

  private static void closeAll(Map<String, Tensor> out) {
    out.values().stream().distinct().forEach(Tensor::close);
  }

  private static String row(String name, int threads, Runnable call) throws Exception {
    int perThread = 20_000 / threads;
    for (int i = 0; i < 2000; i++) {
      call.run();
    }
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<long[]>> futures = new ArrayList<>();
      long t0 = System.nanoTime();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  long[] lat = new long[perThread];
                  for (int i = 0; i < perThread; i++) {
                    long s = System.nanoTime();
                    call.run();
                    lat[i] = System.nanoTime() - s;
                  }
                  return lat;
                }));
      }
      List<Long> all = new ArrayList<>();
      for (Future<long[]> f : futures) {
        for (long l : f.get()) {
          all.add(l);
        }
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
      return String.format(
          Locale.ROOT,
          "| %s | %.0f | %.0f | %.0f |",
          name,
          sorted.length / secs,
          sorted[sorted.length / 2] / 1e3,
          sorted[(int) (sorted.length * 0.99)] / 1e3);
    } finally {
      pool.shutdown();
    }
  }

  private static double rssMiB() throws IOException {
    for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (l.startsWith("VmRSS:")) {
        return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
      }
    }
    return Double.NaN;
  }
}
