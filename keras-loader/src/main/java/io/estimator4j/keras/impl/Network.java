package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estimator4j.io.Dims;
import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.tensorflow.op.Ops;

/**
 * A Keras Sequential or Functional model as a {@link KerasLayer}: the top-level model, or a model
 * nested in another. Its layers are created once, in config order (so each gets its own scope and
 * keeps its weights across calls); each call wires them as the config's inbound nodes say.
 */
public final class Network implements KerasLayer {
  /** An input of the network: Keras name, shape without the batch, dtype. */
  public record Input(String name, long[] shape, String dtype) {}

  private record Ref(String layer, int node, int tensor) {}

  private record Node(List<Ref> refs, JsonNode kwargs) {}

  /**
   * One layer of the network as built, what a summary shows of it.
   *
   * @param name the Keras layer name
   * @param className the Keras class name
   * @param trainable the layer's {@code trainable} flag (Keras counts the weights of a frozen layer
   *     as non-trainable)
   * @param inbound the tensors its calls consume, as {@code layer[node][tensor]}
   * @param calls the output tensors of each call, in call order (none for an InputLayer)
   * @param trainableParams the values in its trainable weights (0 for a nested model: see {@code
   *     nested})
   * @param nonTrainableParams the values in its non-trainable weights
   * @param nested the nested model when the layer is one, else null
   */
  public record Layer(
      String name,
      String className,
      boolean trainable,
      List<String> inbound,
      List<List<KTensor>> calls,
      long trainableParams,
      long nonTrainableParams,
      Network nested) {}

  /**
   * One weight of a nested model in the order Keras lists them: the path of the layer that owns it
   * (layer names below the nested model), its position among the weights that layer creates, its
   * shape and name.
   */
  public record Slot(
      List<String> path, int index, org.tensorflow.ndarray.Shape shape, String name) {
    @Override
    public String toString() {
      return String.join("/", path) + "/" + name + java.util.Arrays.toString(shape.asArray());
    }
  }

  private static final class Entry {
    final String name;
    final String className;
    final List<Node> nodes = new ArrayList<>();
    final List<List<KTensor>> outputs = new ArrayList<>();
    boolean trainable = true;

    /** Whether the config was written by Keras 1 (so are its weights). */
    boolean legacy;

    KerasLayer layer;
    LoadedWeights weights;
    Ops scope;
    int calls;
    int nodeOffset;

    Entry(String name, String className) {
      this.name = name;
      this.className = className;
    }
  }

  private final BuildContext build;
  private final String name;
  private final boolean sequential;
  private final List<Input> inputs = new ArrayList<>();
  private final List<Ref> outputs = new ArrayList<>();
  private final Map<String, Entry> entries = new LinkedHashMap<>();

  /** When the input shape was partly guessed from weights: the hint for a failing build. */
  private String inputGuess;

  private Network(BuildContext build, String name, boolean sequential) {
    this.build = build;
    this.name = name;
    this.sequential = sequential;
  }

  /** The class names that denote a model. */
  public static boolean isModel(String className) {
    return className.equals("Sequential")
        || className.equals("Model")
        || className.equals("Functional");
  }

  /**
   * Creates the network of a model spec ({@code {"class_name": ..., "config": ...}}), with its
   * layers under {@code scope}.
   */
  public static Network create(BuildContext build, JsonNode spec, WeightScope weights, Ops scope) {
    String cls = spec.path("class_name").asText();
    JsonNode config = spec.path("config");
    if (cls.equals("Sequential")) {
      return sequential(build, config, weights, scope, spec.path("build_config"));
    }
    if (cls.equals("Model") || cls.equals("Functional")) {
      return functional(build, config, weights, scope);
    }
    if (cls.isEmpty() && spec.has("layers")) {
      // a bare model config (model.get_config() dumped without its class): functional when it
      // lists its inputs, else sequential
      return spec.has("input_layers")
          ? functional(build, spec, weights, scope)
          : sequential(build, spec, weights, scope, MissingNode.getInstance());
    }
    if (cls.isEmpty() && spec.isArray()) {
      // Keras 1: the Sequential's layer list
      return sequential(build, spec, weights, scope, MissingNode.getInstance());
    }
    throw new UnsupportedKerasLayerException(
        spec.path("config").path("name").asText(cls),
        cls,
        "The model in "
            + build.source()
            + " is a '"
            + cls
            + "'; expected Sequential or a"
            + " functional Model (subclassed models hold Python code and cannot be loaded).");
  }

