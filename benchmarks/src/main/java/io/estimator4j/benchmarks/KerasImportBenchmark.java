package io.estimator4j.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estimator4j.keras.KerasModel;
import io.estimator4j.keras.KerasModelFile;
import io.estimator4j.npy.Npy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.modelimport.keras.KerasModelImport;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Keras import, Estimator4J's {@link KerasModel} against DL4J's {@link KerasModelImport}, on the
 * Keras cases in testdata/keras: load time, correctness against Keras's own outputs, and for a few
 * cases single-example latency and batch-32 throughput. A benchmark, not a test: it prints
 * Markdown.
 *
 * <p>Usage: {@code KerasImportBenchmark [casesDir] [case names for latency...]}.
 */
public final class KerasImportBenchmark {

  private static final int LOAD_REPEATS = 5;
  private static final int WARMUP = 50;
  private static final int LATENCY_CALLS = 200;
  private static final int BATCH = 32;
  private static final long THROUGHPUT_NANOS = 2_000_000_000L;

  private static final List<String> DEFAULT_TIMED =
      List.of(
          "dl4j-simple_sparse_xent_mlp_keras_2",
          "dl4j-conv1d_k3_s1_d1_cl_same",
          "dl4j-simple_rnn_tf_keras_2");

  /** A float array in C order. */
  record Arr(long[] shape, float[] data) {
    long rows() {
      return shape[0];
    }

    int rowSize() {
      return (int) (data.length / Math.max(1, shape[0]));
    }

    /** {@code n} rows taken cyclically from this array's rows. */
    Arr rows(int n) {
      long[] s = shape.clone();
      s[0] = n;
      int rs = rowSize();
      float[] d = new float[n * rs];
      for (int i = 0; i < n; i++) {
        System.arraycopy(data, (int) (i % rows()) * rs, d, i * rs, rs);
      }
      return new Arr(s, d);
    }
  }

  record Case(
      String name,
      Path dir,
      List<String> inputNames,
      List<String> outputNames,
      List<Arr> inputs,
      List<Arr> expected,
      double atol,
      double rtol) {}

  /** One engine's result on one case. */
  record Outcome(double loadMs, double firstPredictMs, boolean ok, String detail) {}

  /** What the benchmark needs of each engine. */
  interface Engine extends AutoCloseable {
    List<Arr> predict(List<Arr> inputs);

    @Override
    void close();
  }

  public static void main(String[] args) throws Exception {
    Path casesDir = Paths.get(args.length > 0 ? args[0] : "../testdata/keras/cases");
    // second argument: "correctness", "timing" or "all" (default); each part in its own JVM keeps
    // a DL4J call that hangs (and whose thread cannot be stopped) from running beside the other
    // part's timings
    String part = args.length > 1 ? args[1] : "all";
    boolean doCorrectness = !part.equals("timing");
    boolean doTiming = !part.equals("correctness");
    List<String> timed = args.length > 2 ? List.of(args).subList(2, args.length) : DEFAULT_TIMED;
    Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);

