package io.estimator4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.config.WarmStartSettings;
import io.estimator4j.estimator.export.ServingInputReceiverFn;
import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.estimator.metrics.Metrics;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.savedmodel.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Wraps a compiled Keras model as an Estimator; Java counterpart of
 * tf.keras.estimator.model_to_estimator.
 *
 * <p>Features are keyed by the Keras input layer names, labels by the output layer names (a single
 * labels tensor is accepted for a single-output model), and predictions are the outputs keyed by
 * output name. Loss, loss weights, metrics and optimizer come from the file's {@code
 * training_config}. As model_to_estimator did, the file's weights are first saved as the checkpoint
 * {@code <model_dir>/keras/keras_model.ckpt} (once; an existing one is kept), and the Estimator
 * warm-starts every Keras variable from it: training, evaluation and prediction start from the
 * saved model (a checkpoint in the model directory, when there is one, takes precedence as usual),
 * while the graphs, {@code graph.pbtxt} and the event files hold no weights. Unlike tf.estimator,
 * evaluation and prediction before the first checkpoint also start from the Keras weights (Python
 * used freshly initialised variables there), and the moving statistics of BatchNormalization are
 * warm-started too (Python's warm start took only the trainable variables). Recurrent layers with a
 * known number of time steps are unrolled into the graph, so they train (tensorflow-java has no
 * while-loop gradient).
 *
 * <p>As model_to_estimator set Keras's learning phase, the model is called with {@code
 * training=True} in TRAIN mode only: Dropout (rate, noise_shape, seed), SpatialDropout1D/2D/3D,
 * GaussianDropout, GaussianNoise and AlphaDropout act; BatchNormalization normalises with the batch
 * mean and biased variance and updates moving_mean and moving_variance by {@code moving -= (moving
 * - batch) * (1 - momentum)} with every training step (the updates are grouped into the train op,
 * as Keras's {@code model.updates}; the moving variance takes the Bessel-corrected batch variance
 * where tf.keras 2 used its fused kernel: 4D/5D inputs normalised over axis 1 or the last axis; the
 * biased one otherwise and for Keras 3), except in a layer with {@code trainable: false}, which
 * Keras keeps in inference mode. EVAL, PREDICT and exports build the inference model, so the moving
 * statistics saved by training are what evaluation uses.
 *
 * <p>The loss is Keras's {@code total_loss} in TRAIN and EVAL: the compiled (weighted) losses plus
 * the regularisation losses ({@code model.losses}): weight regularizers (kernel, bias, recurrent,
 * depthwise, pointwise, embeddings, gamma, beta, alpha) give {@code l1 * sum(|w|) + l2 * sum(w²)};
 * activity regularizers (and the ActivityRegularization layer) give the penalty of each call's
 * output, divided by the batch size for tf.keras 2 files and not for Keras 3 files. L1, L2 and L1L2
 * are understood; another regularizer class fails the build naming the layer and the regularizer.
 *
 * <p>The learning rate follows the optimizer config per global step (which model_to_estimator made
 * the optimizer's {@code iterations}): a Keras 2 {@code decay} gives {@code lr / (1 + decay *
 * step)}, and a serialized ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay,
 * PolynomialDecay or CosineDecay (without warm-up) schedule as {@code learning_rate} is evaluated
 * at the step; another schedule is refused naming it. SGD with momentum under a changing rate keeps
 * Keras's velocity form ({@code v = momentum * v - lr_t * g}).
 *
 * <p>A layer or nested model with {@code trainable: false} keeps its weights (they are
 * non-trainable variables), and a call with {@code training=False} (e.g. {@code base(x,
 * training=False)}) runs its layers in inference mode even while training, as in Keras; attention
 * layers drop attention weights in TRAIN mode by their {@code dropout}.
 *
 * <p>Not carried over: recurrent layers' {@code dropout} and {@code recurrent_dropout} (inference
 * in every mode).
 */
public final class KerasEstimators {
  /**
   * Options of the conversion beyond the training config.
   *
   * @param weightColumn the feature holding each example's sample weight ({@code [batch]} or {@code
   *     [batch, 1]}), as Keras's {@code sample_weight}: the losses become {@code sum(w_i · loss_i)
   *     / n} (metrics stay unweighted, as model_to_estimator's); null for none
   */
  public record Options(String weightColumn) {
    /** No sample weights. */
    public static Options defaults() {
      return new Options(null);
    }

    /** These options with sample weights from feature {@code name}. */
    public Options withWeightColumn(String name) {
      return new Options(java.util.Objects.requireNonNull(name, "name"));
    }
  }

  /** Clips probabilities away from 0 and 1 before a log, as Keras's backend epsilon does. */
  static final float EPSILON = 1e-7f;

