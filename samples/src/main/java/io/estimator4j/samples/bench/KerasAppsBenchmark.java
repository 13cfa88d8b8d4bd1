package io.estimator4j.samples.bench;

import io.estimator4j.keras.KerasModel;
import io.estimator4j.keras.KerasModelFile;
import io.estimator4j.keras.KerasSavedModel;
import io.estimator4j.samples.KerasApplications;
import io.estimator4j.savedmodel.SavedModelPredictor;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.Set;
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
   * @param batch images per call
   */
  public record Options(int calls, int warmup, int batch) {
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
    }
  }

  private KerasAppsBenchmark() {}

  /** Runs every application and prints a Markdown table. */
  public static void run(Options o, PrintStream out) {
    out.println(Machine.describe());
    out.println();
    out.println(
        "| model | read (s) | build (s) | first predict (s) | load total (s) | KerasModel.predict"
            + " (ms) | bare session (ms) | ratio | SavedModelPredictor (ms) | bare session (ms) |"
            + " ratio |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (KerasApplications.App app : KerasApplications.App.values()) {
      try {
        out.println(row(app, o));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    out.println();
    out.println("After: " + Machine.loadAverage());
  }

  private static String row(KerasApplications.App app, Options o) throws IOException {
    Path dir = Files.createTempDirectory("e4j-keras-apps-");
    Path json = dir.resolve(app.modelName() + ".json");
    Path weights = dir.resolve(app.modelName() + "_weights.h5");
    boolean withWeights = true;
    try {
      KerasApplications.of(app).write(json, weights, 42);
    } catch (IOException e) {
      withWeights = false; // jhdf's writer fails on ResNet50: time the architecture alone
    }
    int size = app.imageSize();
    float[] x = new float[o.batch() * size * size * 3];
    Random r = new Random(1);
    for (int i = 0; i < x.length; i++) {
      x[i] = r.nextFloat() * 2 - 1;
    }
    try (TFloat32 input =
        TFloat32.tensorOf(Shape.of(o.batch(), size, size, 3), DataBuffers.of(x, true, false))) {
      Map<String, Tensor> feeds = Map.of(KerasApplications.INPUT, input);
      long t0 = System.nanoTime();
      KerasModelFile file =
          withWeights ? KerasModelFile.read(json, weights) : KerasModelFile.read(json);
      long t1 = System.nanoTime();
      try (KerasModel model = KerasModel.build(file)) {
        long t2 = System.nanoTime();
        model.predict(feeds).values().forEach(Tensor::close);
        long t3 = System.nanoTime();
        double[] keras = new double[o.calls()];
        double[] bare = new double[o.calls()];
        Session s = model.session();
        var in = model.inputs().get(KerasApplications.INPUT);
        var outOp = model.outputs().get(KerasApplications.OUTPUT);
        for (int i = 0; i < o.warmup() + o.calls(); i++) {
          long a = System.nanoTime();
          model.predict(feeds).values().forEach(Tensor::close);
          long b = System.nanoTime();
          try (Result res = s.runner().feed(in, input).fetch(outOp).run()) {
            // the bare call: the same feed and fetch, no checks, no copy
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
          String inName = sig.getInputsOrThrow(KerasApplications.INPUT).getName();
          String outName = sig.getOutputsOrThrow(KerasApplications.OUTPUT).getName();
          for (int i = 0; i < o.warmup() + o.calls(); i++) {
            long a = System.nanoTime();
            p.predict("serving_default", feeds).values().forEach(Tensor::close);
            long b = System.nanoTime();
            bundle.session().runner().feed(inName, input).fetch(outName).run().close();
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
        return "| "
            + app.modelName()
            + " (batch "
            + o.batch()
            + (withWeights ? "" : "; JSON only: jhdf cannot write its weights")
            + ") | "
            + Stats.fixed((t1 - t0) / 1e9, 2)
            + " | "
            + Stats.fixed((t2 - t1) / 1e9, 2)
            + " | "
            + Stats.fixed((t3 - t2) / 1e9, 2)
            + " | "
            + Stats.fixed((t3 - t0) / 1e9, 2)
            + " | "
            + Stats.fixed(km, 1)
            + " | "
            + Stats.fixed(bm, 1)
            + " | "
            + Stats.fixed(km / bm, 3)
            + " | "
            + Stats.fixed(pm, 1)
            + " | "
            + Stats.fixed(sm, 1)
            + " | "
            + Stats.fixed(pm / sm, 3)
            + " |";
      }
    }
  }
}
