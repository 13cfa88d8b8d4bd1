package io.estimator4j.estimator.head;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.EvalOptions;
import io.estimator4j.estimator.PredictOptions;
import io.estimator4j.estimator.Prediction;
import io.estimator4j.estimator.PredictionIterator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.estimator.input.InputFn;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.savedmodel.ExportOutput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Runs a head inside a real Estimator: the model function reads the logits from the feature {@code
 * logits} and calls {@link Head#createEstimatorSpec}; the train op only increments the global step.
 * Inputs are constants (one batch, repeated; evaluate runs one step) unless an {@link InputFn} is
 * given.
 */
final class HeadHarness {
  static final String LOGITS = "logits";
  static final String WEIGHTS = "w";

  private final Head head;
  private final Path root;
  private final Map<String, Function<Ops, Operand<?>>> features = new LinkedHashMap<>();
  private Function<Ops, Operand<?>> labels;
  private Float regularization;
  private final Map<String, String> exports = new LinkedHashMap<>();
  private int runs;
  private int saveSummarySteps;
  private Path lastModelDir;

  HeadHarness(Head head, Path root) {
    this.head = head;
    this.root = root;
  }

  HeadHarness logits(float[][] logits) {
    return feature(LOGITS, tf -> tf.constant(logits));
  }

  HeadHarness weights(float[] weights) {
    return feature(WEIGHTS, tf -> tf.constant(weights));
  }

  HeadHarness feature(String name, Function<Ops, Operand<?>> value) {
    features.put(name, value);
    return this;
  }

  HeadHarness labels(Function<Ops, Operand<?>> value) {
    this.labels = value;
    return this;
  }

  /** Writes training summaries every {@code steps} steps (default: none). */
  HeadHarness saveSummarySteps(int steps) {
    this.saveSummarySteps = steps;
    return this;
  }

  /** The model directory of the latest run. */
  Path lastModelDir() {
    return lastModelDir;
  }

  HeadHarness regularization(float loss) {
    this.regularization = loss;
    return this;
  }

  /** Metrics, loss and global_step over one batch of the constant input. */
  Map<String, Double> evaluate() {
    return estimator().evaluate(constantInput(), EvalOptions.defaults().withSteps(1));
  }

  /** Metrics, loss and global_step over the whole input. */
  Map<String, Double> evaluate(InputFn input) {
    return estimator().evaluate(input);
  }

  /** The predictions of the first batch. */
  Prediction predict() {
    try (PredictionIterator it =
        estimator().predict(constantInput(), PredictOptions.defaults().batches())) {
      return it.next();
    }
  }

  /** Trains one step. */
  void trainOneStep(InputFn input) {
    estimator().train(input, StepLimit.steps(1));
  }

  void trainOneStep() {
    trainOneStep(constantInput());
  }

  /**
   * The export outputs of the PREDICT spec by signature key, each described as {@code method
   * {outputKey=predictionKey, ...}} (the prediction each output tensor is, by identity).
   */
  Map<String, String> exportOutputs() {
    predict();
    return exports;
  }

  InputFn constantInput() {
    return ctx -> {
      Map<String, Operand<?>> f = new LinkedHashMap<>();
      features.forEach((k, v) -> f.put(k, v.apply(ctx.tf())));
      return Input.of(f, labels == null ? null : labels.apply(ctx.tf()));
    };
  }

  Estimator estimator() {
    Path dir = root.resolve("run" + (runs++));
    lastModelDir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    RunConfig config =
        RunConfig.builder()
            .modelDir(dir)
            .randomSeed(3)
            .noPeriodicCheckpoints()
            .logStepCountSteps(0)
            .saveSummarySteps(saveSummarySteps)
            .build();
    return Estimator.builder(modelFn()).config(config).build();
  }

  private ModelFn modelFn() {
    return ctx -> {
      Ops tf = ctx.tf();
      Operand<TFloat32> logits = ctx.feature(LOGITS, TFloat32.class);
      Operand<TFloat32> reg = regularization == null ? null : tf.constant(regularization);
      EstimatorSpec spec =
          head.createEstimatorSpec(
              ctx, logits, loss -> tf.assignAdd(ctx.globalStep(), tf.constant(1L)), reg);
      if (ctx.mode() == ModeKeys.PREDICT) {
        describeExports(spec);
      }
      return spec;
    };
  }

  private void describeExports(EstimatorSpec spec) {
    Map<Operand<?>, String> predictionKeys = new IdentityHashMap<>();
    spec.predictions().forEach((k, v) -> predictionKeys.put(v, k));
    exports.clear();
    for (Map.Entry<String, ExportOutput> e : spec.exportOutputs().entrySet()) {
      Map<String, String> outputs = new LinkedHashMap<>();
      e.getValue().outputs().forEach((k, v) -> outputs.put(k, predictionKeys.getOrDefault(v, "?")));
      exports.put(e.getKey(), e.getValue().methodName() + " " + outputs);
    }
  }

  /** A string prediction, flattened row-major. */
  static java.util.List<String> strings(Prediction p, String key) {
    java.util.List<String> out = new java.util.ArrayList<>();
    p.get(key).scalars().forEach(v -> out.add((String) v.getObject()));
    return out;
  }

  /** A string vector constant. */
  static Operand<org.tensorflow.types.TString> text(Ops tf, String... values) {
    return tf.constant(java.nio.charset.StandardCharsets.UTF_8, values);
  }

  /** A string matrix constant. */
  static Operand<org.tensorflow.types.TString> text(Ops tf, String[][] values) {
    return tf.constant(org.tensorflow.ndarray.StdArrays.ndCopyOf(values));
  }
}