  private KerasEstimators() {}

  /**
   * Reads {@code kerasFile} (see {@link KerasModelFile#read(Path)}) and wraps it as an Estimator
   * configured by {@code config}.
   *
   * @throws IllegalArgumentException if the file has no training_config or one that cannot be
   *     mapped (the message says which part)
   */
  public static Estimator modelToEstimator(Path kerasFile, RunConfig config) throws IOException {
    return modelToEstimator(KerasModelFile.read(kerasFile), config);
  }

  /** Wraps {@code file} as an Estimator, compiled by its own training_config. */
  public static Estimator modelToEstimator(KerasModelFile file, RunConfig config) {
    Objects.requireNonNull(file, "file");
    String source = file.source().getFileName().toString();
    JsonNode training =
        file.trainingConfig()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "The Keras model "
                            + source
                            + " has no training_config, so it has no loss and no"
                            + " optimizer. Fix: compile the model first (model.compile(loss=..., optimizer=...))"
                            + " before saving it, or pass a loss and optimizer as a training config JSON to"
                            + " modelToEstimator(file, trainingConfigJson, config)."));
    return modelToEstimator(file, training, config, Options.defaults());
  }

  /**
   * Wraps {@code file} as an Estimator compiled by {@code trainingConfigJson}, in the form Keras
   * saves it, e.g. {@code {"loss": "mse", "optimizer_config": {"class_name": "SGD", "config":
   * {"learning_rate": 0.01}}, "metrics": ["mae"]}}; the file's own training_config is ignored.
   */
  public static Estimator modelToEstimator(
      KerasModelFile file, String trainingConfigJson, RunConfig config) {
    return modelToEstimator(file, trainingConfigJson, config, Options.defaults());
  }

  /** {@link #modelToEstimator(KerasModelFile, RunConfig)} with {@code options}. */
  public static Estimator modelToEstimator(KerasModelFile file, RunConfig config, Options options) {
    Objects.requireNonNull(file, "file");
    return modelToEstimator(
        file,
        file.trainingConfig()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "The Keras model "
                            + file.source().getFileName()
                            + " has no training_config. Fix: compile it before saving, or pass a"
                            + " training config JSON.")),
        config,
        options);
  }

  /**
   * {@link #modelToEstimator(KerasModelFile, String, RunConfig)} with {@code options} (e.g. a
   * sample weight column).
   */
  public static Estimator modelToEstimator(
      KerasModelFile file, String trainingConfigJson, RunConfig config, Options options) {
    Objects.requireNonNull(trainingConfigJson, "trainingConfigJson");
    JsonNode training;
    try {
      training = new ObjectMapper().readTree(trainingConfigJson);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "The training config is not valid JSON: " + e.getMessage(), e);
    }
    return modelToEstimator(file, training, config, options);
  }

  private static Estimator modelToEstimator(
      KerasModelFile file, JsonNode training, RunConfig config, Options options) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(options, "options");
    KerasNetwork network = KerasNetwork.of(file);
    String source = file.source().getFileName().toString();
    KerasTrainingConfig compiled =
        KerasTrainingConfig.parse(training, network.outputNames(), source);
    if (file.weights().isEmpty()) {
      // an architecture without weights: the variables start from the Keras initializers
      return Estimator.builder(modelFn(network, compiled, options)).config(config).build();
    }
    RunConfig withDir = config;
    if (config.modelDir() == null) {
      try {
        withDir =
            config.toBuilder().modelDir(Files.createTempDirectory("estimator4j-model-")).build();
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create a temporary model_dir", e);
      }
    }
    KerasCheckpoint keras = KerasCheckpoint.ensure(network, withDir.modelDir());
    return Estimator.builder(modelFn(network, compiled, options))
        .config(withDir)
        .warmStartFrom(WarmStartSettings.from(keras.prefix()).vars(keras.variablesPattern()))
        .build();
  }

  /**
   * A raw serving input receiver with one placeholder per model input, named and keyed by the input
   * layer name, of the input's dtype and shape (batch dimension -1).
   */
  public static ServingInputReceiverFn rawServingInputReceiverFn(KerasModelFile file) {
    Map<String, TensorSpec> specs = new LinkedHashMap<>();
    for (KerasNetwork.InputSpec in : KerasNetwork.of(file).inputs()) {
      specs.put(in.name(), in.tensorSpec());
    }
    return ServingInputReceivers.raw(specs);
  }

  /** {@link #rawServingInputReceiverFn(KerasModelFile)} of the file at {@code kerasFile}. */
  public static ServingInputReceiverFn rawServingInputReceiverFn(Path kerasFile)
      throws IOException {
    return rawServingInputReceiverFn(KerasModelFile.read(kerasFile));
  }

  private static ModelFn modelFn(
      KerasNetwork network, KerasTrainingConfig compiled, Options options) {
    return ctx -> buildSpec(ctx, network, compiled, options);
  }

  private static EstimatorSpec buildSpec(
      ModelFnContext ctx, KerasNetwork network, KerasTrainingConfig compiled, Options options) {
    // the optimizer's slots and the loss build through fast sub-scopes too (names unchanged)
    Ops tf = io.estimator4j.graph.FastSubScopes.wrap(ctx.tf());
    Map<String, Operand<?>> inputs = new LinkedHashMap<>();
    for (String name : network.inputNames()) {
      Operand<?> f = ctx.features().get(name);
      if (f == null) {
        throw new IllegalArgumentException(
            "The Keras model "
                + network.file().source().getFileName()
                + " takes the inputs "
                + network.inputNames()
                + "; the input function gave no feature '"
                + name
                + "' (features present: "
                + ctx.features().keySet()
                + "). Fix: key the"
                + " features by the Keras input layer names.");
      }
      inputs.put(name, f);
    }
    // model(x, training=mode == TRAIN), as model_to_estimator's learning phase; the variables
    // start from the initializers and are warm-started from keras/keras_model.ckpt (or restored
    // from the model_dir's checkpoint), so no GraphDef holds the weights
    KerasNetwork.Applied applied = network.applyInitialized(tf, inputs, ctx.mode());
    EstimatorSpec.Builder spec = EstimatorSpec.builder(ctx.mode()).predictions(applied.outputs());
    if (ctx.mode() == ModeKeys.PREDICT) {
      return spec.build();
    }
    Map<String, Operand<?>> labels = labelsByOutput(ctx, network);
    Operand<TFloat32> sampleWeights = sampleWeights(ctx, network, options);
    Operand<TFloat32> total = null;
    Ops metricsScope = tf.withSubScope("metrics");
    boolean multi = network.outputNames().size() > 1;
    for (String out : network.outputNames()) {
      KerasTrainingConfig.Loss l = compiled.losses().get(out);
      // no Cast on a float32 output: the losses look through a final Softmax/Sigmoid to its
      // logits, as Keras does
      Operand<TFloat32> pred = asFloat32(tf, applied.outputs().get(out));
      Operand<?> label = labels.get(out);
      Operand<TFloat32> loss =
          KerasLosses.loss(tf.withSubScope("loss"), l, pred, label, out, sampleWeights);
      if (multi) {
        ctx.scalarSummary("loss/" + out, loss);
      }
      Operand<TFloat32> weighted =
          l.weight() == 1.0 ? loss : tf.math.mul(loss, tf.constant((float) l.weight()));
      total = total == null ? weighted : tf.math.add(total, weighted);
      for (String m : compiled.metrics().get(out)) {
        String key = multi ? out + "_" + m : m;
        spec.evalMetric(key, metric(metricsScope, key, m, l, pred, label));
      }
    }
    // Keras's total_loss, in TRAIN and in EVAL: the compiled losses plus model.losses
    if (!applied.regularizationLosses().isEmpty()) {
      Operand<TFloat32> reg =
          tf.withName("regularization_loss").math.addN(applied.regularizationLosses());
      ctx.scalarSummary("regularization_loss", reg);
      total = tf.math.add(total, reg);
    }
    spec.loss(total);
    if (ctx.mode() == ModeKeys.TRAIN) {
      Op minimize =
          compiled.optimizer().minimize(tf, total, applied.trainableVariables(), ctx.globalStep());
      if (applied.updates().isEmpty()) {
        spec.trainOp(minimize);
      } else {
        // Keras's train function runs the optimizer's and the layers' updates (model.updates)
        List<Op> all = new ArrayList<>(applied.updates());
        all.add(minimize);
        spec.trainOp(tf.withControlDependencies(all).withName("train_op").noOp());
      }
    }
    return spec.build();
  }

  /** The weight column as a float32 {@code [batch]} vector, or null without one. */
  private static Operand<TFloat32> sampleWeights(
      ModelFnContext ctx, KerasNetwork network, Options options) {
    if (options.weightColumn() == null) {
      return null;
    }
    Operand<?> w = ctx.features().get(options.weightColumn());
    if (w == null) {
      throw new IllegalArgumentException(
          "The weight column '"
              + options.weightColumn()
              + "' of the Keras model "
              + network.file().source().getFileName()
              + " is not among the features "
              + ctx.features().keySet()
              + ". Fix: give the input function a feature of that name with one weight per"
              + " example.");
    }
    Ops tf = ctx.tf().withSubScope("sample_weights");
    return tf.reshape(tf.dtypes.cast(castable(w), TFloat32.class), tf.constant(new int[] {-1}));
  }

  private static Map<String, Operand<?>> labelsByOutput(ModelFnContext ctx, KerasNetwork network) {
    List<String> outs = network.outputNames();
    Map<String, Operand<?>> given = ctx.labelsMap();
    if (given.isEmpty()) {
      throw new IllegalArgumentException(
          "Mode "
              + ctx.mode()
              + " needs labels; the input"
              + " function gave none. Fix: return labels keyed by the output names "
              + outs
              + ".");
    }
    if (outs.size() == 1 && given.size() == 1) {
      return Map.of(outs.get(0), given.values().iterator().next());
    }
    Map<String, Operand<?>> byOut = new LinkedHashMap<>();
    for (String out : outs) {
      Operand<?> l = given.get(out);
      if (l == null) {
        throw new IllegalArgumentException(
            "The Keras model "
                + network.file().source().getFileName()
                + " has the outputs "
                + outs
                + "; the labels have no '"
                + out
                + "' (labels present: "
                + given.keySet()
                + "). Fix: key the labels by the Keras"
                + " output layer names.");
      }
      byOut.put(out, l);
    }
    return byOut;
  }

  private static io.estimator4j.estimator.metrics.Metric metric(
      Ops tf,
      String key,
      String name,
      KerasTrainingConfig.Loss loss,
      Operand<TFloat32> pred,
      Operand<?> label) {
    long classes =
        pred.shape().numDimensions() > 1 ? pred.shape().size(pred.shape().numDimensions() - 1) : 1;
    String kind = name;
    if (name.equals("accuracy") || name.equals("acc")) {
      kind =
          switch (loss.name()) {
            case "sparse_categorical_crossentropy" -> "sparse_categorical_accuracy";
            case "categorical_crossentropy" -> "categorical_accuracy";
            case "binary_crossentropy" -> "binary_accuracy";
            default -> classes == 1 ? "binary_accuracy" : "categorical_accuracy";
          };
    }
    return switch (kind) {
      case "sparse_categorical_accuracy" ->
          Metrics.accuracy(
              tf,
              key,
              tf.reshape(
                  tf.dtypes.cast(castable(label), TInt64.class), tf.constant(new long[] {-1})),
              tf.math.argMax(pred, tf.constant(-1), TInt64.class),
              null);
      case "categorical_accuracy" ->
          Metrics.accuracy(
              tf,
              key,
              tf.math.argMax(
                  tf.dtypes.cast(castable(label), TFloat32.class), tf.constant(-1), TInt64.class),
              tf.math.argMax(pred, tf.constant(-1), TInt64.class),
              null);
      case "binary_accuracy" ->
          Metrics.accuracy(
              tf,
              key,
              KerasLosses.floatLike(tf, label, pred),
              tf.dtypes.cast(tf.math.greater(pred, tf.constant(0.5f)), TFloat32.class),
              null);
      case "mse", "mean_squared_error" ->
          Metrics.meanSquaredError(tf, key, KerasLosses.floatLike(tf, label, pred), pred, null);
      case "mae", "mean_absolute_error" ->
          Metrics.mean(
              tf,
              key,
              tf.math.abs(tf.math.sub(KerasLosses.floatLike(tf, label, pred), pred)),
              null);
      default ->
          throw new IllegalArgumentException(
              "Metric '"
                  + name
                  + "' is not supported;"
                  + " supported: "
                  + KerasTrainingConfig.METRICS
                  + ".");
    };
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32> asFloat32(Ops tf, Operand<?> t) {
    return t.type() == TFloat32.class
        ? (Operand<TFloat32>) t
        : tf.dtypes.cast(castable(t), TFloat32.class);
  }

  @SuppressWarnings("unchecked")
  static Operand<? extends TType> castable(Operand<?> t) {
    return (Operand<? extends TType>) t;
  }

  /** The logits feeding {@code output} when it is computed by {@code opType}, else null. */
  static Operand<TFloat32> inputOf(Operand<TFloat32> output, String opType) {
    if (output.op() instanceof GraphOperation g && g.type().equals(opType) && g.numInputs() == 1) {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> in = (Operand<TFloat32>) g.input(0);
      return in.type() == TFloat32.class ? in : null;
    }
    return null;
  }

  /** Sparse class ids as int32 of shape [batch]. */
  static Operand<TInt32> classIds(Ops tf, Operand<?> labels) {
    return tf.reshape(tf.dtypes.cast(castable(labels), TInt32.class), tf.constant(new int[] {-1}));
  }
}