  public String name() {
    return name;
  }

  public List<Input> inputs() {
    return inputs;
  }

  /** Whether the model is a Sequential one. */
  public boolean isSequential() {
    return sequential;
  }

  /** The layers in config order (a functional model's InputLayers included), as built so far. */
  public List<Layer> layers() {
    List<Layer> out = new ArrayList<>();
    for (Entry e : entries.values()) {
      List<String> inbound = new ArrayList<>();
      for (Node n : e.nodes) {
        for (Ref r : n.refs()) {
          inbound.add(r.layer() + "[" + r.node() + "][" + r.tensor() + "]");
        }
      }
      out.add(
          new Layer(
              e.name,
              Keras3OpsMappers.displayName(e.className),
              e.trainable,
              List.copyOf(inbound),
              List.copyOf(e.outputs),
              e.weights == null ? 0 : e.weights.trainableParams(),
              e.weights == null ? 0 : e.weights.nonTrainableParams(),
              e.layer instanceof Network n ? n : null));
    }
    return out;
  }

  /** The output layer names, in output order (made unique when a layer gives several). */
  public List<String> outputNames() {
    List<String> names = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (Ref r : outputs) {
      int n = seen.merge(r.layer(), 1, Integer::sum);
      names.add(n == 1 ? r.layer() : r.layer() + "_" + (n - 1));
    }
    return names;
  }

  private static Network sequential(
      BuildContext build,
      JsonNode config,
      WeightScope weights,
      Ops scope,
      JsonNode modelBuildConfig) {
    JsonNode layers = config.isArray() ? config : config.path("layers");
    String modelName = config.isArray() ? "sequential" : config.path("name").asText("sequential");
    Network net = new Network(build, modelName, true);
    if (layers.size() == 0) {
      throw new IllegalArgumentException(
          "The Sequential model in " + build.source() + " has no layers.");
    }
    JsonNode first = layers.get(0);
    JsonNode firstConfig = first.path("config");
    int start = 0;
    String inputName;
    if (first.path("class_name").asText().equals("InputLayer")) {
      inputName = firstConfig.path("name").asText();
      start = 1;
    } else {
      inputName = firstConfig.path("name").asText("layer") + "_input";
    }
    long[] shape =
        batchShape(
            firstConfig, "layer '" + firstConfig.path("name").asText() + "' in " + build.source());
    if (shape == null && !config.isArray()) {
      SequentialInput.Found found =
          SequentialInput.infer(modelBuildConfig, config, LegacyKeras.translate(first), weights);
      if (found != null) {
        shape = found.shape();
        if (found.guessed()) {
          net.inputGuess =
              "The input shape of Sequential model '"
                  + modelName
                  + "' was inferred from "
                  + found.source()
                  + " as "
                  + shapeText(shape)
                  + " (the file does not say the other dimensions). Fix: give the shape with"
                  + " KerasModelFile.withInputShape(\""
                  + inputName
                  + "\", ...).";
        }
      }
    }
    if (shape == null) {
      throw new IllegalArgumentException(
          "The Sequential model '"
              + modelName
              + "' in "
              + build.source()
              + " does not say its input shape (no batch_input_shape on its first layer, no"
              + " build_input_shape or build_config, no weights that fix it); Keras itself"
              + " cannot build it before it sees data. Fix: give the shape with"
              + " KerasModelFile.withInputShape(\""
              + inputName
              + "\", ...).");
    }
    net.inputs.add(new Input(inputName, shape, dtype(firstConfig)));
    Map<String, Integer> keras3Counts = new HashMap<>();
    String previous = inputName;
    for (int i = start; i < layers.size(); i++) {
      JsonNode spec = LegacyKeras.translate(layers.get(i));
      String cls = spec.path("class_name").asText();
      String layerName = spec.path("config").path("name").asText(cls.toLowerCase() + "_" + i);
      Entry e = new Entry(layerName, cls);
      e.legacy = spec != layers.get(i);
      e.nodes.add(new Node(List.of(new Ref(previous, 0, 0)), MissingNode.getInstance()));
      net.entries.put(layerName, e);
      net.createLayer(e, spec, weights, scope, keras3Key(cls, keras3Counts));
      previous = layerName;
    }
    net.outputs.add(new Ref(previous, 0, 0));
    return net;
  }

