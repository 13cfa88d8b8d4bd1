package io.estimator4j.samples;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.keras.KerasEstimators;
import io.estimator4j.keras.KerasModelFile;
import io.estimator4j.keras.KerasNetwork;
import io.estimator4j.savedmodel.SavedModelPredictor;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;

/**
 * The example of tf.keras's model_to_estimator documentation, end to end in Java: {@code
 * tf.keras.applications.inception_v3.InceptionV3(weights=None)} compiled with {@code SGD(lr=1e-4,
 * momentum=0.9)} and categorical cross-entropy, turned into an Estimator whose input is {@code
 * input_1}, trained from a numpy-style {@link ArrayInput} {@code x={"input_1": images}}, evaluated
 * and exported. The model files are written first, as tf.keras 2.x writes them ({@link
 * KerasApplications}: {@code model.to_json()} and {@code model.save_weights}), and the images are
 * synthetic (uniform in [-1, 1], InceptionV3's preprocessed range), so the throughput is what is
 * measured, not the accuracy.
 *
 * <p>Throughput is printed as images per second of training steps and of predictions, each next to
 * a raw tensorflow-java loop on the same model graph (the Keras network built by {@link
 * KerasNetwork}, a cross-entropy loss and a momentum update fed by placeholders; the exported
 * SavedModel's own session for prediction).
 */
public final class KerasInceptionSample {
  /** Training steps by default: InceptionV3 on a CPU takes seconds per step. */
  public static final long DEFAULT_STEPS = 5;

  /** Images per step by default. */
  public static final int DEFAULT_BATCH = 2;

  /**
   * The training config tf.keras 2.x saves for {@code model.compile(optimizer=SGD(lr=1e-4,
   * momentum=0.9), loss="categorical_crossentropy")} (float32 hyper-parameters serialized as
   * doubles).
   */
  public static final String TRAINING_CONFIG =
      "{\"loss\": \"categorical_crossentropy\", \"metrics\": null, \"weighted_metrics\": null,"
          + " \"loss_weights\": null, \"optimizer_config\": {\"class_name\": \"SGD\", \"config\":"
          + " {\"name\": \"SGD\", \"learning_rate\": 9.999999747378752e-05, \"decay\": 0.0,"
          + " \"momentum\": 0.8999999761581421, \"nesterov\": false}}}";

  private static final int CLASSES = 1000;

  private KerasInceptionSample() {}

  /** Throughputs measured by one run, images per second. */
  public record Throughput(double train, double rawTrain, double predict, double rawPredict) {}

