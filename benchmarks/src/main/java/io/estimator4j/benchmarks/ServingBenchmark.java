package io.estimator4j.benchmarks;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.Predictor;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.layers.Dense;
import io.estimator4j.estimator.layers.DenseLayer;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.estimator.optimizer.Adagrad;
import io.estimator4j.keras.KerasModel;
import io.estimator4j.savedmodel.SavedModelPredictor;
import io.estimator4j.savedmodel.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Per-call serving cost in JMH, each serving path beside a bare {@code Session.runner()} call on
 * the same network and inputs, in the same run (issue 13, points 3 and 4).
 *
 * <ul>
 *   <li>{@code predictor*}: {@link Predictor} over an iris-shaped DNN (4 -> 10 -> 10 -> 3, outputs
 *       class_ids, probabilities, logits) trained 20 steps. {@code bareSavedModel} runs the same
 *       network exported with a raw receiver, loaded with {@code SavedModelBundle.load}, through a
 *       hand-built runner that feeds the input and fetches the three outputs.
 *   <li>{@code savedModelPredictor}: {@link SavedModelPredictor#predict} on that export (signature
 *       {@code serving_default}), against the same {@code bareSavedModel}.
 *   <li>{@code keras*}: {@link KerasModel#predict} on testdata's {@code
 *       dl4j-simple_sparse_xent_mlp_keras_2} against a bare runner on {@code KerasModel.session()}.
 * </ul>
 *
 * Every call closes what it fetched. Run through {@link ServingBenchmarkMain} (tables) or any JMH
 * runner.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class ServingBenchmark {
  @Param({"1", "100"})
  public int batch;

  private Path dir;
  private Predictor predictor;
  private SavedModelPredictor savedModel;
  private SavedModelBundle bundle;
  private String bareInput;
  private List<String> bareOutputs;
  private String signature;
  private KerasModel keras;
  private String kerasInput;
  private TFloat32 x;
  private TFloat32 kerasX;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    dir = Files.createTempDirectory("e4j-jmh-serving-");
    Estimator est =
        Estimator.builder(ServingBenchmark::modelFn)
            .config(
                RunConfig.builder()
                    .modelDir(dir.resolve("model"))
                    .randomSeed(42)
                    .noPeriodicCheckpoints()
                    .logStepCountSteps(0)
                    .saveSummarySteps(0)
                    .build())
            .build();
    Random rnd = new Random(42);
    float[][] rows = new float[120][4];
    int[] labels = new int[120];
    for (int i = 0; i < rows.length; i++) {
      labels[i] = i % 3;
      for (int j = 0; j < 4; j++) {
        rows[i][j] = labels[i] + (float) rnd.nextGaussian();
      }
    }
    est.train(
        ArrayInput.builder()
            .feature("x", rows)
            .labels(labels)
            .batchSize(20)
            .numEpochs(null)
            .shuffle(false)
            .build(),
        StepLimit.steps(20));
    Map<String, TensorSpec> specs = Map.of("x", TensorSpec.of(TFloat32.class, -1, 4));
    predictor = est.predictor(specs);
    Path export = est.exportSavedModel(dir.resolve("export"), ServingInputReceivers.raw(specs));
    savedModel = SavedModelPredictor.load(export, Set.of("serve"));
    signature =
        savedModel.signatures().containsKey("serving_default")
            ? "serving_default"
            : savedModel.signatures().keySet().iterator().next();
    SignatureDef sig = savedModel.signature(signature);
    bareInput = sig.getInputsMap().get("x").getName();
    bareOutputs = new ArrayList<>();
    sig.getOutputsMap().values().forEach(t -> bareOutputs.add(t.getName()));
    bareOutputs = bareOutputs.stream().distinct().sorted().toList();
    bundle = SavedModelBundle.load(export.toString(), "serve");
    float[][] in = new float[batch][];
    for (int i = 0; i < batch; i++) {
      in[i] = rows[i % rows.length];
    }
    x = TFloat32.tensorOf(StdArrays.ndCopyOf(in));

    Path testdata = Paths.get(System.getProperty("e4j.testdata", "../testdata"));
    keras =
        KerasModel.load(
            testdata.resolve("keras/cases/dl4j-simple_sparse_xent_mlp_keras_2/model.h5"));
    kerasInput = keras.inputs().keySet().iterator().next();
    Operand<?> kin = keras.inputs().get(kerasInput);
    long width = kin.shape().size(kin.shape().numDimensions() - 1);
    kerasX = TFloat32.tensorOf(Shape.of(batch, width));
    for (long i = 0; i < batch; i++) {
      for (long j = 0; j < width; j++) {
        kerasX.setFloat((float) rnd.nextGaussian(), i, j);
      }
    }
    keras.session();
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    x.close();
    kerasX.close();
    predictor.close();
    savedModel.close();
    bundle.close();
    keras.close();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** Bare baseline of the iris network: one runner, feed, three fetches, close. */
  @Benchmark
  public void bareSavedModel(Blackhole bh) {
    Session.Runner r = bundle.session().runner().feed(bareInput, x);
    for (String o : bareOutputs) {
      r.fetch(o);
    }
    try (Result res = r.run()) {
      bh.consume(res.get(0));
    }
  }

  /** Predictor, caller-owned tensors (no copy), every prediction. */
  @Benchmark
  public void predictorTensors(Blackhole bh) {
    Map<String, Tensor> out = predictor.predictTensors(Map.of("x", x), null);
    bh.consume(out);
    closeAll(out.values());
  }

  /** Predictor, every prediction copied into Java memory (the caller owns the copies). */
  @Benchmark
  public void predictorCopied(Blackhole bh) {
    bh.consume(predictor.predict(Map.of("x", x)));
  }

  @Benchmark
  public void savedModelPredictor(Blackhole bh) {
    Map<String, Tensor> out = savedModel.predict(signature, Map.of("x", x));
    bh.consume(out);
    closeAll(out.values());
  }

  /** Bare baseline of the Keras model: its own session and operands, a hand-built runner. */
  @Benchmark
  public void bareKeras(Blackhole bh) {
    Session.Runner r = keras.session().runner().feed(keras.inputs().get(kerasInput), kerasX);
    keras.outputs().values().forEach(r::fetch);
    try (Result res = r.run()) {
      bh.consume(res.get(0));
    }
  }

  @Benchmark
  public void kerasPredict(Blackhole bh) {
    Map<String, Tensor> out = keras.predict(Map.of(kerasInput, kerasX));
    bh.consume(out);
    closeAll(out.values());
  }

  private static void closeAll(Collection<Tensor> tensors) {
    tensors.stream().distinct().forEach(Tensor::close);
  }

  static EstimatorSpec modelFn(ModelFnContext ctx) {
    Ops tf = ctx.tf();
    Operand<TFloat32> net = ctx.feature("x", TFloat32.class);
    List<Variable<? extends TNumber>> trainable = new ArrayList<>();
    int i = 0;
    for (int units : new int[] {10, 10}) {
      DenseLayer layer =
          Dense.builder(units)
              .activation(Activation.RELU)
              .seed(7L + i)
              .build()
              .apply(tf.withSubScope("dense_" + i++), net);
      trainable.addAll(layer.trainableVariables());
      net = layer.output();
    }
    DenseLayer logitsLayer =
        Dense.builder(3).seed(9L).build().apply(tf.withSubScope("logits"), net);
    trainable.addAll(logitsLayer.trainableVariables());
    Operand<TFloat32> logits = logitsLayer.output();
    Operand<TInt64> classIds = tf.math.argMax(logits, tf.constant(1), TInt64.class);
    EstimatorSpec.Builder spec =
        EstimatorSpec.builder(ctx.mode())
            .prediction("class_ids", classIds)
            .prediction("probabilities", tf.nn.softmax(logits))
            .prediction("logits", logits);
    if (ctx.mode() == ModeKeys.PREDICT) {
      return spec.build();
    }
    Operand<TInt32> labels = ctx.labels(TInt32.class);
    Operand<TFloat32> oneHot = tf.oneHot(labels, tf.constant(3), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> loss =
        tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss(), tf.constant(0));
    spec.loss(loss);
    if (ctx.mode() == ModeKeys.TRAIN) {
      spec.trainOp(Adagrad.of(0.1).minimize(tf, loss, trainable, ctx.globalStep()));
    }
    return spec.build();
  }
}