  private static Network functional(
      BuildContext build, JsonNode config, WeightScope weights, Ops scope) {
    Network net = new Network(build, config.path("name").asText("model"), false);
    Map<String, Integer> keras3Counts = new HashMap<>();
    Map<String, JsonNode> inputSpecs = new HashMap<>();
    for (JsonNode raw : config.path("layers")) {
      JsonNode spec = LegacyKeras.translate(raw);
      String cls = Keras3OpsMappers.className(spec);
      String layerName = spec.path("name").asText(spec.path("config").path("name").asText());
      Entry e = new Entry(layerName, cls);
      e.legacy = spec != raw;
      for (JsonNode node : spec.path("inbound_nodes")) {
        try {
          e.nodes.add(parseNode(node));
        } catch (IllegalArgumentException ex) {
          throw new IllegalArgumentException(
              "Layer '" + layerName + "' in " + build.source() + ": " + ex.getMessage(), ex);
        }
      }
      net.entries.put(layerName, e);
      if (cls.equals("InputLayer")) {
        inputSpecs.put(layerName, spec.path("config"));
        keras3Key(cls, keras3Counts);
      } else {
        net.createLayer(e, spec, weights, scope, keras3Key(cls, keras3Counts));
      }
    }
    for (Ref r : refs(config.path("input_layers"))) {
      JsonNode spec = inputSpecs.get(r.layer());
      if (spec == null) {
        throw new IllegalArgumentException(
            "The model in "
                + build.source()
                + " lists input '"
                + r.layer()
                + "' but has no InputLayer of that name.");
      }
      long[] shape = batchShape(spec, "InputLayer '" + r.layer() + "' in " + build.source());
      if (shape == null) {
        throw new IllegalArgumentException(
            "InputLayer '" + r.layer() + "' in " + build.source() + " has no batch_input_shape.");
      }
      net.inputs.add(new Input(r.layer(), shape, dtype(spec)));
    }
    net.outputs.addAll(refs(config.path("output_layers")));
    net.computeNodeOffsets();
    return net;
  }

  private void createLayer(
      Entry e, JsonNode spec, WeightScope weights, Ops scope, String keras3Key) {
    JsonNode cfg = spec.path("config");
    e.trainable = cfg.path("trainable").asBoolean(true);
    LayerConfig lc = new LayerConfig(e.name, e.className, cfg, build.keras3(), build.source());
    e.scope = scope.withSubScope(safeScopeName(e.name));
    if (isModel(e.className)) {
      boolean trainable = e.trainable;
      WeightScope nestedModel =
          weights.nestedModel(
              e.name,
              keras3Key,
              "model '" + e.name + "' in " + build.source(),
              () -> dryRunOrder(spec, trainable));
      Network inner = create(build, spec, nestedModel, e.scope);
      e.layer = inner;
      e.weights = new LoadedWeights(build, lc, null);
      return;
    }
    WeightScope nested = weights.nested(e.name, keras3Key);
    e.weights =
        new LoadedWeights(
            build,
            lc,
            LegacyKeras.weights(
                e.className,
                cfg,
                weights.layer(e.name, keras3Key),
                e.legacy || build.keras1(),
                build.theano()));
    e.layer =
        LayerRegistry.create(new LayerContext(build, lc, e.weights, nested, keras3Key, e.scope));
  }