  /** Writes the model, trains, evaluates, exports, measures; JSON metrics on the last line. */
  public static Throughput run(
      Path workDir, KerasApplications.App app, long steps, int batch, PrintStream out)
      throws IOException {
    if (steps < 2 || batch < 1) {
      throw new IllegalArgumentException(
          "steps must be >= 2 (the first is warm-up) and batch >= 1; found "
              + steps
              + ", "
              + batch
              + ".");
    }
    Files.createDirectories(workDir);
    Path json = workDir.resolve(app.modelName() + ".json");
    Path weights = workDir.resolve(app.modelName() + "_weights.h5");
    long t0 = System.nanoTime();
    KerasApplications model = KerasApplications.of(app);
    boolean withWeights = true;
    try {
      model.write(json, weights, 42);
    } catch (IOException e) {
      // jhdf's alpha writer fails on ResNet50's weights file: the architecture alone starts from
      // the same initializers Keras would have drawn the weights from
      out.println(e.getMessage());
      withWeights = false;
    }
    out.printf(
        "Wrote %s (%d layers, %,d parameters, %,d non-trainable) as %s and %s in %.1f s%n",
        app.modelName(),
        model.layerNames().size(),
        model.totalParams(),
        model.nonTrainableParams(),
        json.getFileName(),
        weights.getFileName(),
        seconds(t0));
    KerasModelFile keras =
        withWeights ? KerasModelFile.read(json, weights) : KerasModelFile.read(json);
    Path modelDir = workDir.resolve("model");
    Estimator estimator =
        KerasEstimators.modelToEstimator(
            keras,
            TRAINING_CONFIG,
            // no checkpoint inside the timed steps: the final one is written when training ends
            RunConfig.builder().modelDir(modelDir).saveCheckpointsSteps(Integer.MAX_VALUE).build());

    int size = app.imageSize();
    float[] images = images(2 * batch, size, 7);
    float[][] labels = oneHot(2 * batch, 11);
    ArrayInput train =
        ArrayInput.builder()
            .feature(KerasApplications.INPUT, nd(images, 2 * batch, size))
            .labels(labels)
            .batchSize(batch)
            .numEpochs(null)
            .shuffle(false)
            .build();
    StepTimer timer = new StepTimer();
    out.printf("Training %d steps of %d images in %s%n", steps, batch, modelDir);
    estimator.train(train, StepLimit.steps(steps), timer);
    double trainRate = timer.imagesPerSecond(batch);

    ArrayInput eval =
        ArrayInput.builder()
            .feature(KerasApplications.INPUT, nd(images, 2 * batch, size))
            .labels(labels)
            .batchSize(batch)
            .numEpochs(1)
            .shuffle(false)
            .build();
    Map<String, Double> metrics = estimator.evaluate(eval);
    Path export =
        estimator.exportSavedModel(
            workDir.resolve("export"), KerasEstimators.rawServingInputReceiverFn(keras));
    out.println("Exported the SavedModel to " + export);

    double rawTrain = rawTrainImagesPerSecond(keras, images, labels, batch, size, steps);
    double[] predict = predictImagesPerSecond(export, images, batch, size, steps);
    Throughput t = new Throughput(trainRate, rawTrain, predict[0], predict[1]);
    out.printf(
        "train: %.2f images/s (raw tensorflow-java loop: %.2f); predict: %.2f images/s (raw: %.2f)%n",
        t.train(), t.rawTrain(), t.predict(), t.rawPredict());
    Map<String, Double> result = new LinkedHashMap<>();
    result.put("loss", metrics.get("loss"));
    result.put(EstimatorSpec.GLOBAL_STEP_KEY, metrics.get(EstimatorSpec.GLOBAL_STEP_KEY));
    result.put("train_images_per_sec", t.train());
    result.put("raw_train_images_per_sec", t.rawTrain());
    result.put("predict_images_per_sec", t.predict());
    result.put("raw_predict_images_per_sec", t.rawPredict());
    out.println(Json.metrics(result));
    return t;
  }

  /** Times the training steps after the first (graph, session and warm start are its cost). */
  private static final class StepTimer implements SessionRunHook {
    private long first;
    private long last;
    private int steps;

    @Override
    public void afterRun(SessionRunContext context, SessionRunValues values) {
      long now = System.nanoTime();
      if (steps == 0) {
        first = now;
      }
      last = now;
      steps++;
    }

    double imagesPerSecond(int batch) {
      return steps < 2 ? Double.NaN : (steps - 1) * (double) batch / ((last - first) / 1e9);
    }
  }