    List<Case> cases = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(casesDir)) {
      for (Path d : dirs.filter(Files::isDirectory).sorted().toList()) {
        cases.add(readCase(d));
      }
    }

    cases.forEach(KerasImportBenchmark::isSequential); // outside the timed loads

    StringBuilder perf = new StringBuilder();
    perf.append(
        "| case | engine | latency, batch 1 (median µs) | p90 µs |"
            + " throughput, batch 32 (examples/s) |\n");
    perf.append("|---|---|---:|---:|---:|\n");
    for (String name : doTiming ? timed : List.<String>of()) {
      Case c =
          cases.stream()
              .filter(x -> x.name.equals(name))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException("No case " + name));
      timeEngine(perf, c, "ours", KerasImportBenchmark::loadOurs);
      timeEngine(perf, c, "DL4J", KerasImportBenchmark::loadDl4j);
    }

    StringBuilder corr = new StringBuilder();
    corr.append(
        "| case | ours load (ms) | ours first predict (ms) | ours | DL4J load (ms) |"
            + " DL4J first predict (ms) | DL4J |\n");
    corr.append("|---|---:|---:|---|---:|---:|---|\n");
    int oursOk = 0;
    int dl4jOk = 0;
    List<String> failures = new ArrayList<>();
    for (Case c : doCorrectness ? cases : List.<Case>of()) {
      boolean hungBefore = HUNG;
      Outcome ours = run(c, KerasImportBenchmark::loadOurs);
      Outcome dl4j = run(c, KerasImportBenchmark::loadDl4j);
      oursOk += ours.ok ? 1 : 0;
      dl4jOk += dl4j.ok ? 1 : 0;
      corr.append(
          String.format(
              Locale.ROOT,
              "| %s%s | %s | %s | %s | %s | %s | %s |%n",
              c.name,
              hungBefore ? " †" : "",
              ms(ours.loadMs),
              ms(ours.firstPredictMs),
              ours.ok ? "right" : "**wrong**",
              ms(dl4j.loadMs),
              ms(dl4j.firstPredictMs),
              dl4j.ok ? "right" : "**wrong**"));
      if (!ours.ok) {
        failures.add("- " + c.name + ", ours: " + ours.detail);
      }
      if (!dl4j.ok) {
        failures.add("- " + c.name + ", DL4J: " + dl4j.detail);
      }
      System.err.println(c.name + ": ours " + ours + "; dl4j " + dl4j);
    }
    corr.append(
        String.format(
            Locale.ROOT,
            "%nCases right: ours %d/%d, DL4J %d/%d.%n",
            oursOk,
            cases.size(),
            dl4jOk,
            cases.size()));

    if (doCorrectness) {
      System.out.println("### Load time and correctness\n");
      System.out.println(corr);
      if (HUNG) {
        System.out.println(
            "† run after a call that was given up after "
                + TIMEOUT_S
                + " s, whose"
                + " thread was left spinning on one of the cores.\n");
      }
      if (!failures.isEmpty()) {
        System.out.println("Failures:\n");
        failures.forEach(System.out::println);
        System.out.println();
      }
    }
    if (doTiming) {
      System.out.println("### Inference latency and throughput\n");
      System.out.println(perf);
    }
    System.out.flush();
    System.exit(0); // a hung DL4J thread must not keep the JVM alive
  }

  interface Loader {
    Engine load(Case c) throws Exception;
  }

  private static final long TIMEOUT_S = 60;

  /** Runs {@code task} on a daemon thread; a call that hangs (DL4J can) is given up after 60 s. */
  private static <T> T withTimeout(java.util.concurrent.Callable<T> task) throws Exception {
    java.util.concurrent.FutureTask<T> f = new java.util.concurrent.FutureTask<>(task);
    Thread t = new Thread(f, "benchmark-worker");
    t.setDaemon(true);
    t.start();
    try {
      return f.get(TIMEOUT_S, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : new RuntimeException(e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      StackTraceElement[] st = t.getStackTrace();
      String where = "";
      for (StackTraceElement el : st) {
        if (el.getClassName().startsWith("org.deeplearning4j")
            || el.getClassName().startsWith("org.nd4j.linalg.api.rng")) {
          where = " in " + el.getClassName().replaceAll(".*\\.", "") + "." + el.getMethodName();
          break;
        }
      }
      HUNG = true;
      throw new java.util.concurrent.TimeoutException(
          "no answer after " + TIMEOUT_S + " s" + where + " (thread left running)");
    }
  }

  static volatile boolean HUNG;

  private static Outcome run(Case c, Loader loader) {
    try {
      return withTimeout(() -> run0(c, loader));
    } catch (Exception e) {
      return new Outcome(Double.NaN, Double.NaN, false, oneLine(e));
    }
  }

  private static Outcome run0(Case c, Loader loader) {
    double[] loads = new double[LOAD_REPEATS];
    Engine engine = null;
    try {
      for (int i = 0; i < LOAD_REPEATS; i++) {
        if (engine != null) {
          engine.close();
        }
        long t0 = System.nanoTime();
        engine = loader.load(c);
        loads[i] = (System.nanoTime() - t0) / 1e6;
      }
      double loadMs = median(loads);
      long t0 = System.nanoTime();
      List<Arr> got = engine.predict(c.inputs);
      double first = (System.nanoTime() - t0) / 1e6;
      String mismatch = compare(c, got);
      return new Outcome(loadMs, first, mismatch == null, mismatch == null ? "" : mismatch);
    } catch (Throwable t) {
      return new Outcome(Double.NaN, Double.NaN, false, oneLine(t));
    } finally {
      if (engine != null) {
        try {
          engine.close();
        } catch (Throwable ignored) {
          // benchmark: nothing to do
        }
      }
    }
  }

  private static void timeEngine(StringBuilder out, Case c, String label, Loader loader) {
    try {
      withTimeout(
          () -> {
            timeEngine0(out, c, label, loader);
            return null;
          });
    } catch (Exception t) {
      out.append(
          String.format(Locale.ROOT, "| %s | %s | failed: %s | | |%n", c.name, label, oneLine(t)));
    }
  }

  private static void timeEngine0(StringBuilder out, Case c, String label, Loader loader) {
    try (Engine e = loader.load(c)) {
      e.predict(c.inputs); // the case's own batch first: DL4J's input layout is settled on it
      List<Arr> one = c.inputs.stream().map(a -> a.rows(1)).toList();
      List<Arr> batch = c.inputs.stream().map(a -> a.rows(BATCH)).toList();
      for (int i = 0; i < WARMUP; i++) {
        e.predict(one);
        e.predict(batch);
      }
      double[] lat = new double[LATENCY_CALLS];
      for (int i = 0; i < LATENCY_CALLS; i++) {
        long t0 = System.nanoTime();
        e.predict(one);
        lat[i] = (System.nanoTime() - t0) / 1e3;
      }
      long calls = 0;
      long t0 = System.nanoTime();
      long elapsed;
      do {
        e.predict(batch);
        calls++;
        elapsed = System.nanoTime() - t0;
      } while (elapsed < THROUGHPUT_NANOS);
      double perSec = calls * BATCH / (elapsed / 1e9);
      Arrays.sort(lat);
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %.0f | %.0f | %.0f |%n",
              c.name,
              label,
              median(lat),
              lat[(int) (0.9 * (lat.length - 1))],
              perSec));
    } catch (Throwable t) {
      out.append(
          String.format(Locale.ROOT, "| %s | %s | failed: %s | | |%n", c.name, label, oneLine(t)));
    }
  }

  // ---- engines ----

  private static Engine loadOurs(Case c) throws IOException {
    KerasModel model = KerasModel.load(c.dir.resolve("model.h5"));
    List<String> ins = List.copyOf(model.inputs().keySet());
    List<String> outs = List.copyOf(model.outputs().keySet());
    return new Engine() {
      @Override
      public List<Arr> predict(List<Arr> inputs) {
        Map<String, Tensor> feeds = new LinkedHashMap<>();
        try {
          for (int i = 0; i < ins.size(); i++) {
            Arr a = inputs.get(i);
            feeds.put(
                ins.get(i),
                TFloat32.tensorOf(Shape.of(a.shape), DataBuffers.of(a.data, true, false)));
          }
          Map<String, Tensor> result = model.predict(feeds);
          List<Arr> got = new ArrayList<>();
          for (String o : outs) {
            try (Tensor t = result.get(o)) {
              got.add(toArr(t));
            }
          }
          return got;
        } finally {
          feeds.values().forEach(Tensor::close);
        }
      }

      @Override
      public void close() {
        model.close();
      }
    };
  }

  private static Engine loadDl4j(Case c) throws Exception {
    String file = c.dir.resolve("model.h5").toString();
    // Sequential models go to importKerasSequentialModelAndWeights, the rest to
    // importKerasModelAndWeights; the class name is looked up once and cached, so the timed loads
    // are DL4J's import alone.
    if (isSequential(c)) {
      MultiLayerNetwork net = KerasModelImport.importKerasSequentialModelAndWeights(file, false);
      return dl4jEngine(c, inputs -> new INDArray[] {net.output(inputs[0], false)}, net::close);
    }
    ComputationGraph graph = KerasModelImport.importKerasModelAndWeights(file, false);
    return dl4jEngine(c, inputs -> graph.output(false, inputs), graph::close);
  }

  private static final Map<String, Boolean> SEQUENTIAL = new LinkedHashMap<>();

  private static boolean isSequential(Case c) {
    return SEQUENTIAL.computeIfAbsent(
        c.name,
        n -> {
          try {
            JsonNode config = KerasModelFile.read(c.dir.resolve("model.h5")).modelConfig();
            return "Sequential".equals(config.path("class_name").asText());
          } catch (IOException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  interface Dl4jForward {
    INDArray[] run(INDArray[] inputs);
  }

  /**
   * DL4J takes rank-3 (sequence) inputs as [batch, features, steps] where Keras has [batch, steps,
   * features]: the first prediction tries Keras's layout and, when that throws or gives the wrong
   * output shape, DL4J's, and keeps whichever layout gave the expected shape.
   */
  private static Engine dl4jEngine(Case c, Dl4jForward fwd, Runnable closer) {
    return new Engine() {
      Boolean permute;

      @Override
      public List<Arr> predict(List<Arr> inputs) {
        if (permute == null) {
          RuntimeException first = null;
          try {
            List<Arr> got = forward(inputs, false);
            if (shapesMatch(got, c.expected) || !hasRank3(inputs)) {
              permute = false;
              return got;
            }
          } catch (RuntimeException e) {
            first = e;
            if (!hasRank3(inputs)) {
              throw e;
            }
          }
          try {
            List<Arr> got = forward(inputs, true);
            permute = true;
            return got;
          } catch (RuntimeException e) {
            if (first != null) {
              e.addSuppressed(first);
            }
            throw e;
          }
        }
        return forward(inputs, permute);
      }

      private List<Arr> forward(List<Arr> inputs, boolean perm) {
        INDArray[] in = new INDArray[inputs.size()];
        for (int i = 0; i < in.length; i++) {
          Arr a = inputs.get(i);
          INDArray x = Nd4j.create(a.data, a.shape, 'c');
          in[i] = perm && x.rank() == 3 ? x.permute(0, 2, 1).dup('c') : x;
        }
        INDArray[] out = fwd.run(in);
        List<Arr> got = new ArrayList<>();
        for (INDArray o : out) {
          INDArray y = perm && o.rank() == 3 ? o.permute(0, 2, 1) : o;
          y = y.castTo(DataType.FLOAT).dup('c');
          got.add(new Arr(y.shape(), y.data().asFloat()));
        }
        return got;
      }

      @Override
      public void close() {
        closer.run();
      }
    };
  }

  private static boolean hasRank3(List<Arr> inputs) {
    return inputs.stream().anyMatch(a -> a.shape.length == 3);
  }

  private static boolean shapesMatch(List<Arr> got, List<Arr> expected) {
    if (got.size() != expected.size()) {
      return false;
    }
    for (int i = 0; i < got.size(); i++) {
      if (!Arrays.equals(got.get(i).shape, expected.get(i).shape)) {
        return false;
      }
    }
    return true;
  }

  // ---- cases and comparison ----

  private static Case readCase(Path dir) throws IOException {
    JsonNode json = new ObjectMapper().readTree(dir.resolve("case.json").toFile());
    List<String> ins = new ArrayList<>();
    json.get("inputs").forEach(n -> ins.add(n.asText()));
    List<String> outs = new ArrayList<>();
    json.get("outputs").forEach(n -> outs.add(n.asText()));
    List<Arr> inputs = new ArrayList<>();
    for (int i = 0; i < ins.size(); i++) {
      inputs.add(readNpy(dir.resolve("inputs").resolve(i + "_" + ins.get(i) + ".npy")));
    }
    List<Arr> expected = new ArrayList<>();
    for (int i = 0; i < outs.size(); i++) {
      expected.add(readNpy(dir.resolve("expected").resolve(i + "_" + outs.get(i) + ".npy")));
    }
    return new Case(
        dir.getFileName().toString(),
        dir,
        ins,
        outs,
        inputs,
        expected,
        json.path("atol").asDouble(1e-4),
        json.path("rtol").asDouble(1e-3));
  }

  private static Arr readNpy(Path file) throws IOException {
    try (Tensor t = Npy.read(file)) {
      return toArr(t);
    }
  }

  private static Arr toArr(Tensor t) {
    long[] shape = t.shape().asArray();
    int n = (int) t.shape().size();
    float[] d = new float[n];
    if (t instanceof TFloat32) {
      t.asRawTensor().data().asFloats().read(d);
    } else if (t instanceof TFloat64) {
      double[] x = new double[n];
      t.asRawTensor().data().asDoubles().read(x);
      for (int i = 0; i < n; i++) {
        d[i] = (float) x[i];
      }
    } else if (t instanceof TInt32) {
      int[] x = new int[n];
      t.asRawTensor().data().asInts().read(x);
      for (int i = 0; i < n; i++) {
        d[i] = x[i];
      }
    } else if (t instanceof TInt64) {
      long[] x = new long[n];
      t.asRawTensor().data().asLongs().read(x);
      for (int i = 0; i < n; i++) {
        d[i] = x[i];
      }
    } else {
      throw new IllegalArgumentException("Unsupported tensor type " + t.dataType());
    }
    return new Arr(shape, d);
  }

  /** Null when every output is within tolerance, else what is wrong. */
  private static String compare(Case c, List<Arr> got) {
    if (got.size() != c.expected.size()) {
      return got.size() + " outputs; expected " + c.expected.size();
    }
    for (int o = 0; o < got.size(); o++) {
      Arr g = got.get(o);
      Arr e = c.expected.get(o);
      if (!Arrays.equals(g.shape, e.shape)) {
        return "output "
            + c.outputNames.get(o)
            + " has shape "
            + Arrays.toString(g.shape)
            + "; expected "
            + Arrays.toString(e.shape);
      }
      double worst = 0;
      int bad = 0;
      for (int i = 0; i < e.data.length; i++) {
        double diff = Math.abs((double) g.data[i] - e.data[i]);
        if (!(diff <= c.atol + c.rtol * Math.abs(e.data[i]))) {
          bad++;
          worst = Math.max(worst, Double.isNaN(diff) ? Double.POSITIVE_INFINITY : diff);
        }
      }
      if (bad > 0) {
        return String.format(
            Locale.ROOT,
            "output %s: %d of %d elements out of tolerance, max" + " |diff| %.3g",
            c.outputNames.get(o),
            bad,
            e.data.length,
            worst);
      }
    }
    return null;
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String oneLine(Throwable t) {
    String m = t.getClass().getSimpleName() + ": " + t.getMessage();
    m = m.replace('\n', ' ').replace("|", "\\|");
    return m.length() > 220 ? m.substring(0, 217) + "..." : m;
  }

  private KerasImportBenchmark() {}
}
