package io.estimator4j.samples;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.head.MetricKeys;
import io.estimator4j.estimator.head.PredictionKeys;
import io.estimator4j.estimator.input.CsvInput;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.layers.Dense;
import io.estimator4j.estimator.layers.DenseLayer;
import io.estimator4j.estimator.metrics.Metrics;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.estimator.modelfn.Params;
import io.estimator4j.estimator.optimizer.Adagrad;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * TensorFlow's custom-estimator iris example in Java: a model function with two hidden layers of 10
 * units, softmax cross-entropy and Adagrad(0.1), trained on iris_training.csv with batches of 100
 * and evaluated on iris_test.csv (TensorFlow's premade/custom estimator guide).
 */
public final class IrisCustom {
  /** Column names of TensorFlow's iris CSV files (the first line is a count header). */
  public static final List<String> FEATURES =
      List.of("SepalLength", "SepalWidth", "PetalLength", "PetalWidth");

  public static final String LABEL = "Species";
  public static final int BATCH_SIZE = 100;

  private IrisCustom() {}

  /** The model function: features -> dense(10, relu) -> dense(10, relu) -> logits(3). */
  public static final ModelFn MODEL_FN = IrisCustom::modelFn;

  static EstimatorSpec modelFn(ModelFnContext ctx) {
    Ops tf = ctx.tf();
    List<Operand<TFloat32>> columns = new ArrayList<>();
    for (String f : FEATURES) {
      columns.add(ctx.feature(f, TFloat32.class));
    }
    Operand<TFloat32> x = tf.stack(columns, org.tensorflow.op.core.Stack.axis(1L));
    List<Variable<? extends TNumber>> trainable = new ArrayList<>();
    Operand<TFloat32> net = x;
    int[] hidden = ctx.params().getIntArray("hidden_units", new int[] {10, 10});
    for (int i = 0; i < hidden.length; i++) {
      Dense.Builder b = Dense.builder(hidden[i]).activation(Activation.RELU);
      ctx.nextSeed().ifPresent(b::seed);
      DenseLayer layer = b.build().apply(tf.withSubScope("dense_" + i), net);
      trainable.addAll(layer.trainableVariables());
      net = layer.output();
    }
    Dense.Builder lb = Dense.builder(ctx.params().getInt("n_classes", 3));
    ctx.nextSeed().ifPresent(lb::seed);
    DenseLayer logitsLayer = lb.build().apply(tf.withSubScope("logits"), net);
    trainable.addAll(logitsLayer.trainableVariables());
    Operand<TFloat32> logits = logitsLayer.output();
    Operand<TInt64> classIds = tf.math.argMax(logits, tf.constant(1), TInt64.class);
    EstimatorSpec.Builder spec =
        EstimatorSpec.builder(ctx.mode())
            .prediction(PredictionKeys.CLASS_IDS, classIds)
            .prediction(PredictionKeys.PROBABILITIES, tf.nn.softmax(logits))
            .prediction(PredictionKeys.LOGITS, logits);
    if (ctx.mode() == ModeKeys.PREDICT) {
      return spec.build();
    }
    Operand<TInt32> labels = ctx.labels(TInt32.class);
    // Sparse softmax cross-entropy has no gradient in tensorflow-java: one-hot + dense version.
    Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(3), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> perExample = tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss();
    Operand<TFloat32> loss = tf.math.mean(perExample, tf.constant(0));
    Operand<TFloat32> correct =
        tf.dtypes.cast(
            tf.math.equal(classIds, tf.dtypes.cast(labels, TInt64.class)), TFloat32.class);
    spec.loss(loss)
        .evalMetric(
            MetricKeys.ACCURACY,
            Metrics.mean(tf.withSubScope("metrics"), MetricKeys.ACCURACY, correct, null));
    ctx.scalarSummary(MetricKeys.ACCURACY, tf.math.mean(correct, tf.constant(0)));
    if (ctx.mode() == ModeKeys.TRAIN) {
      double lr = ctx.params().getDouble("learning_rate", 0.1);
      spec.trainOp(Adagrad.of(lr).minimize(tf, loss, trainable, ctx.globalStep()));
    }
    return spec.build();
  }

  /** CSV input over one of the iris files. */
  public static CsvInput input(Path csv, boolean training, long seed) {
    CsvInput.Builder b = CsvInput.builder(csv).skipHeaderLines(1);
    FEATURES.forEach(b::floatColumn);
    b.intColumn(LABEL).labelColumn(LABEL).batchSize(BATCH_SIZE);
    if (training) {
      b.shuffleBuffer(1000).numEpochs(null).seed(seed);
    } else {
      b.shuffleBuffer(0).numEpochs(1);
    }
    return b.build();
  }

  /** Trains, evaluates and prints the metrics as JSON on the last line. */
  public static int run(Path modelDir, long steps, long seed, PrintStream out) {
    Estimator estimator =
        Estimator.builder(MODEL_FN)
            .config(
                RunConfig.builder()
                    .modelDir(modelDir)
                    .randomSeed(seed)
                    .saveCheckpointsSteps(500)
                    .build())
            .params(
                Params.of(
                    Map.of("hidden_units", List.of(10, 10), "n_classes", 3, "learning_rate", 0.1)))
            .build();
    Path train = SampleData.file("iris/iris_training.csv");
    Path test = SampleData.file("iris/iris_test.csv");
    out.println("Training " + steps + " steps in " + estimator.modelDir());
    out.println(BoardHints.watch(estimator.modelDir()));
    estimator.train(input(train, true, seed), StepLimit.steps(steps));
    Map<String, Double> metrics = estimator.evaluate(input(test, false, seed));
    Map<String, Double> json = new LinkedHashMap<>();
    json.put(MetricKeys.ACCURACY, metrics.get(MetricKeys.ACCURACY));
    json.put(MetricKeys.LOSS, metrics.get(MetricKeys.LOSS));
    json.put(EstimatorSpec.GLOBAL_STEP_KEY, metrics.get(EstimatorSpec.GLOBAL_STEP_KEY));
    out.println(BoardHints.eventFiles(estimator.modelDir()));
    out.println(Json.metrics(json));
    return 0;
  }
}