  /**
   * The same model graph trained by hand: the Keras network in TRAIN mode on placeholders, mean
   * categorical cross-entropy, tensorflow-java's gradients and ApplyMomentum (lr 1e-4, momentum
   * 0.9) with BatchNormalization's updates, one {@code session.run} per step.
   */
  private static double rawTrainImagesPerSecond(
      KerasModelFile keras, float[] images, float[][] labels, int batch, int size, long steps) {
    KerasNetwork network = KerasNetwork.of(keras);
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = io.estimator4j.graph.FastSubScopes.wrap(Ops.create(g));
      Placeholder<TFloat32> x =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(batch, size, size, 3)));
      Placeholder<TFloat32> y =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(batch, CLASSES)));
      KerasNetwork.Applied applied =
          network.apply(tf, Map.of(KerasApplications.INPUT, x), ModeKeys.TRAIN);
      @SuppressWarnings("unchecked")
      Operand<TFloat32> p = (Operand<TFloat32>) applied.outputs().get(KerasApplications.OUTPUT);
      Operand<TFloat32> clipped = tf.clipByValue(p, tf.constant(1e-7f), tf.constant(1f - 1e-7f));
      Operand<TFloat32> loss =
          tf.math.mean(
              tf.math.neg(tf.reduceSum(tf.math.mul(y, tf.math.log(clipped)), tf.constant(1))),
              tf.constant(0));
      List<Variable<TFloat32>> vars = applied.trainableVariables();
      Output<?>[] grads =
          g.addGradients(
              loss.asOutput(), vars.stream().map(Operand::asOutput).toArray(Output[]::new));
      List<Op> updates = new ArrayList<>(applied.updates());
      for (int i = 0; i < vars.size(); i++) {
        Variable<TFloat32> v = vars.get(i);
        Variable<TFloat32> accum =
            tf.withName(v.op().name().replace('/', '_') + "_accum")
                .variable(tf.zeros(tf.constant(v.shape().asArray()), TFloat32.class));
        @SuppressWarnings("unchecked")
        Operand<TFloat32> grad = (Operand<TFloat32>) grads[i];
        updates.add(tf.train.applyMomentum(v, accum, tf.constant(1e-4f), grad, tf.constant(0.9f)));
      }
      Op step = tf.withControlDependencies(updates).noOp();
      s.initialize();
      try (TFloat32 xs = batchOf(images, 0, batch, size);
          TFloat32 ys = TFloat32.tensorOf(Shape.of(batch, CLASSES))) {
        for (int r = 0; r < batch; r++) {
          for (int c = 0; c < CLASSES; c++) {
            ys.setFloat(labels[r][c], r, c);
          }
        }
        long start = 0;
        for (long i = 0; i < steps; i++) {
          if (i == 1) {
            start = System.nanoTime(); // the first step is warm-up, as in the Estimator's timing
          }
          try (Result r = s.runner().feed(x, xs).feed(y, ys).addTarget(step).fetch(loss).run()) {
            // the loss is fetched as the Estimator's loop fetches it
          }
        }
        return (steps - 1) * (double) batch / ((System.nanoTime() - start) / 1e9);
      }
    }
  }

  /**
   * Predictions per second through SavedModelPredictor on the export, and through a bare {@code
   * session.runner()} on the same loaded SavedModel graph: {@code calls} timed calls of each,
   * alternating (so that the machine's load changes both alike), after one warm-up call each.
   */
  private static double[] predictImagesPerSecond(
      Path export, float[] images, int batch, int size, long calls) throws IOException {
    try (TFloat32 xs = batchOf(images, 0, batch, size);
        SavedModelPredictor p = SavedModelPredictor.load(export, Set.of("serve"));
        SavedModelBundle bundle = SavedModelBundle.load(export.toString(), "serve")) {
      Map<String, Tensor> feeds = Map.of(KerasApplications.INPUT, xs);
      SignatureDef sig = bundle.metaGraphDef().getSignatureDefOrThrow("serving_default");
      String in = sig.getInputsOrThrow(KerasApplications.INPUT).getName();
      String outName = sig.getOutputsOrThrow(KerasApplications.OUTPUT).getName();
      Session s = bundle.session();
      long predictor = 0;
      long bare = 0;
      for (long i = -1; i < calls; i++) {
        long a = System.nanoTime();
        p.predict("serving_default", feeds).values().forEach(Tensor::close);
        long b = System.nanoTime();
        s.runner().feed(in, xs).fetch(outName).run().close();
        long c = System.nanoTime();
        if (i >= 0) {
          predictor += b - a;
          bare += c - b;
        }
      }
      return new double[] {
        calls * (double) batch / (predictor / 1e9), calls * (double) batch / (bare / 1e9)
      };
    }
  }

  private static float[] images(int n, int size, long seed) {
    Random r = new Random(seed);
    float[] v = new float[n * size * size * 3];
    for (int i = 0; i < v.length; i++) {
      v[i] = r.nextFloat() * 2 - 1;
    }
    return v;
  }

  private static float[][] oneHot(int n, long seed) {
    Random r = new Random(seed);
    float[][] y = new float[n][CLASSES];
    for (float[] row : y) {
      row[r.nextInt(CLASSES)] = 1f;
    }
    return y;
  }

  private static org.tensorflow.ndarray.FloatNdArray nd(float[] v, int n, int size) {
    return org.tensorflow.ndarray.NdArrays.wrap(
        Shape.of(n, size, size, 3), DataBuffers.of(v, true, false));
  }

  private static TFloat32 batchOf(float[] images, int first, int batch, int size) {
    int per = size * size * 3;
    float[] v = new float[batch * per];
    System.arraycopy(images, first * per, v, 0, v.length);
    return TFloat32.tensorOf(Shape.of(batch, size, size, 3), DataBuffers.of(v, true, false));
  }

  private static double seconds(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }
}