  /**
   * The order in which Keras lists the weights of the nested model {@code spec} (its {@code
   * weights} as a layer with flag {@code trainable}): builds it once into a scratch graph,
   * recording the weights each layer creates, and orders them as Keras does. Keras 2 files store a
   * nested model's weights as one list in that order and load them by position, not by name.
   */
  private List<Slot> dryRunOrder(JsonNode spec, boolean trainable) {
    try (org.tensorflow.Graph scratch = new org.tensorflow.Graph()) {
      BuildContext dry = build.dryRun(scratch);
      Ops tf = dry.root();
      Network n = create(dry, spec, WeightScope.none(), tf);
      List<KTensor> args = new ArrayList<>();
      for (Input in : n.inputs) {
        long[] dims = new long[in.shape().length + 1];
        dims[0] = -1;
        System.arraycopy(in.shape(), 0, dims, 1, in.shape().length);
        Class<? extends org.tensorflow.types.family.TType> type =
            switch (in.dtype()) {
              case "int32", "int16", "int8", "uint8", "uint16" -> org.tensorflow.types.TInt32.class;
              case "int64", "uint32", "uint64" -> org.tensorflow.types.TInt64.class;
              case "bool" -> org.tensorflow.types.TBool.class;
              case "string" -> org.tensorflow.types.TString.class;
              default -> org.tensorflow.types.TFloat32.class;
            };
        args.add(
            KTensor.of(
                tf.placeholder(
                    type,
                    org.tensorflow.op.core.Placeholder.shape(
                        org.tensorflow.ndarray.Shape.of(dims)))));
      }
      n.call(tf, args, MissingNode.getInstance());
      List<Slot> t = new ArrayList<>();
      List<Slot> nt = new ArrayList<>();
      n.kerasOrder(List.of(), trainable, build.standaloneKeras(), t, nt);
      t.addAll(nt);
      return t;
    }
  }

  /**
   * Appends this network's weights, as a layer with flag {@code trainable}, to its {@code
   * trainable_weights} and {@code non_trainable_weights} (tf-keras {@code base_layer}): a trainable
   * layer lists its own trainable weights then its children's, a frozen one lists nothing as
   * trainable and all its weights, child by child, as non-trainable; standalone Keras 2.2's frozen
   * {@code Network} lists all its layers' trainable weights, then all their non-trainable ones.
   * Each layer's own saved {@code trainable} flag is used, as Keras does.
   */
  private void kerasOrder(
      List<String> prefix,
      boolean trainable,
      boolean standalone,
      List<Slot> trainableOut,
      List<Slot> nonTrainableOut) {
    List<Slot> t = new ArrayList<>();
    List<Slot> nt = new ArrayList<>();
    List<Slot> childByChild = new ArrayList<>();
    for (Entry e : entries.values()) {
      List<String> path = new ArrayList<>(prefix);
      path.add(e.name);
      List<Slot> ct = new ArrayList<>();
      List<Slot> cnt = new ArrayList<>();
      if (e.layer instanceof Network n) {
        n.kerasOrder(List.copyOf(path), e.trainable, standalone, ct, cnt);
      } else if (e.weights != null) {
        List<Slot> ownT = new ArrayList<>();
        List<Slot> ownNt = new ArrayList<>();
        List<LoadedWeights.Request> rs = e.weights.requests();
        for (int i = 0; i < rs.size(); i++) {
          Slot s = new Slot(List.copyOf(path), i, rs.get(i).shape(), rs.get(i).name());
          (rs.get(i).trainable() ? ownT : ownNt).add(s);
        }
        if (e.trainable) {
          ct.addAll(ownT);
          cnt.addAll(ownNt);
        } else {
          cnt.addAll(ownT);
          cnt.addAll(ownNt);
        }
      }
      t.addAll(ct);
      nt.addAll(cnt);
      childByChild.addAll(ct);
      childByChild.addAll(cnt);
    }
    if (trainable) {
      trainableOut.addAll(t);
      nonTrainableOut.addAll(nt);
    } else if (standalone) {
      nonTrainableOut.addAll(t);
      nonTrainableOut.addAll(nt);
    } else {
      nonTrainableOut.addAll(childByChild);
    }
  }

