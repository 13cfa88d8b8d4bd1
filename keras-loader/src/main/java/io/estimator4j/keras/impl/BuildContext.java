package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.VariableWeights;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Initializers;
import io.estimator4j.io.Dims;
import io.estimator4j.keras.file.WeightArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * What every layer of one model build shares: the graph, the weight mode, the mode of the call
 * (Keras's {@code training} argument), the variables made, and what training adds to the loss and
 * train op (regularisation losses, state updates).
 */
public final class BuildContext {
  private final Graph graph;
  private final Ops root;
  private final boolean constants;
  private final boolean keras3;
  private final String source;
  private ModeKeys mode = ModeKeys.PREDICT;
  private String kerasVersion;
  private final java.util.Deque<Boolean> trainingArguments = new java.util.ArrayDeque<>();
  private int frozenCalls;
  private boolean keras1;
  private boolean theano;
  private final VariableWeights variables = new VariableWeights();
  private long parameters;
  private final List<Operand<TFloat32>> losses = new ArrayList<>();
  private final List<Op> updates = new ArrayList<>();
  private boolean dryRun;
  private Map<String, byte[]> assets = Map.of();
  private boolean fedWeights;
  private Ops loadScope;
  private final List<FedWeight> fed = new ArrayList<>();

  /**
   * A weight variable whose stored value is assigned by feeding it when the session starts; the
   * variable has no other initializer.
   *
   * @param value the placeholder to feed
   * @param assign the op that assigns it
   * @param stored the stored values
   */
  public record FedWeight(Operand<TFloat32> value, Op assign, WeightArray stored) {}

  private boolean storedInitialValues = true;

  /**
   * @param constants stored weights become constants instead of variables
   * @param keras3 the model was saved by Keras 3 (its defaults and activations differ)
   * @param source the file name, for messages
   */
  public BuildContext(Graph graph, boolean constants, boolean keras3, String source) {
    this(io.estimator4j.graph.FastSubScopes.wrap(Ops.create(graph)), constants, keras3, source);
  }

  /**
   * A build into the graph of {@code root} (e.g. an Estimator's model function scope).
   *
   * @param constants stored weights become constants instead of variables
   * @param keras3 the model was saved by Keras 3 (its defaults and activations differ)
   * @param source the file name, for messages
   */
  public BuildContext(Ops root, boolean constants, boolean keras3, String source) {
    this.graph = (Graph) root.scope().env();
    this.root = root;
    this.constants = constants;
    this.keras3 = keras3;
    this.source = source;
  }

  /**
   * Builds for {@code mode}: TRAIN calls the layers with {@code training=True} (dropout and noise
   * active, BatchNormalization on batch statistics with moving-average updates) and, like EVAL,
   * collects the regularisation losses; PREDICT (the default) builds the inference model only.
   *
   * @throws IllegalArgumentException for TRAIN on a build whose weights are constants
   */
  public BuildContext mode(ModeKeys mode) {
    if (mode != ModeKeys.PREDICT && constants) {
      throw new IllegalArgumentException(
          "A build with constant weights is inference-only; found mode " + mode + ".");
    }
    this.mode = java.util.Objects.requireNonNull(mode, "mode");
    return this;
  }

  /**
   * Records where the model was saved: {@code keras_version} (a "1." version means Keras 1 weight
   * layouts; the version also picks numbers that changed between releases, e.g. bilinear
   * UpSampling2D) and {@code backend} ("theano" means flipped convolution kernels), as Keras's own
   * loader reads them. Null when the file does not say.
   */
  public BuildContext origin(String kerasVersion, String backend) {
    this.kerasVersion = kerasVersion;
    this.keras1 = kerasVersion != null && kerasVersion.startsWith("1");
    this.theano = "theano".equals(backend);
    return this;
  }

  /**
   * A build into {@code scratch} that only records which weights the layers create (each weight is
   * a placeholder of its shape, nothing is initialised), with this build's Keras version, backend
   * and format: how the loader learns the order in which Keras lists a nested model's weights.
   */
  BuildContext dryRun(Graph scratch) {
    BuildContext dry =
        new BuildContext(
            io.estimator4j.graph.FastSubScopes.wrap(Ops.create(scratch)), false, keras3, source);
    dry.kerasVersion = kerasVersion;
    dry.keras1 = keras1;
    dry.theano = theano;
    dry.dryRun = true;
    dry.assets = assets;
    return dry;
  }

  /**
   * Builds variables that start from their Keras initializers instead of the stored weights (each
   * stored weight's shape is still checked against its layer): for a graph whose variables a
   * checkpoint of the stored weights fills, so the weights are not copied into its GraphDef.
   */
  public BuildContext initializersOnly() {
    this.storedInitialValues = false;
    return this;
  }

  /**
   * Builds weight variables that start at zeros and take their stored values from a feed (see
   * {@link #fedWeights()}), so the graph holds no weight constants: building it and starting its
   * session do not copy the weights through a GraphDef.
   */
  public BuildContext feedStoredWeights() {
    this.fedWeights = true;
    return this;
  }

  /** The weights to feed after the session's initialisation, in creation order. */
  public List<FedWeight> fedWeights() {
    return Collections.unmodifiableList(fed);
  }

  /** The files of a Keras 3 archive's {@code assets/} (path in the archive to content). */
  public BuildContext assets(Map<String, byte[]> assets) {
    this.assets = Map.copyOf(assets);
    return this;
  }

  /**
   * The UTF-8 text of asset {@code fileName} of the layer Keras 3 keys {@code keras3Key} ({@code
   * assets/layers/<key>/<fileName>}, or the one such file of a nested layer with that key).
   */
  public java.util.Optional<String> asset(String keras3Key, String fileName) {
    byte[] exact = assets.get("assets/layers/" + keras3Key + "/" + fileName);
    if (exact == null) {
      String suffix = "/" + keras3Key + "/" + fileName;
      List<String> matches =
          assets.keySet().stream().filter(k -> k.endsWith(suffix)).sorted().toList();
      if (matches.size() == 1) {
        exact = assets.get(matches.get(0));
      }
    }
    return java.util.Optional.ofNullable(exact)
        .map(b -> new String(b, java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Whether the file was saved by Keras 1. */
  boolean keras1() {
    return keras1;
  }

  /** Whether the model was trained with the Theano backend. */
  boolean theano() {
    return theano;
  }

  /** The {@code keras_version} the file was saved with, if it says. */
  public java.util.Optional<String> kerasVersion() {
    return java.util.Optional.ofNullable(kerasVersion);
  }

  /**
   * Whether the model was saved by standalone Keras 2.0 to 2.3 (versions {@code 2.0.x} to {@code
   * 2.3.x} without the {@code -tf} suffix tf.keras adds) or Keras 1, whose TensorFlow backend ran
   * on TensorFlow 1's image ops; false for tf.keras ({@code 2.2.4-tf}, {@code 2.3.0-tf}, {@code
   * 2.4.0} and later), Keras 3 and files that do not say.
   */
  public boolean standaloneKeras() {
    if (kerasVersion == null || keras3 || kerasVersion.endsWith("-tf")) {
      return false;
    }
    return kerasVersion.startsWith("1.") || kerasVersion.matches("2\\.[0-3](\\..*)?");
  }

  /**
   * Whether the layer being called runs with {@code training=True}: in TRAIN mode, unless the
   * innermost call that passed a {@code training} argument passed False (e.g. a frozen base model
   * called as {@code base(x, training=False)} for transfer learning), as Keras propagates it.
   * {@code training=True} in a call does not turn training on outside TRAIN mode: inference stays
   * deterministic.
   */
  public boolean training() {
    return mode == ModeKeys.TRAIN && (trainingArguments.isEmpty() || trainingArguments.peek());
  }

  /**
   * Runs {@code call} for a layer or nested model whose {@code trainable} flag is {@code false}:
   * the weights it creates are non-trainable (kept, checkpointed, never updated by the optimizer),
   * as Keras freezes every weight below a frozen layer.
   */
  public <T> T withTrainable(boolean trainableLayer, java.util.function.Supplier<T> call) {
    if (trainableLayer) {
      return call.get();
    }
    frozenCalls++;
    try {
      return call.get();
    } finally {
      frozenCalls--;
    }
  }

  /**
   * Runs {@code call} with the {@code training} argument a node passes ({@code kwargs.training};
   * absent or null keeps the enclosing mode).
   */
  public <T> T withTrainingArgument(JsonNode kwargs, java.util.function.Supplier<T> call) {
    JsonNode t = kwargs.path("training");
    if (!t.isBoolean()) {
      return call.get();
    }
    trainingArguments.push(t.asBoolean());
    try {
      return call.get();
    } finally {
      trainingArguments.pop();
    }
  }

  /** Whether the build is for training (its graph needs gradients). */
  public boolean trainMode() {
    return mode == ModeKeys.TRAIN;
  }

  /** Whether regularisation losses are collected (TRAIN and EVAL, which report Keras's loss). */
  public boolean collectsLosses() {
    return mode != ModeKeys.PREDICT;
  }

  /** Adds a regularisation loss (a float32 scalar), as a Keras layer's {@code add_loss}. */
  public void addLoss(Operand<TFloat32> loss) {
    losses.add(loss);
  }

  /** Adds a state update to run with every training step, as a Keras layer's {@code add_update}. */
  public void addUpdate(Op update) {
    updates.add(update);
  }

  /** The regularisation losses collected so far, in creation order. */
  public List<Operand<TFloat32>> losses() {
    return Collections.unmodifiableList(losses);
  }

  /** The state updates collected so far (e.g. moving statistics), in creation order. */
  public List<Op> updates() {
    return Collections.unmodifiableList(updates);
  }

  /** Assigns {@code value} to the variable behind {@code weight}, a read made by createWeight. */
  Op assign(Ops scope, Operand<TFloat32> weight, Operand<TFloat32> value) {
    return variables.assign(scope, weight, value);
  }

  public Graph graph() {
    return graph;
  }

  public Ops root() {
    return root;
  }

  public boolean keras3() {
    return keras3;
  }

  public String source() {
    return source;
  }

  public List<Variable<TFloat32>> trainableVariables() {
    return variables.trainableVariables();
  }

  public List<Variable<TFloat32>> nonTrainableVariables() {
    return variables.nonTrainableVariables();
  }

  /**
   * Adds {@code count} parameters (float32 values) of {@code what} to the model's total, refusing
   * the weight, or the model, when they exceed the checked reader's limit ({@link
   * Dims#checkParameters}).
   *
   * @throws IllegalArgumentException naming the weight (or the model) and the count
   */
  void countParameters(long count, String what) {
    Dims.checkParameters(count, what);
    parameters += count;
    Dims.checkParameters(parameters, "the model in " + source + ", with " + what + ",");
  }

  /**
   * Creates one weight: a constant holding the stored values (constant mode), or a variable {@code
   * <scope>/<name>} initialised to the stored values, or by {@code initializer} when the file holds
   * none.
   */
  Operand<TFloat32> createWeight(
      Ops scope,
      String name,
      Shape shape,
      Initializer initializer,
      boolean isTrainable,
      WeightArray stored) {
    if (dryRun) {
      return scope
          .withName(name)
          .placeholder(TFloat32.class, org.tensorflow.op.core.Placeholder.shape(shape));
    }
    if (stored != null && fedWeights && !constants && storedInitialValues) {
      // no initializer: the fed assign below is the variable's only initialisation, so starting
      // the session runs one graph (the feed) instead of a zeros fill and then the feed
      Operand<TFloat32> v =
          variables.getAssignedByOwner(scope, name, shape, isTrainable && frozenCalls == 0);
      if (loadScope == null) {
        loadScope = root.withSubScope("keras_weights");
      }
      Operand<TFloat32> value =
          loadScope.placeholder(TFloat32.class, org.tensorflow.op.core.Placeholder.shape(shape));
      fed.add(new FedWeight(value, variables.assign(loadScope, v, value), stored));
      return v;
    }
    if (stored != null && constants) {
      return scope.withName(name).constant(shape, DataBuffers.of(stored.values(), true, false));
    }
    Initializer init =
        stored != null && storedInitialValues ? Initializers.values(stored.values()) : initializer;
    return variables.get(scope, name, shape, init, isTrainable && frozenCalls == 0);
  }
}
