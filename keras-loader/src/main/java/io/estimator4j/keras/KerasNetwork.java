package io.estimator4j.keras;

import com.fasterxml.jackson.databind.node.MissingNode;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import io.estimator4j.keras.impl.BuildContext;
import io.estimator4j.keras.impl.KTensor;
import io.estimator4j.keras.impl.Network;
import io.estimator4j.keras.impl.WeightScope;
import io.estimator4j.savedmodel.TensorSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * A loaded Keras model that can be applied to given tensors inside any graph, as a Keras model is
 * called on tensors in a Python model function; what tf.keras.estimator.model_to_estimator builds
 * inside each Estimator graph.
 *
 * <p>Each {@link #apply} builds the layers under the caller's scope, with the weights as global
 * variables ({@code <layer>/kernel}, ...) whose initial values are the file's weights, so an
 * Estimator's checkpoints hold them and training starts from them.
 */
public final class KerasNetwork {
  /** One model input: its Keras input layer name and its dtype and shape ({@code -1} batch). */
  public record InputSpec(String name, Class<? extends TType> type, Shape shape) {
    /** The input as a {@link TensorSpec}, e.g. for a raw serving input receiver. */
    public TensorSpec tensorSpec() {
      return new TensorSpec(type, shape);
    }
  }

  /**
   * What one application built: the outputs by Keras output layer name, in output order, the weight
   * variables it created, and (in TRAIN and EVAL mode) what Keras adds to the loss and the train
   * op.
   *
   * @param regularizationLosses the layers' regularisation losses (Keras's {@code model.losses}),
   *     float32 scalars to add to the loss; empty in PREDICT mode
   * @param updates the state updates to run with every training step (Keras's {@code
   *     model.updates}: BatchNormalization's moving statistics); empty outside TRAIN mode
   */
  public record Applied(
      Map<String, Operand<?>> outputs,
      List<Variable<TFloat32>> trainableVariables,
      List<Variable<TFloat32>> nonTrainableVariables,
      List<Operand<TFloat32>> regularizationLosses,
      List<Op> updates) {
    public Applied {
      outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
      trainableVariables = List.copyOf(trainableVariables);
      nonTrainableVariables = List.copyOf(nonTrainableVariables);
      regularizationLosses = List.copyOf(regularizationLosses);
      updates = List.copyOf(updates);
    }
  }

  private final KerasModelFile file;
  private final List<InputSpec> inputs;
  private final List<String> outputNames;
  private final String source;

  private KerasNetwork(KerasModelFile file, List<InputSpec> inputs, List<String> outputNames) {
    this.file = file;
    this.inputs = List.copyOf(inputs);
    this.outputNames = List.copyOf(outputNames);
    this.source = file.source().getFileName().toString();
  }

  /**
   * Reads the architecture of {@code file} (its input and output names and input shapes).
   *
   * @throws UnsupportedKerasLayerException naming the first layer that cannot be built
   * @throws IllegalArgumentException if the config is malformed
   */
  public static KerasNetwork of(KerasModelFile file) {
    Objects.requireNonNull(file, "file");
    String source = file.source().getFileName().toString();
    try (Graph scratch = new Graph()) {
      BuildContext ctx =
          new BuildContext(
                  io.estimator4j.graph.FastSubScopes.wrap(Ops.create(scratch)),
                  true,
                  file.isKeras3(),
                  source)
              .origin(file.kerasVersion().orElse(null), file.backend().orElse(null))
              .assets(file.assets());
      Network network =
          Network.create(
              ctx,
              file.modelConfig(),
              WeightScope.shapesOf(file.weights().orElse(null)),
              ctx.root());
      List<InputSpec> specs = new ArrayList<>();
      for (Network.Input in : network.inputs()) {
        specs.add(spec(in, source));
      }
      return new KerasNetwork(file, specs, network.outputNames());
    }
  }

  /** The file this network was read from. */
  public KerasModelFile file() {
    return file;
  }

  /** The model inputs, in the model's input order. */
  public List<InputSpec> inputs() {
    return inputs;
  }

  /** The input names, in the model's input order. */
  public List<String> inputNames() {
    return inputs.stream().map(InputSpec::name).toList();
  }

  /** The output layer names, in the model's output order. */
  public List<String> outputNames() {
    return outputNames;
  }

  /**
   * Builds the model on {@code inputsByName} in the graph of {@code tf}, under its scope, with the
   * weights as variables initialised to the file's values.
   *
   * @param inputsByName one tensor per model input, keyed by input layer name; numeric tensors of
   *     another numeric type are cast to the input's type
   * @throws IllegalArgumentException for a missing input (the message lists the input names) or a
   *     tensor of the wrong rank
   */
  public Applied apply(Ops tf, Map<String, ? extends Operand<?>> inputsByName) {
    return apply(tf, inputsByName, ModeKeys.PREDICT);
  }

  /**
   * Builds the model as {@link #apply(Ops, Map)} does, called as Keras calls it in {@code mode}:
   * TRAIN is {@code model(x, training=True)} (dropout and noise layers active, BatchNormalization
   * normalising with the batch statistics and returning its moving-average {@link
   * Applied#updates()}), and TRAIN and EVAL also build the regularisation losses. PREDICT is {@link
   * #apply(Ops, Map)}.
   */
  public Applied apply(Ops tf, Map<String, ? extends Operand<?>> inputsByName, ModeKeys mode) {
    return build(tf, inputsByName, false, mode).applied();
  }

  Applied apply(Ops tf, Map<String, ? extends Operand<?>> inputsByName, boolean constants) {
    return build(tf, inputsByName, constants).applied();
  }

  /**
   * Builds the model as {@link #apply(Ops, Map, ModeKeys)} does, but its variables start from the
   * Keras initializers (the stored weights' shapes are still checked): for a graph whose variables
   * are restored or warm-started from a checkpoint of the weights, so its GraphDef holds none.
   */
  Applied applyInitialized(Ops tf, Map<String, ? extends Operand<?>> inputsByName, ModeKeys mode) {
    return build(tf, inputsByName, false, mode, true).applied();
  }

  /**
   * An application together with the network it built (its layers, for KerasSummary) and the
   * weights to feed after the session's initialisation (see {@link #buildFed}).
   */
  record Built(Applied applied, Network network, List<BuildContext.FedWeight> fed) {}

  Built build(Ops tf, Map<String, ? extends Operand<?>> inputsByName, boolean constants) {
    return build(tf, inputsByName, constants, ModeKeys.PREDICT);
  }

  /**
   * Builds for inference with variables that start at zeros, the stored values to be fed once the
   * session is initialised ({@link Built#fed()}): no weight constant enters the graph.
   */
  Built buildFed(Ops tf, Map<String, ? extends Operand<?>> inputsByName) {
    return build(tf, inputsByName, false, ModeKeys.PREDICT, false, true);
  }

  private Built build(
      Ops tf, Map<String, ? extends Operand<?>> inputsByName, boolean constants, ModeKeys mode) {
    return build(tf, inputsByName, constants, mode, false);
  }

  private Built build(
      Ops tf,
      Map<String, ? extends Operand<?>> inputsByName,
      boolean constants,
      ModeKeys mode,
      boolean initializersOnly) {
    return build(tf, inputsByName, constants, mode, initializersOnly, false);
  }

  private Built build(
      Ops tf,
      Map<String, ? extends Operand<?>> inputsByName,
      boolean constants,
      ModeKeys mode,
      boolean initializersOnly,
      boolean fedWeights) {
    Objects.requireNonNull(tf, "tf");
    // sub-scopes in time linear in the graph, not quadratic: a large model builds in seconds less
    tf = io.estimator4j.graph.FastSubScopes.wrap(tf);
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(inputsByName, "inputsByName");
    List<KTensor> args = new ArrayList<>();
    for (InputSpec in : inputs) {
      Operand<?> t = inputsByName.get(in.name());
      if (t == null) {
        throw new IllegalArgumentException(
            "Model "
                + source
                + " takes the inputs "
                + inputNames()
                + "; input '"
                + in.name()
                + "' is missing (given: "
                + inputsByName.keySet()
                + "). Fix: key each input"
                + " tensor (each feature of the input function) by the Keras input layer name.");
      }
      args.add(KTensor.of(conform(tf, in, t)));
    }
    BuildContext ctx =
        new BuildContext(tf, constants, file.isKeras3(), source)
            .mode(mode)
            .origin(file.kerasVersion().orElse(null), file.backend().orElse(null))
            .assets(file.assets());
    if (initializersOnly) {
      ctx.initializersOnly();
    }
    if (fedWeights) {
      ctx.feedStoredWeights();
    }
    Network network =
        Network.create(ctx, file.modelConfig(), WeightScope.of(file.weights().orElse(null)), tf);
    // Model(inp, inp): an output that is an input itself is fetched through a copy
    List<KTensor> results =
        Network.copyPassedThrough(tf, args, network.call(tf, args, MissingNode.getInstance()));
    Map<String, Operand<?>> outs = new LinkedHashMap<>();
    List<String> names = network.outputNames();
    for (int i = 0; i < names.size(); i++) {
      outs.put(names.get(i), results.get(i).value());
    }
    return new Built(
        new Applied(
            outs,
            ctx.trainableVariables(),
            ctx.nonTrainableVariables(),
            ctx.losses(),
            ctx.updates()),
        network,
        ctx.fedWeights());
  }

  @SuppressWarnings("unchecked")
  private Operand<?> conform(Ops tf, InputSpec in, Operand<?> t) {
    Shape s = t.shape();
    if (!s.isUnknown() && s.numDimensions() != in.shape().numDimensions()) {
      throw new IllegalArgumentException(
          "Input '"
              + in.name()
              + "' of "
              + source
              + " has shape "
              + in.shape()
              + "; found a tensor of shape "
              + s
              + ". Fix: give it rank "
              + in.shape().numDimensions()
              + " (batch first).");
    }
    if (t.type() == in.type()) {
      return t;
    }
    if (TNumber.class.isAssignableFrom(t.type()) && TNumber.class.isAssignableFrom(in.type())) {
      return tf.dtypes.cast((Operand<? extends TType>) t, (Class<? extends TNumber>) in.type());
    }
    throw new IllegalArgumentException(
        "Input '"
            + in.name()
            + "' of "
            + source
            + " takes "
            + in.type().getSimpleName()
            + " values; found "
            + t.type().getSimpleName()
            + ".");
  }

  private static InputSpec spec(Network.Input in, String source) {
    long[] dims = new long[in.shape().length + 1];
    dims[0] = -1;
    System.arraycopy(in.shape(), 0, dims, 1, in.shape().length);
    Class<? extends TType> type =
        switch (in.dtype()) {
          case "float32", "float64", "float16", "bfloat16", "mixed_float16", "mixed_bfloat16" ->
              TFloat32.class;
          case "int32", "int16", "int8", "uint8", "uint16" -> TInt32.class;
          case "int64", "uint32", "uint64" -> TInt64.class;
          case "bool" -> TBool.class;
          case "string" -> org.tensorflow.types.TString.class;
          default ->
              throw new UnsupportedKerasLayerException(
                  in.name(),
                  "InputLayer",
                  "Input '"
                      + in.name()
                      + "' in "
                      + source
                      + " has the unsupported dtype '"
                      + in.dtype()
                      + "'. Supported: floating point (computed as float32),"
                      + " integers, bool and string.");
        };
    return new InputSpec(in.name(), type, Shape.of(dims));
  }

  @Override
  public String toString() {
    return "KerasNetwork(" + source + ", inputs=" + inputNames() + ", outputs=" + outputNames + ")";
  }
}