  private static final Pattern VALID_SCOPE = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-]*");

  private static String safeScopeName(String name) {
    if (VALID_SCOPE.matcher(name).matches()) {
      return name;
    }
    String s = name.replaceAll("[^A-Za-z0-9_.\\-]", "_");
    return s.isEmpty() || s.startsWith("_") || s.startsWith("-") ? "layer" + s : s;
  }

  /**
   * A nested functional model's first node is its own construction, which newer Keras leaves out of
   * the outer config: its references then start at node 1.
   */
  private void computeNodeOffsets() {
    Map<String, Integer> maxRef = new HashMap<>();
    for (Entry e : entries.values()) {
      for (Node n : e.nodes) {
        for (Ref r : n.refs()) {
          maxRef.merge(r.layer(), r.node(), Math::max);
        }
      }
    }
    for (Ref r : outputs) {
      maxRef.merge(r.layer(), r.node(), Math::max);
    }
    for (Entry e : entries.values()) {
      Integer max = maxRef.get(e.name);
      if (max != null && isModel(e.className) && max == e.nodes.size()) {
        e.nodeOffset = 1;
      }
    }
  }

  @Override
  public List<KTensor> call(Ops scope, List<KTensor> callInputs, JsonNode kwargs) {
    if (callInputs.size() != inputs.size()) {
      throw new IllegalArgumentException(
          "Model '"
              + name
              + "' in "
              + build.source()
              + " takes "
              + inputs.size()
              + " inputs; it was called with "
              + callInputs.size()
              + ".");
    }
    Map<String, List<KTensor>> produced = new HashMap<>();
    for (int i = 0; i < inputs.size(); i++) {
      produced.put(key(inputs.get(i).name(), 0), List.of(callInputs.get(i)));
    }
    List<Entry> order = new ArrayList<>(entries.values());
    List<int[]> pending = new ArrayList<>();
    for (int i = 0; i < order.size(); i++) {
      Entry e = order.get(i);
      if (!e.className.equals("InputLayer")) {
        for (int n = 0; n < e.nodes.size(); n++) {
          pending.add(new int[] {i, n});
        }
      }
    }
    while (!pending.isEmpty()) {
      boolean progress = false;
      List<int[]> still = new ArrayList<>();
      for (int[] p : pending) {
        Entry e = order.get(p[0]);
        Node node = e.nodes.get(p[1]);
        List<KTensor> args = new ArrayList<>();
        boolean ready = true;
        for (Ref r : node.refs()) {
          KTensor t = lookup(produced, r);
          if (t == null) {
            ready = false;
            break;
          }
          args.add(t);
        }
        if (!ready) {
          still.add(p);
          continue;
        }
        produced.put(key(e.name, p[1]), callLayer(e, args, node.kwargs()));
        progress = true;
      }
      if (!progress) {
        int[] p = still.get(0);
        Entry e = order.get(p[0]);
        throw new IllegalArgumentException(
            "Layer '"
                + e.name
                + "' of model '"
                + name
                + "' in "
                + build.source()
                + " takes inputs that no layer produces: "
                + e.nodes.get(p[1]).refs()
                + ".");
      }
      pending = still;
    }
    List<KTensor> out = new ArrayList<>();
    for (Ref r : outputs) {
      KTensor t = lookup(produced, r);
      if (t == null) {
        throw new IllegalArgumentException(
            "Model '"
                + name
                + "' in "
                + build.source()
                + " names output "
                + r
                + " that no layer produces.");
      }
      out.add(t);
    }
    return out;
  }

  private List<KTensor> callLayer(Entry e, List<KTensor> args, JsonNode kwargs) {
    Ops callScope = e.calls == 0 ? e.scope : e.scope.withSubScope("call_" + e.calls);
    e.calls++;
    e.weights.beginCall();
    List<KTensor> out;
    try {
      out =
          build.withTrainable(
              e.trainable,
              () ->
                  build.withTrainingArgument(kwargs, () -> e.layer.call(callScope, args, kwargs)));
    } catch (IllegalArgumentException | org.tensorflow.exceptions.TensorFlowException ex) {
      if (inputGuess == null) {
        throw ex;
      }
      throw new IllegalArgumentException(ex.getMessage() + " " + inputGuess, ex);
    }
    e.weights.endCall(callScope, out);
    out = copyPassedThrough(callScope, args, out);
    e.outputs.add(List.copyOf(out));
    return out;
  }

  /**
   * Outputs that are one of the call's inputs unchanged (Activation('linear'), Dropout or
   * GaussianNoise at inference, Identity) become a copy, as Keras's {@code
   * Layer._set_connectivity_metadata} wraps them in {@code tf.identity}: a model output must not be
   * the fed placeholder itself (TensorFlow refuses a tensor that is "both fed and fetched").
   */
  public static List<KTensor> copyPassedThrough(Ops scope, List<KTensor> args, List<KTensor> out) {
    List<KTensor> copied = null;
    for (int i = 0; i < out.size(); i++) {
      KTensor o = out.get(i);
      if (o.value() != null && isAmong(o.value(), args)) {
        if (copied == null) {
          copied = new ArrayList<>(out);
        }
        copied.set(i, new KTensor(scope.identity(o.value()), o.mask()));
      }
    }
    return copied == null ? out : copied;
  }

  private static boolean isAmong(org.tensorflow.Operand<?> v, List<KTensor> args) {
    for (KTensor a : args) {
      if (a.value() != null && a.value().asOutput().equals(v.asOutput())) {
        return true;
      }
    }
    return false;
  }

  private KTensor lookup(Map<String, List<KTensor>> produced, Ref r) {
    Entry e = entries.get(r.layer());
    int node = r.node();
    if (e != null) {
      if (e.className.equals("InputLayer")) {
        node = 0;
      } else {
        node -= e.nodeOffset;
      }
    } else if (!sequential) {
      throw new IllegalArgumentException(
          "Model '"
              + name
              + "' in "
              + build.source()
              + " refers to layer '"
              + r.layer()
              + "', which it does not define.");
    }
    List<KTensor> ts = produced.get(key(r.layer(), node));
    if (ts == null) {
      return null;
    }
    if (r.tensor() >= ts.size()) {
      throw new IllegalArgumentException(
          "Layer '"
              + r.layer()
              + "' in "
              + build.source()
              + " has "
              + ts.size()
              + " outputs; output "
              + r.tensor()
              + " is referenced.");
    }
    return ts.get(r.tensor());
  }

  private static String key(String layer, int node) {
    return layer + "#" + node;
  }

  /** Keras 2: [[name, node, tensor, kwargs], ...]; Keras 3: {"args": [...], "kwargs": {...}}. */
  private static Node parseNode(JsonNode node) {
    List<Ref> refs = new ArrayList<>();
    if (node.isObject()) {
      collectKerasTensors(node.path("args"), refs);
      JsonNode kwargs = node.path("kwargs");
      // tensors passed by keyword (initial_state, mask ...) follow the positional ones
      for (var f : kwargs.properties()) {
        if (isTensorKeyword(f.getKey())) {
          collectKerasTensors(f.getValue(), refs);
        }
      }
      // Keras 3 operations (x + 1, ops.mean(x, axis=1)) also need the constants among the args
      ObjectNode withArgs =
          kwargs.isObject()
              ? ((ObjectNode) kwargs).deepCopy()
              : com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      withArgs.set(ARGS, node.path("args"));
      return new Node(refs, withArgs);
    }
    JsonNode kwargs = MissingNode.getInstance();
    // layers that keep their input's structure (TFOpLambda) write one tensor as the node itself
    List<JsonNode> entries = new ArrayList<>();
    if (node.isArray() && node.size() >= 3 && !node.get(0).isArray()) {
      entries.add(node);
    } else {
      node.forEach(entries::add);
    }
    for (JsonNode r : entries) {
      if (!r.isArray() || r.size() < 3 || !r.get(0).isTextual()) {
        throw new IllegalArgumentException(
            "Unsupported inbound node entry "
                + r
                + ": a layer's first argument must be a Keras tensor (constants there are not"
                + " supported).");
      }
      refs.add(ref(r.get(0), r.get(1), r.get(2)));
      if (r.size() > 3 && r.get(3).isObject() && r.get(3).size() > 0) {
        kwargs = r.get(3);
      }
    }
    // Keras 2 keeps only the first argument positional; tensors passed as other arguments
    // (MultiHeadAttention's value, key, attention_mask) are [layer, node, tensor] in the kwargs
    for (var f : kwargs.properties()) {
      if (isTensorKeyword(f.getKey())) {
        collectKerasTensors(f.getValue(), refs);
      }
    }
    return new Node(refs, kwargs);
  }

  /** The key under which a Keras 3 node's positional arguments reach its layer's kwargs. */
  static final String ARGS = "__args__";

  /**
   * Whether the tensors of keyword argument {@code key} are among the call's inputs: all but {@code
   * mask} (masks travel with the tensors) and the copy of the positional arguments.
   */
  static boolean isTensorKeyword(String key) {
    return !key.equals("mask") && !key.equals(ARGS);
  }

  /**
   * The number of Keras tensors an argument of a node holds: Keras 3 {@code __keras_tensor__}
   * objects, Keras 2 {@code [layer, node, tensor]} triples, or lists of them. The parser appends
   * the tensors of every argument but {@code mask} to the node's inputs, in the arguments' order.
   */
  static int tensorCount(JsonNode v) {
    List<Ref> refs = new ArrayList<>();
    collectKerasTensors(v, refs);
    return refs.size();
  }

  private static void collectKerasTensors(JsonNode v, List<Ref> refs) {
    if (isKeras2TensorRef(v)) {
      refs.add(ref(v.get(0), v.get(1), v.get(2)));
    } else if (v.isArray()) {
      for (JsonNode e : v) {
        collectKerasTensors(e, refs);
      }
    } else if (v.isObject()) {
      if (v.path("class_name").asText().equals("__keras_tensor__")) {
        JsonNode h = v.path("config").path("keras_history");
        refs.add(ref(h.get(0), h.get(1), h.get(2)));
      }
    }
  }

  /** {@code [layer_name, node_index, tensor_index]} as Keras 2 writes a tensor argument. */
  private static boolean isKeras2TensorRef(JsonNode v) {
    return v.isArray()
        && v.size() == 3
        && v.get(0).isTextual()
        && v.get(1).isIntegralNumber()
        && v.get(2).isIntegralNumber();
  }

  /** [[name, node, tensor], ...] or a single [name, node, tensor]. */
  private static List<Ref> refs(JsonNode v) {
    List<Ref> out = new ArrayList<>();
    if (v.isArray() && v.size() > 0 && v.get(0).isTextual()) {
      out.add(ref(v.get(0), v.path(1), v.path(2)));
      return out;
    }
    for (JsonNode r : v) {
      out.add(ref(r.get(0), r.path(1), r.path(2)));
    }
    return out;
  }

  /** A reference {@code [layer, node, tensor]}; the indices go through the checked reader. */
  private static Ref ref(JsonNode layer, JsonNode node, JsonNode tensor) {
    String name = layer == null ? "null" : layer.asText();
    return new Ref(name, index(node, name, "node"), index(tensor, name, "tensor"));
  }

  private static int index(JsonNode v, String layer, String kind) {
    if (v == null || v.isMissingNode()) {
      return 0;
    }
    return Dims.count(
        v, 0, "the " + kind + " index of a reference to layer '" + layer + "'", LayerConfig.FIX);
  }

  /**
   * batch_input_shape (Keras 2) or batch_shape (Keras 3) without the batch; null if absent. {@code
   * where} names the layer and file for messages.
   */
  static long[] batchShape(JsonNode config, String where) {
    String key = "batch_input_shape";
    JsonNode s = config.get(key);
    if (s == null || s.isNull()) {
      key = "batch_shape";
      s = config.get(key);
    }
    if (s != null && !s.isNull()) {
      long[] full = toShape(s, "setting '" + key + "' of " + where);
      if (full.length == 0) {
        throw new IllegalArgumentException(
            "Setting '"
                + key
                + "' of "
                + where
                + " is [], which"
                + " lacks the batch dimension. "
                + LayerConfig.FIX);
      }
      long[] out = new long[full.length - 1];
      System.arraycopy(full, 1, out, 0, out.length);
      return out;
    }
    JsonNode in = config.get("input_shape");
    if (in != null && in.isArray()) {
      return toShape(in, "setting 'input_shape' of " + where);
    }
    return null;
  }

  /** A shape with its batch dimension ({@code [null, 6, 6, 3]}) without it; null if absent. */
  static long[] withoutBatch(JsonNode s, String what) {
    long[] full = toShape(s, what);
    return full == null || full.length == 0 ? null : Arrays.copyOfRange(full, 1, full.length);
  }

  private static String shapeText(long[] shape) {
    StringBuilder b = new StringBuilder("(None");
    for (long d : shape) {
      b.append(", ").append(d < 0 ? "None" : Long.toString(d));
    }
    return b.append(")").toString();
  }

  /** A shape (None = -1) through the checked reader; null when absent. */
  private static long[] toShape(JsonNode s, String what) {
    if (s == null || s.isNull() || s.isMissingNode()) {
      return null;
    }
    return Dims.shape(s, what, LayerConfig.FIX);
  }

  /** The dtype name of a layer config ("float32" when absent; Keras 3 policies unwrapped). */
  static String dtype(JsonNode config) {
    JsonNode d = config.has("dtype") ? config.get("dtype") : config.get("input_dtype");
    if (d == null || d.isNull()) {
      return "float32";
    }
    if (d.isObject()) {
      return d.path("config").path("name").asText("float32");
    }
    return d.asText();
  }

  /** Keras 3's key of a layer in a weights file: snake_case of its class, numbered per class. */
  static String keras3Key(String className, Map<String, Integer> counts) {
    String snake = SNAKE_CASE.computeIfAbsent(className, Network::toSnakeCase);
    Integer n = counts.get(snake);
    if (n == null) {
      counts.put(snake, 0);
      return snake;
    }
    counts.put(snake, n + 1);
    return snake + "_" + (n + 1);
  }

  /** Class names already converted: three regular expressions per layer cost ~10 ms cold. */
  private static final Map<String, String> SNAKE_CASE =
      new java.util.concurrent.ConcurrentHashMap<>();

  /** keras.src.utils.naming.to_snake_case. */
  static String toSnakeCase(String name) {
    String s = name.replaceAll("\\W+", "");
    s = s.replaceAll("(.)([A-Z][a-z]+)", "$1_$2");
    s = s.replaceAll("([a-z])([A-Z])", "$1_$2");
    return s.toLowerCase(java.util.Locale.ROOT);
  }
}
