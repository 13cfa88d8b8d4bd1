package io.estimator4j.samples.bench;

import io.estimator4j.keras.KerasModel;
import io.estimator4j.keras.KerasModelFile;
import io.estimator4j.keras.KerasSavedModel;
import io.estimator4j.samples.KerasApplications;
import io.estimator4j.savedmodel.SavedModelPredictor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * Loading and prediction of the Keras applications (InceptionV3, ResNet50, MobileNetV2, written by
 * {@link KerasApplications} as tf.keras 2.x writes them): the time from files to the first
 * prediction ({@code KerasModelFile.read} + {@code KerasModel.build} + the first {@code predict},
 * which creates and initialises the session), then per-call latency of {@code KerasModel.predict}
 * and of {@code SavedModelPredictor} on the converted SavedModel, each beside a bare {@code
 * session.runner()} on the same graph (same feeds, same fetches).
 */
public final class KerasAppsBenchmark {
  /** Timed calls per measurement by default. */
  public static final int DEFAULT_CALLS = 20;

  /** Untimed calls before them. */
  public static final int DEFAULT_WARMUP = 3;

  /**
   * @param calls timed calls per measurement
   * @param warmup untimed calls before them
   * @param batch examples per call
   * @param files Keras files to time after (or, with {@code appsToo} false, instead of) the
   *     applications: {@code .h5}, {@code .keras} or {@code .json}
   * @param appsToo whether to time the three applications
   */
  public record Options(int calls, int warmup, int batch, List<Path> files, boolean appsToo) {
    public Options {
      if (calls < 1 || warmup < 0 || batch < 1) {
        throw new IllegalArgumentException(
            "calls and batch must be >= 1 and warmup >= 0; found "
                + calls
                + ", "
                + warmup
                + ", "
                + batch
                + ".");
      }
      files = List.copyOf(files);
    }

    /** The three applications only. */
    public Options(int calls, int warmup, int batch) {
      this(calls, warmup, batch, List.of(), true);
    }
  }

  private KerasAppsBenchmark() {}

