package io.estimator4j.keras;

import io.estimator4j.keras.impl.BuildContext;
import io.estimator4j.keras.impl.Network;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * A Keras model built as a TensorFlow graph, computing what Keras computes at inference; Java
 * counterpart of tf.keras.models.load_model followed by {@code model.predict}.
 *
 * <p>Inputs are placeholders named after the model's Keras input layers, of shape {@code [-1] +
 * batch_input_shape[1:]}; outputs are keyed by the Keras output layer names. Each layer is built by
 * the layer builders of io.estimator4j.estimator.layers under a scope named after the layer; its
 * weights become variables ({@code <layer>/kernel}, ..., initialised to the stored values so the
 * graph can be trained further) or, with {@link WeightMode#CONSTANTS}, constants. Layers holding
 * Python code (Lambda) are refused, never run.
 */
public final class KerasModel implements AutoCloseable {
  /** How stored weights enter the graph. */
  public enum WeightMode {
    /** Global variables initialised to the stored values (trainable later). */
    VARIABLES,
    /** Constants (a frozen graph). */
    CONSTANTS
  }

  private final Graph graph;
  private final Map<String, Operand<?>> inputs;
  private final Map<String, Operand<?>> outputs;
  private final List<Variable<TFloat32>> trainable;
  private final List<Variable<TFloat32>> nonTrainable;
  private final String source;
  private final Network network;
  // what each predict call feeds and fetches, worked out once (graph queries are native calls)
  private final String[] inputNames;
  private final Output<?>[] placeholders;
  private final DataType[] inputTypes;
  private final int[] inputRanks;
  private final String[] outputNames;
  private final Output<?>[] fetches;
  private final int[] slotOf;
  private volatile Session session;
  private List<BuildContext.FedWeight> fed;
  private boolean closed;

  private KerasModel(
      Graph graph,
      Map<String, Operand<?>> inputs,
      Map<String, Operand<?>> outputs,
      List<Variable<TFloat32>> trainable,
      List<Variable<TFloat32>> nonTrainable,
      String source,
      Network network,
      List<BuildContext.FedWeight> fed) {
    this.graph = graph;
    this.inputs = Collections.unmodifiableMap(inputs);
    this.outputs = Collections.unmodifiableMap(outputs);
    this.trainable = List.copyOf(trainable);
    this.nonTrainable = List.copyOf(nonTrainable);
    this.source = source;
    this.network = network;
    this.fed = List.copyOf(fed);
    int n = inputs.size();
    inputNames = new String[n];
    placeholders = new Output<?>[n];
    inputTypes = new DataType[n];
    inputRanks = new int[n];
    int i = 0;
    for (Map.Entry<String, Operand<?>> in : inputs.entrySet()) {
      inputNames[i] = in.getKey();
      placeholders[i] = in.getValue().asOutput();
      inputTypes[i] = placeholders[i].dataType();
      inputRanks[i] = placeholders[i].shape().numDimensions();
      i++;
    }
    // Result rejects a tensor fetched twice: fetch each output once
    Map<Output<?>, Integer> slots = new LinkedHashMap<>();
    outputNames = outputs.keySet().toArray(new String[0]);
    slotOf = new int[outputNames.length];
    int o = 0;
    for (Operand<?> out : outputs.values()) {
      slotOf[o++] = slots.computeIfAbsent(out.asOutput(), k -> slots.size());
    }
    fetches = slots.keySet().toArray(new Output<?>[0]);
  }

  /** Reads {@code path} (see {@link KerasModelFile#read(Path)}) and builds it with variables. */
  public static KerasModel load(Path path) throws IOException {
    return build(KerasModelFile.read(path), WeightMode.VARIABLES);
  }

  /** Builds {@code file} with its weights as variables. */
  public static KerasModel build(KerasModelFile file) {
    return build(file, WeightMode.VARIABLES);
  }

  /**
   * Builds {@code file} into a new graph.
   *
   * @throws UnsupportedKerasLayerException naming the first layer that cannot be built
   * @throws IllegalArgumentException if the weights do not fit the architecture (naming layer and
   *     weight) or the config is malformed
   */
  public static KerasModel build(KerasModelFile file, WeightMode mode) {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(mode, "mode");
    KerasNetwork network = KerasNetwork.of(file);
    Graph graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      Map<String, Operand<?>> ins = new LinkedHashMap<>();
      for (KerasNetwork.InputSpec in : network.inputs()) {
        ins.put(
            in.name(),
            tf.withName(in.name()).placeholder(in.type(), Placeholder.shape(in.shape())));
      }
      // variables take the stored values by feed once the session starts: no weight constant in
      // the graph, so building it and starting its session copy no weights through a GraphDef
      KerasNetwork.Built built =
          mode == WeightMode.CONSTANTS ? network.build(tf, ins, true) : network.buildFed(tf, ins);
      KerasNetwork.Applied applied = built.applied();
      return new KerasModel(
          graph,
          ins,
          new LinkedHashMap<>(applied.outputs()),
          applied.trainableVariables(),
          applied.nonTrainableVariables(),
          file.source().getFileName().toString(),
          built.network(),
          built.fed());
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
  }

  /** The network as built: its layers and their output tensors (for {@link KerasSummary}). */
  Network network() {
    return network;
  }

  /** The file name the model was read from. */
  String source() {
    return source;
  }

  /**
   * The graph holding the model. With {@link WeightMode#VARIABLES} its weight variables have no
   * initializer of their own: they take the stored values when {@link #session()} starts (fed in
   * that session's first run, so that no weight constant is copied through the graph and no
   * throw-away initial value is computed): run the graph through that session, or restore a
   * checkpoint into your own ({@code Session.initialize()} alone leaves them uninitialised).
   */
  public Graph graph() {
    checkOpen();
    return graph;
  }

  /** The input placeholders by Keras input layer name, in the model's input order. */
  public Map<String, Operand<?>> inputs() {
    return inputs;
  }

  /** The output tensors by Keras output layer name, in the model's output order. */
  public Map<String, Operand<?>> outputs() {
    return outputs;
  }

  /** The trainable weight variables (empty with constants), in layer order. */
  public List<Variable<TFloat32>> trainableVariables() {
    return trainable;
  }

  /** The non-trainable weight variables (BatchNormalization's moving statistics). */
  public List<Variable<TFloat32>> nonTrainableVariables() {
    return nonTrainable;
  }

  /** The session {@link #predict} uses, created and initialised on first use. */
  public synchronized Session session() {
    checkOpen();
    if (session == null) {
      // the Estimator's session options (grappler's meta optimizer makes one pass, not two: a third
      // off InceptionV3's first predict), and each run's graph pruned to its feeds and fetches
      // before TensorFlow optimises and places it, so that neither the weight-feeding run nor the
      // first predict optimises the other's nodes: InceptionV3's session start 0.16 -> 0.06 s, its
      // first predict 0.30 -> 0.11 s, and per call equal or up to 23 % faster on 32 Keras.js and
      // dl4j cases alternating call by call with the plain options (BENCHMARKS.md, issue 12)
      org.tensorflow.proto.ConfigProto defaults =
          io.estimator4j.estimator.config.RunConfig.defaultSessionConfig();
      org.tensorflow.proto.ConfigProto cfg =
          defaults.toBuilder()
              .setGraphOptions(defaults.getGraphOptions().toBuilder().setPlacePrunedGraph(true))
              .build();
      Session s = new Session(graph, cfg);
      try {
        s.initialize();
        loadWeights(s);
      } catch (RuntimeException e) {
        s.close();
        throw e;
      }
      session = s;
    }
    return session;
  }

  /** Assigns the stored weights to their variables, one run feeding them all. */
  private void loadWeights(Session s) {
    if (fed.isEmpty()) {
      return;
    }
    Session.Runner runner = s.runner();
    List<Tensor> values = new java.util.ArrayList<>();
    try {
      for (BuildContext.FedWeight w : fed) {
        TFloat32 t =
            TFloat32.tensorOf(
                w.stored().shape(),
                org.tensorflow.ndarray.buffer.DataBuffers.of(w.stored().values(), true, false));
        values.add(t);
        runner.feed(w.value(), t).addTarget(w.assign());
      }
      runner.run().close();
    } finally {
      values.forEach(Tensor::close);
    }
    fed = List.of();
  }

  /**
   * Runs the model: feeds each input by its Keras name and fetches every output.
   *
   * @param feeds one tensor per model input, keyed by input layer name
   * @return one tensor per output, keyed by output layer name (the caller closes them)
   * @throws IllegalArgumentException for a missing or unknown input, or a tensor of the wrong type
   *     or rank
   */
  public Map<String, Tensor> predict(Map<String, ? extends Tensor> feeds) {
    checkOpen();
    Set<String> expected = inputs.keySet();
    if (!feeds.keySet().equals(expected)) {
      throw new IllegalArgumentException(
          "Model " + source + " takes inputs " + expected + "; found " + feeds.keySet() + ".");
    }
    Session s = session;
    Session.Runner runner = (s != null ? s : session()).runner();
    for (int i = 0; i < inputNames.length; i++) {
      Tensor t = feeds.get(inputNames[i]);
      if (t.dataType() != inputTypes[i]) {
        throw new IllegalArgumentException(
            "Input '"
                + inputNames[i]
                + "' of "
                + source
                + " takes "
                + placeholders[i].type().getSimpleName()
                + " values; found "
                + t.dataType()
                + ".");
      }
      if (t.shape().numDimensions() != inputRanks[i]) {
        throw new IllegalArgumentException(
            "Input '"
                + inputNames[i]
                + "' of "
                + source
                + " has shape "
                + placeholders[i].shape()
                + "; found a tensor of shape "
                + t.shape()
                + ".");
      }
      runner.feed(placeholders[i], t);
    }
    for (Output<?> fetch : fetches) {
      runner.fetch(fetch);
    }
    // The fetched tensors go to the caller as they are (no copy): the Result is not closed, the
    // caller closes each tensor. Only an output named twice gets a copy, so that every returned
    // tensor is closed once.
    Result r = runner.run();
    Map<String, Tensor> result = new LinkedHashMap<>();
    boolean[] handedOut = new boolean[fetches.length];
    for (int i = 0; i < outputNames.length; i++) {
      int slot = slotOf[i];
      Tensor t = r.get(slot);
      result.put(outputNames[i], handedOut[slot] ? copy(t) : t);
      handedOut[slot] = true;
    }
    return result;
  }

  private static Tensor copy(Tensor t) {
    return copyOf(((TType) t).type(), t);
  }

  private static <T extends TType> T copyOf(Class<T> type, Tensor t) {
    return Tensor.of(type, t.shape(), t.asRawTensor().data());
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("This KerasModel (" + source + ") is closed.");
    }
  }

  /** Closes the session and the graph. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (session != null) {
      session.close();
    }
    graph.close();
  }

  @Override
  public String toString() {
    return "KerasModel("
        + source
        + ", inputs="
        + inputs.keySet()
        + ", outputs="
        + outputs.keySet()
        + ")";
  }
}