  /** Runs every application (and each given file) and prints a Markdown table. */
  public static void run(Options o, PrintStream out) {
    out.println(Machine.describe());
    out.println();
    out.println(
        "| model | read (s) | build (s) | first predict (s) | load total (s) | KerasModel.predict"
            + " (ms) | bare session (ms) | ratio | SavedModelPredictor (ms) | bare session (ms) |"
            + " ratio |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    try {
      if (o.appsToo()) {
        for (KerasApplications.App app : KerasApplications.App.values()) {
          out.println(app(app, o));
        }
      }
      for (Path file : o.files()) {
        String label =
            file.getParent() == null
                ? file.toString()
                : file.getParent().getFileName() + "/" + file.getFileName();
        out.println(row(label, () -> KerasModelFile.read(file), o));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.println();
    out.println("After: " + Machine.loadAverage());
  }

  /** Issue 12's goal: a fresh JVM from {@code main} to the first prediction, in seconds. */
  public static final double LOAD_GOAL_SECONDS = 2.0;

  /**
   * Writes each application once, then loads it {@code runs} times, each in a fresh JVM ({@link
   * KerasLoadMain}: read, build with TensorFlow's library loading, session, first predict) started
   * like this one (same java, JVM options and class path), runs of the three interleaved; prints a
   * Markdown table of medians and ranges.
   */
  public static void freshJvm(int runs, PrintStream out) {
    if (runs < 1) {
      throw new IllegalArgumentException("runs must be >= 1, got " + runs);
    }
    out.println(Machine.describe());
    out.printf(
        Locale.ROOT,
        "%nEach load in a fresh JVM (%d per model, models interleaved): read (KerasModelFile.read),"
            + " build (KerasModel.build; TensorFlow's native library loads here), session (the"
            + " weights fed), first predict (zeros, batch 1); total = main() to the prediction;"
            + " JVM = the JVM's start-up before main(). Seconds, median (min-max).%n%n",
        runs);
    out.printf(
        Locale.ROOT,
        "| model | JVM | read | build | session | first predict | total (goal < %.0f s) |%n",
        LOAD_GOAL_SECONDS);
    out.println("|---|---:|---:|---:|---:|---:|---:|");
    Map<KerasApplications.App, List<double[]>> times = new LinkedHashMap<>();
    Map<KerasApplications.App, List<Path>> args = new LinkedHashMap<>();
    try {
      Path dir = Files.createTempDirectory("e4j-keras-load-");
      try {
        for (KerasApplications.App app : KerasApplications.App.values()) {
          args.put(app, write(app, dir));
          times.put(app, new ArrayList<>());
        }
        for (int r = 0; r < runs; r++) {
          for (KerasApplications.App app : times.keySet()) {
            times.get(app).add(loadInFreshJvm(args.get(app)));
          }
        }
      } finally {
        TrainBenchmark.deleteRecursively(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    times.forEach(
        (app, t) -> {
          StringBuilder row = new StringBuilder("| " + app.modelName());
          if (args.get(app).size() == 1) {
            row.append(" (JSON only: jhdf cannot write its weights)");
          }
          row.append(" |");
          for (int k = 0; k < 6; k++) {
            int col = k;
            double[] v = t.stream().mapToDouble(x -> x[col]).toArray();
            String cell =
                Stats.fixed(Stats.median(v), 2)
                    + " ("
                    + Stats.fixed(Arrays.stream(v).min().orElseThrow(), 2)
                    + "-"
                    + Stats.fixed(Arrays.stream(v).max().orElseThrow(), 2)
                    + ")";
            row.append(' ').append(k == 5 ? "**" + cell + "**" : cell).append(" |");
          }
          out.println(row);
        });
    out.println();
    out.println("After: " + Machine.loadAverage());
  }

  /** Runs {@link KerasLoadMain} in a new JVM; returns jvm, read, build, session, predict, total. */
  private static double[] loadInFreshJvm(List<Path> files) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(KerasLoadMain.class.getName());
    files.forEach(f -> cmd.add(f.toString()));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output;
    try {
      output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("The load of " + files + " did not end in 120 s.");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while loading " + files, e);
    }
    for (String line : output.split("\n")) {
      if (line.startsWith(KerasLoadMain.PREFIX)) {
        String[] parts = line.substring(KerasLoadMain.PREFIX.length()).trim().split(" ");
        double[] v = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
          v[i] = Double.parseDouble(parts[i].substring(parts[i].indexOf('=') + 1));
        }
        return v;
      }
    }
    throw new IllegalStateException(
        "The load of "
            + files
            + " printed no timing line (exit code "
            + p.exitValue()
            + "); its output:\n"
            + output);
  }

  private static String app(KerasApplications.App app, Options o) throws IOException {
    List<Path> files = write(app, Files.createTempDirectory("e4j-keras-apps-"));
    boolean both = files.size() == 2;
    return row(
        app.modelName() + (both ? "" : "; JSON only: jhdf cannot write its weights"),
        () ->
            both
                ? KerasModelFile.read(files.get(0), files.get(1))
                : KerasModelFile.read(files.get(0)),
        o);
  }

  /**
   * Writes {@code app} into {@code dir} as tf.keras 2.x would: its architecture JSON and HDF5
   * weights, or the JSON alone where jhdf's writer fails (ResNet50); returns the files written.
   */
  private static List<Path> write(KerasApplications.App app, Path dir) throws IOException {
    Path json = dir.resolve(app.modelName() + ".json");
    Path weights = dir.resolve(app.modelName() + "_weights.h5");
    try {
      KerasApplications.of(app).write(json, weights, 42);
      return List.of(json, weights);
    } catch (IOException e) {
      return List.of(json); // time the architecture alone
    }
  }

  /** Reads a model file; what {@link #row} times first. */
  private interface Reader {
    KerasModelFile read() throws IOException;
  }

  /**
   * Times reading, building and the first predict, then interleaves {@code KerasModel.predict} with
   * a bare run of the same feeds and fetches, and the converted SavedModel's predictor with a bare
   * run of its session. Every input is float32, filled with values in [-1, 1) (unknown dimensions
   * other than the batch are 1).
   */
  private static String row(String label, Reader reader, Options o) throws IOException {
    Path dir = Files.createTempDirectory("e4j-keras-bench-");
    long t0 = System.nanoTime();
    KerasModelFile file = reader.read();
    long t1 = System.nanoTime();
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try (KerasModel model = KerasModel.build(file)) {
      long t2 = System.nanoTime();
      Random r = new Random(1);
      for (Map.Entry<String, Operand<?>> in : model.inputs().entrySet()) {
        feeds.put(in.getKey(), randomInput(in.getKey(), in.getValue(), o.batch(), r));
      }
      model.predict(feeds).values().forEach(Tensor::close);
      long t3 = System.nanoTime();
      double[] keras = new double[o.calls()];
      double[] bare = new double[o.calls()];
      Session s = model.session();
      Set<Operand<?>> fetches = new LinkedHashSet<>(model.outputs().values());
      for (int i = 0; i < o.warmup() + o.calls(); i++) {
        long a = System.nanoTime();
        model.predict(feeds).values().forEach(Tensor::close);
        long b = System.nanoTime();
        Session.Runner runner = s.runner();
        model.inputs().forEach((name, op) -> runner.feed(op, feeds.get(name)));
        fetches.forEach(runner::fetch);
        try (Result res = runner.run()) {
          // the bare call: the same feeds and fetches, no checks
        }
        long c = System.nanoTime();
        if (i >= o.warmup()) {
          keras[i - o.warmup()] = (b - a) / 1e6;
          bare[i - o.warmup()] = (c - b) / 1e6;
        }
      }
      Path saved = KerasSavedModel.convert(model, dir.resolve("saved"));
      double[] predictor = new double[o.calls()];
      double[] bareSaved = new double[o.calls()];
      try (SavedModelPredictor p = SavedModelPredictor.load(saved, Set.of("serve"));
          SavedModelBundle bundle = SavedModelBundle.load(saved.toString(), "serve")) {
        SignatureDef sig = bundle.metaGraphDef().getSignatureDefOrThrow("serving_default");
        for (int i = 0; i < o.warmup() + o.calls(); i++) {
          long a = System.nanoTime();
          p.predict("serving_default", feeds).values().forEach(Tensor::close);
          long b = System.nanoTime();
          Session.Runner runner = bundle.session().runner();
          feeds.forEach((name, t) -> runner.feed(sig.getInputsOrThrow(name).getName(), t));
          sig.getOutputsMap().values().forEach(info -> runner.fetch(info.getName()));
          runner.run().close();
          long c = System.nanoTime();
          if (i >= o.warmup()) {
            predictor[i - o.warmup()] = (b - a) / 1e6;
            bareSaved[i - o.warmup()] = (c - b) / 1e6;
          }
        }
      }
      double km = Stats.median(keras);
      double bm = Stats.median(bare);
      double pm = Stats.median(predictor);
      double sm = Stats.median(bareSaved);
      int digits = bm < 1 ? 3 : 1;
      return "| "
          + label
          + " (batch "
          + o.batch()
          + ") | "
          + Stats.fixed((t1 - t0) / 1e9, 2)
          + " | "
          + Stats.fixed((t2 - t1) / 1e9, 2)
          + " | "
          + Stats.fixed((t3 - t2) / 1e9, 2)
          + " | "
          + Stats.fixed((t3 - t0) / 1e9, 2)
          + " | "
          + Stats.fixed(km, digits)
          + " | "
          + Stats.fixed(bm, digits)
          + " | "
          + Stats.fixed(km / bm, 3)
          + " | "
          + Stats.fixed(pm, digits)
          + " | "
          + Stats.fixed(sm, digits)
          + " | "
          + Stats.fixed(pm / sm, 3)
          + " |";
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  private static TFloat32 randomInput(String name, Operand<?> placeholder, int batch, Random r) {
    if (placeholder.type() != TFloat32.class) {
      throw new IllegalArgumentException(
          "Input '"
              + name
              + "' takes "
              + placeholder.type().getSimpleName()
              + "; this benchmark feeds float32 inputs only.");
    }
    long[] dims = placeholder.shape().asArray();
    dims[0] = batch;
    for (int i = 1; i < dims.length; i++) {
      dims[i] = Math.max(dims[i], 1);
    }
    float[] x = new float[(int) Shape.of(dims).size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat() * 2 - 1;
    }
    return TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(x, true, false));
  }
}
