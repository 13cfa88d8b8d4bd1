package io.estimator4j.samples;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * tf.keras.applications' InceptionV3, ResNet50 and MobileNetV2 ({@code weights=None,
 * include_top=True, classes=1000}) as tf.keras 2.x saves them: the architecture as {@code
 * model.to_json()} writes it and the weights as {@code model.save_weights("w.h5")} writes them,
 * with random initial values drawn as the layers' initializers draw them (glorot_uniform kernels,
 * zero biases, BatchNormalization's ones and zeros). No Keras file of these models is in the
 * repository; this writes what Keras would write, layer for layer.
 *
 * <p>Layers are auto-named as tf.keras 2.x names them in a fresh session ({@code
 * backend.unique_object_name}: per class, zero-based: {@code conv2d}, {@code conv2d_1}, ...; the
 * input is {@code input_1}), follow the builders of {@code tf_keras/applications/inception_v3.py},
 * {@code resnet.py} and {@code mobilenet_v2.py}, and are listed in {@code model.layers} order
 * (tf-keras {@code functional._map_graph_network}: by depth from the output, ties by the order a
 * depth-first walk from the output first reaches them).
 */
public final class KerasApplications {
  /** One of the three applications. */
  public enum App {
    /** InceptionV3 on 299x299x3: 23,851,784 parameters, 34,432 non-trainable, 313 layers. */
    INCEPTION_V3("inception_v3", 299),
    /** ResNet50 on 224x224x3: 25,636,712 parameters, 53,120 non-trainable, 177 layers. */
    RESNET50("resnet50", 224),
    /** MobileNetV2 (alpha 1.0) on 224x224x3: 3,538,984 parameters, 34,112 non-trainable. */
    MOBILENET_V2("mobilenetv2_1.00_224", 224);

    private final String modelName;
    private final int size;

    App(String modelName, int size) {
      this.modelName = modelName;
      this.size = size;
    }

    /** The Keras model name ({@code inception_v3}, ...). */
    public String modelName() {
      return modelName;
    }

    /** The input image height and width. */
    public int imageSize() {
      return size;
    }
  }

  /** The tf.keras version the files claim, one whose layout and defaults they follow. */
  public static final String KERAS_VERSION = "2.9.0";

  /** The input layer name Keras gives in a fresh session. */
  public static final String INPUT = "input_1";

  /** The output layer name of all three applications. */
  public static final String OUTPUT = "predictions";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** A weight of a layer: its Keras name, shape, and how Keras initialises it. */
  private record Weight(String name, long[] shape, Init init) {}

  private enum Init {
    GLOROT_UNIFORM,
    ZEROS,
    ONES
  }

  /** A layer as built: name, class, inputs, output shape (no batch), config and weights. */
  private static final class Layer {
    final String name;
    final String className;
    final List<String> inbound;
    final long[] shape;
    final ObjectNode config;
    final List<Weight> weights = new ArrayList<>();

    Layer(String name, String className, List<String> inbound, long[] shape, ObjectNode config) {
      this.name = name;
      this.className = className;
      this.inbound = inbound;
      this.shape = shape;
      this.config = config;
    }
  }

  private final App app;
  private final Map<String, Layer> layers = new LinkedHashMap<>();
  private final Map<String, Integer> uids = new HashMap<>();
  private final List<String> order;

  private KerasApplications(App app) {
    this.app = app;
    String output =
        switch (app) {
          case INCEPTION_V3 -> inceptionV3();
          case RESNET50 -> resnet50();
          case MOBILENET_V2 -> mobileNetV2();
        };
    this.order = kerasOrder(output);
  }

  /** Builds {@code app}'s layers. */
  public static KerasApplications of(App app) {
    return new KerasApplications(app);
  }

  public App app() {
    return app;
  }

  /** The layer names in {@code model.layers} order (the order of the config's layer list). */
  public List<String> layerNames() {
    return order;
  }

  /** The number of values in all weights. */
  public long totalParams() {
    long n = 0;
    for (Layer l : layers.values()) {
      for (Weight w : l.weights) {
        n += size(w.shape());
      }
    }
    return n;
  }

  /** The number of values in BatchNormalization's moving statistics (non-trainable). */
  public long nonTrainableParams() {
    long n = 0;
    for (Layer l : layers.values()) {
      for (Weight w : l.weights) {
        if (w.name().startsWith("moving_")) {
          n += size(w.shape());
        }
      }
    }
    return n;
  }

  /** {@code model.to_json()}: {@code {"class_name": "Functional", "config": ..., ...}}. */
  public String toJson() {
    ObjectNode root = F.objectNode();
    root.put("class_name", "Functional");
    ObjectNode config = root.putObject("config");
    config.put("name", app.modelName());
    ArrayNode list = config.putArray("layers");
    for (String name : order) {
      Layer l = layers.get(name);
      ObjectNode entry = list.addObject();
      entry.put("class_name", l.className);
      entry.set("config", l.config);
      entry.put("name", l.name);
      ArrayNode nodes = entry.putArray("inbound_nodes");
      if (!l.inbound.isEmpty()) {
        ArrayNode node = nodes.addArray();
        for (String in : l.inbound) {
          node.addArray().add(in).add(0).add(0).addObject();
        }
      }
    }
    config.putArray("input_layers").addArray().add(INPUT).add(0).add(0);
    config.putArray("output_layers").addArray().add(OUTPUT).add(0).add(0);
    root.put("keras_version", KERAS_VERSION);
    root.put("backend", "tensorflow");
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes the architecture to {@code json} and random initial weights to {@code weights} as {@code
   * model.save_weights} lays them out (root attributes {@code layer_names}, {@code backend}, {@code
   * keras_version}; one group per layer with {@code weight_names}; datasets at {@code
   * <layer>/<layer>/<weight>:0}), drawn from {@code seed}.
   */
  public void write(Path json, Path weights, long seed) throws IOException {
    Files.writeString(json, toJson());
    Files.deleteIfExists(weights); // jhdf does not truncate a file it overwrites
    Random random = new Random(seed);
    try (WritableHdfFile h5 = HdfFile.write(weights)) {
      h5.putAttribute("layer_names", order.toArray(new String[0]));
      h5.putAttribute("backend", "tensorflow");
      h5.putAttribute("keras_version", KERAS_VERSION);
      // groups in name order, as tf.keras 2.x creates them (save_weights_to_hdf5_group sorts the
      // layers by name; layer_names keeps model.layers order)
      for (String name : order.stream().sorted().toList()) {
        Layer l = layers.get(name);
        WritableGroup g = h5.putGroup(name);
        if (l.weights.isEmpty()) {
          continue;
        }
        List<String> names = new ArrayList<>();
        for (Weight w : l.weights) {
          names.add(name + "/" + w.name() + ":0");
        }
        g.putAttribute("weight_names", names.toArray(new String[0]));
        WritableGroup inner = g.putGroup(name);
        for (Weight w : l.weights) {
          inner.putDataset(w.name() + ":0", values(w, random));
        }
      }
    }
    // jhdf 0.13's writer is alpha: for ResNet50 (and no other of the three) it writes a file whose
    // root group links to a wrong address. Read it back so that such a file is never used.
    try (HdfFile check = new HdfFile(weights)) {
      for (String name : order) {
        check.getByPath(name);
      }
    } catch (RuntimeException e) {
      throw new IOException(
          "jhdf wrote an unreadable weights file for "
              + app.modelName()
              + " ("
              + e.getMessage()
              + "); use the architecture alone (its initializers) instead.",
          e);
    }
  }

  private static Object values(Weight w, Random random) {
    long[] s = w.shape();
    int n = (int) size(s);
    float[] v = new float[n];
    switch (w.init()) {
      case ONES -> java.util.Arrays.fill(v, 1f);
      case ZEROS -> {}
      case GLOROT_UNIFORM -> {
        // glorot_uniform: U(-limit, limit), limit = sqrt(6 / (fan_in + fan_out)); for a kernel
        // [k..., in, out] fan_in = k... * in, fan_out = k... * out
        long receptive = 1;
        for (int i = 0; i < s.length - 2; i++) {
          receptive *= s[i];
        }
        double fanIn = s.length >= 2 ? receptive * s[s.length - 2] : s[0];
        double fanOut = s.length >= 2 ? receptive * s[s.length - 1] : s[0];
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < n; i++) {
          v[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
        }
      }
    }
    if (s.length == 1) {
      return v;
    }
    int[] dims = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      dims[i] = (int) s[i];
    }
    Object array = java.lang.reflect.Array.newInstance(float.class, dims);
    fill(array, v, new int[] {0});
    return array;
  }

  private static void fill(Object array, float[] v, int[] pos) {
    if (array instanceof float[] f) {
      System.arraycopy(v, pos[0], f, 0, f.length);
      pos[0] += f.length;
      return;
    }
    for (int i = 0; i < java.lang.reflect.Array.getLength(array); i++) {
      fill(java.lang.reflect.Array.get(array, i), v, pos);
    }
  }

  private static long size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  // ---- model.layers order (tf-keras functional._map_graph_network) ----

  private List<String> kerasOrder(String output) {
    Map<String, Integer> index = new HashMap<>();
    Set<String> finished = new HashSet<>();
    List<String> post = new ArrayList<>();
    visit(output, index, finished, post);
    Map<String, Integer> depth = new HashMap<>();
    for (int i = post.size() - 1; i >= 0; i--) {
      String l = post.get(i);
      int d = depth.computeIfAbsent(l, k -> 0);
      for (String parent : layers.get(l).inbound) {
        depth.merge(parent, d + 1, Math::max);
      }
    }
    List<String> sorted = new ArrayList<>(depth.keySet());
    sorted.sort(
        (a, b) -> {
          int byDepth = Integer.compare(depth.get(b), depth.get(a));
          return byDepth != 0 ? byDepth : Integer.compare(index.get(a), index.get(b));
        });
    return Collections.unmodifiableList(sorted);
  }

  private void visit(
      String l, Map<String, Integer> index, Set<String> finished, List<String> post) {
    // iterative form of _build_map_helper: pre-order index, inputs in argument order, post-order
    record Frame(String layer, int next) {}
    java.util.Deque<Frame> stack = new java.util.ArrayDeque<>();
    stack.push(new Frame(l, 0));
    while (!stack.isEmpty()) {
      Frame f = stack.pop();
      if (f.next() == 0) {
        if (finished.contains(f.layer())) {
          continue;
        }
        index.putIfAbsent(f.layer(), index.size());
      }
      List<String> inbound = layers.get(f.layer()).inbound;
      if (f.next() < inbound.size()) {
        stack.push(new Frame(f.layer(), f.next() + 1));
        stack.push(new Frame(inbound.get(f.next()), 0));
      } else if (finished.add(f.layer())) {
        post.add(f.layer());
      }
    }
  }

  // ---- the functional API, as far as the three applications use it ----

  private String unique(String className, String name) {
    if (name != null) {
      return name;
    }
    String base = snake(className);
    int n = uids.merge(base, 1, Integer::sum) - 1;
    return n == 0 ? base : base + "_" + n;
  }

  private static String snake(String className) {
    String s = className.replaceAll("(.)([A-Z][a-z0-9]+)", "$1_$2");
    return s.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  private Layer add(
      String className, String name, List<String> inbound, long[] shape, ObjectNode config) {
    String n = unique(className, name);
    ObjectNode c = F.objectNode();
    if (!className.equals("InputLayer")) {
      c.put("name", n);
      c.put("trainable", true);
      c.put("dtype", "float32");
    }
    c.setAll(config);
    if (className.equals("InputLayer")) {
      c.put("name", n);
    }
    Layer l = new Layer(n, className, inbound, shape, c);
    layers.put(n, l);
    return l;
  }

  private static ObjectNode initializer(String className) {
    ObjectNode i = F.objectNode();
    i.put("class_name", className);
    ObjectNode c = i.putObject("config");
    if (className.equals("GlorotUniform")) {
      c.putNull("seed");
    }
    return i;
  }

  private static ArrayNode pair(long a, long b) {
    return F.arrayNode().add(a).add(b);
  }

  private static long convOut(long n, long k, long stride, String padding) {
    return padding.equals("same") ? (n + stride - 1) / stride : (n - k) / stride + 1;
  }

  private Layer input(long size) {
    ObjectNode c = F.objectNode();
    c.set("batch_input_shape", F.arrayNode().addNull().add(size).add(size).add(3));
    c.put("dtype", "float32");
    c.put("sparse", false);
    c.put("ragged", false);
    return add("InputLayer", INPUT, List.of(), new long[] {size, size, 3}, c);
  }

  private Layer conv2d(
      Layer x,
      long filters,
      long kh,
      long kw,
      long stride,
      String padding,
      boolean useBias,
      String name) {
    long[] in = x.shape;
    long[] out = {
      convOut(in[0], kh, stride, padding), convOut(in[1], kw, stride, padding), filters
    };
    ObjectNode c = F.objectNode();
    c.put("filters", filters);
    c.set("kernel_size", pair(kh, kw));
    c.set("strides", pair(stride, stride));
    c.put("padding", padding);
    c.put("data_format", "channels_last");
    c.set("dilation_rate", pair(1, 1));
    c.put("groups", 1);
    c.put("activation", "linear");
    c.put("use_bias", useBias);
    c.set("kernel_initializer", initializer("GlorotUniform"));
    c.set("bias_initializer", initializer("Zeros"));
    for (String k :
        List.of(
            "kernel_regularizer",
            "bias_regularizer",
            "activity_regularizer",
            "kernel_constraint",
            "bias_constraint")) {
      c.putNull(k);
    }
    Layer l = add("Conv2D", name, List.of(x.name), out, c);
    l.weights.add(new Weight("kernel", new long[] {kh, kw, in[2], filters}, Init.GLOROT_UNIFORM));
    if (useBias) {
      l.weights.add(new Weight("bias", new long[] {filters}, Init.ZEROS));
    }
    return l;
  }

  private Layer depthwise(Layer x, long stride, String padding, String name) {
    long[] in = x.shape;
    long[] out = {convOut(in[0], 3, stride, padding), convOut(in[1], 3, stride, padding), in[2]};
    ObjectNode c = F.objectNode();
    c.set("kernel_size", pair(3, 3));
    c.set("strides", pair(stride, stride));
    c.put("padding", padding);
    c.put("data_format", "channels_last");
    c.set("dilation_rate", pair(1, 1));
    c.put("groups", 1);
    c.put("activation", "linear");
    c.put("use_bias", false);
    c.set("bias_initializer", initializer("Zeros"));
    c.putNull("bias_regularizer");
    c.putNull("activity_regularizer");
    c.putNull("bias_constraint");
    c.put("depth_multiplier", 1);
    c.set("depthwise_initializer", initializer("GlorotUniform"));
    c.putNull("depthwise_regularizer");
    c.putNull("depthwise_constraint");
    Layer l = add("DepthwiseConv2D", name, List.of(x.name), out, c);
    l.weights.add(new Weight("depthwise_kernel", new long[] {3, 3, in[2], 1}, Init.GLOROT_UNIFORM));
    return l;
  }

  private Layer batchNorm(Layer x, boolean scale, double momentum, double epsilon, String name) {
    ObjectNode c = F.objectNode();
    c.set("axis", F.arrayNode().add(3));
    c.put("momentum", momentum);
    c.put("epsilon", epsilon);
    c.put("center", true);
    c.put("scale", scale);
    c.set("beta_initializer", initializer("Zeros"));
    c.set("gamma_initializer", initializer("Ones"));
    c.set("moving_mean_initializer", initializer("Zeros"));
    c.set("moving_variance_initializer", initializer("Ones"));
    for (String k :
        List.of("beta_regularizer", "gamma_regularizer", "beta_constraint", "gamma_constraint")) {
      c.putNull(k);
    }
    Layer l = add("BatchNormalization", name, List.of(x.name), x.shape, c);
    long[] ch = {x.shape[2]};
    if (scale) {
      l.weights.add(new Weight("gamma", ch, Init.ONES));
    }
    l.weights.add(new Weight("beta", ch, Init.ZEROS));
    l.weights.add(new Weight("moving_mean", ch, Init.ZEROS));
    l.weights.add(new Weight("moving_variance", ch, Init.ONES));
    return l;
  }

  private Layer relu(Layer x, String name) {
    ObjectNode c = F.objectNode();
    c.put("activation", "relu");
    return add("Activation", name, List.of(x.name), x.shape, c);
  }

  private Layer relu6(Layer x, String name) {
    ObjectNode c = F.objectNode();
    c.put("max_value", 6.0);
    c.put("negative_slope", 0.0);
    c.put("threshold", 0.0);
    return add("ReLU", name, List.of(x.name), x.shape, c);
  }

  private Layer pool(Layer x, String className, long k, long stride, String padding, String name) {
    long[] in = x.shape;
    ObjectNode c = F.objectNode();
    c.set("pool_size", pair(k, k));
    c.put("padding", padding);
    c.set("strides", pair(stride, stride));
    c.put("data_format", "channels_last");
    long[] out = {convOut(in[0], k, stride, padding), convOut(in[1], k, stride, padding), in[2]};
    return add(className, name, List.of(x.name), out, c);
  }

  private Layer zeroPad(Layer x, long top, long bottom, long left, long right, String name) {
    ObjectNode c = F.objectNode();
    c.set("padding", F.arrayNode().add(pair(top, bottom)).add(pair(left, right)));
    c.put("data_format", "channels_last");
    long[] in = x.shape;
    return add(
        "ZeroPadding2D",
        name,
        List.of(x.name),
        new long[] {in[0] + top + bottom, in[1] + left + right, in[2]},
        c);
  }

  private Layer concat(String name, Layer... xs) {
    ObjectNode c = F.objectNode();
    c.put("axis", 3);
    long channels = 0;
    List<String> in = new ArrayList<>();
    for (Layer x : xs) {
      channels += x.shape[2];
      in.add(x.name);
    }
    return add("Concatenate", name, in, new long[] {xs[0].shape[0], xs[0].shape[1], channels}, c);
  }

  private Layer addLayers(String name, Layer a, Layer b) {
    return add("Add", name, List.of(a.name, b.name), b.shape, F.objectNode());
  }

  private Layer globalAveragePool(Layer x, String name) {
    ObjectNode c = F.objectNode();
    c.put("data_format", "channels_last");
    c.put("keepdims", false);
    return add("GlobalAveragePooling2D", name, List.of(x.name), new long[] {x.shape[2]}, c);
  }

  private Layer predictions(Layer x) {
    ObjectNode c = F.objectNode();
    c.put("units", 1000);
    c.put("activation", "softmax");
    c.put("use_bias", true);
    c.set("kernel_initializer", initializer("GlorotUniform"));
    c.set("bias_initializer", initializer("Zeros"));
    for (String k :
        List.of(
            "kernel_regularizer",
            "bias_regularizer",
            "activity_regularizer",
            "kernel_constraint",
            "bias_constraint")) {
      c.putNull(k);
    }
    Layer l = add("Dense", OUTPUT, List.of(x.name), new long[] {1000}, c);
    l.weights.add(new Weight("kernel", new long[] {x.shape[0], 1000}, Init.GLOROT_UNIFORM));
    l.weights.add(new Weight("bias", new long[] {1000}, Init.ZEROS));
    return l;
  }

  // ---- inception_v3.py ----

  /** conv2d_bn: Conv2D(use_bias=False), BatchNormalization(axis=3, scale=False), relu. */
  private Layer cbn(Layer x, long f, long r, long c, String padding, long stride) {
    Layer y = conv2d(x, f, r, c, stride, padding, false, null);
    y = batchNorm(y, false, 0.99, 0.001, null);
    return relu(y, null);
  }

  private Layer cbn(Layer x, long f, long r, long c) {
    return cbn(x, f, r, c, "same", 1);
  }

  private String inceptionV3() {
    Layer x = input(299);
    x = cbn(x, 32, 3, 3, "valid", 2);
    x = cbn(x, 32, 3, 3, "valid", 1);
    x = cbn(x, 64, 3, 3);
    x = pool(x, "MaxPooling2D", 3, 2, "valid", null);
    x = cbn(x, 80, 1, 1, "valid", 1);
    x = cbn(x, 192, 3, 3, "valid", 1);
    x = pool(x, "MaxPooling2D", 3, 2, "valid", null);
    long[] poolFilters = {32, 64, 64};
    for (int i = 0; i < 3; i++) {
      Layer b1 = cbn(x, 64, 1, 1);
      Layer b5 = cbn(cbn(x, 48, 1, 1), 64, 5, 5);
      Layer d = cbn(cbn(cbn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3);
      Layer p = cbn(pool(x, "AveragePooling2D", 3, 1, "same", null), poolFilters[i], 1, 1);
      x = concat("mixed" + i, b1, b5, d, p);
    }
    Layer b3 = cbn(x, 384, 3, 3, "valid", 2);
    Layer d = cbn(cbn(cbn(x, 64, 1, 1), 96, 3, 3), 96, 3, 3, "valid", 2);
    Layer p = pool(x, "MaxPooling2D", 3, 2, "valid", null);
    x = concat("mixed3", b3, d, p);
    long[] c7 = {128, 160, 160, 192};
    for (int i = 0; i < 4; i++) {
      long c = c7[i];
      Layer b1 = cbn(x, 192, 1, 1);
      Layer s = cbn(cbn(cbn(x, c, 1, 1), c, 1, 7), 192, 7, 1);
      Layer dd = cbn(x, c, 1, 1);
      dd = cbn(dd, c, 7, 1);
      dd = cbn(dd, c, 1, 7);
      dd = cbn(dd, c, 7, 1);
      dd = cbn(dd, 192, 1, 7);
      Layer pp = cbn(pool(x, "AveragePooling2D", 3, 1, "same", null), 192, 1, 1);
      x = concat("mixed" + (4 + i), b1, s, dd, pp);
    }
    Layer b = cbn(cbn(x, 192, 1, 1), 320, 3, 3, "valid", 2);
    Layer s = cbn(cbn(cbn(x, 192, 1, 1), 192, 1, 7), 192, 7, 1);
    s = cbn(s, 192, 3, 3, "valid", 2);
    p = pool(x, "MaxPooling2D", 3, 2, "valid", null);
    x = concat("mixed8", b, s, p);
    for (int i = 0; i < 2; i++) {
      Layer b1 = cbn(x, 320, 1, 1);
      Layer b3x = cbn(x, 384, 1, 1);
      Layer b31 = cbn(b3x, 384, 1, 3);
      Layer b32 = cbn(b3x, 384, 3, 1);
      Layer b3c = concat("mixed9_" + i, b31, b32);
      Layer dd = cbn(cbn(x, 448, 1, 1), 384, 3, 3);
      Layer d1 = cbn(dd, 384, 1, 3);
      Layer d2 = cbn(dd, 384, 3, 1);
      Layer dc = concat(null, d1, d2);
      Layer pp = cbn(pool(x, "AveragePooling2D", 3, 1, "same", null), 192, 1, 1);
      x = concat("mixed" + (9 + i), b1, b3c, dc, pp);
    }
    x = globalAveragePool(x, "avg_pool");
    return predictions(x).name;
  }

  // ---- resnet.py (ResNet50: stack1 blocks of block1) ----

  private Layer block1(Layer x, long filters, long stride, boolean convShortcut, String name) {
    Layer shortcut = x;
    if (convShortcut) {
      shortcut = conv2d(x, 4 * filters, 1, 1, stride, "valid", true, name + "_0_conv");
      shortcut = batchNorm(shortcut, true, 0.99, 1.001e-5, name + "_0_bn");
    }
    Layer y = conv2d(x, filters, 1, 1, stride, "valid", true, name + "_1_conv");
    y = batchNorm(y, true, 0.99, 1.001e-5, name + "_1_bn");
    y = relu(y, name + "_1_relu");
    y = conv2d(y, filters, 3, 3, 1, "same", true, name + "_2_conv");
    y = batchNorm(y, true, 0.99, 1.001e-5, name + "_2_bn");
    y = relu(y, name + "_2_relu");
    y = conv2d(y, 4 * filters, 1, 1, 1, "valid", true, name + "_3_conv");
    y = batchNorm(y, true, 0.99, 1.001e-5, name + "_3_bn");
    y = addLayers(name + "_add", shortcut, y);
    return relu(y, name + "_out");
  }

  private String resnet50() {
    Layer x = input(224);
    x = zeroPad(x, 3, 3, 3, 3, "conv1_pad");
    x = conv2d(x, 64, 7, 7, 2, "valid", true, "conv1_conv");
    x = batchNorm(x, true, 0.99, 1.001e-5, "conv1_bn");
    x = relu(x, "conv1_relu");
    x = zeroPad(x, 1, 1, 1, 1, "pool1_pad");
    x = pool(x, "MaxPooling2D", 3, 2, "valid", "pool1_pool");
    long[][] stacks = {{64, 3, 1}, {128, 4, 2}, {256, 6, 2}, {512, 3, 2}};
    for (int s = 0; s < stacks.length; s++) {
      String stack = "conv" + (s + 2);
      x = block1(x, stacks[s][0], stacks[s][2], true, stack + "_block1");
      for (int i = 2; i <= stacks[s][1]; i++) {
        x = block1(x, stacks[s][0], 1, false, stack + "_block" + i);
      }
    }
    x = globalAveragePool(x, "avg_pool");
    return predictions(x).name;
  }

  // ---- mobilenet_v2.py (alpha 1.0) ----

  private static long makeDivisible(double v) {
    long divisor = 8;
    long nv = Math.max(divisor, (long) (v + divisor / 2.0) / divisor * divisor);
    return nv < 0.9 * v ? nv + divisor : nv;
  }

  private Layer invertedResBlock(Layer x, long expansion, long stride, long filters, int id) {
    Layer in = x;
    long channels = x.shape[2];
    long pointwise = makeDivisible(filters);
    String p = "block_" + id + "_";
    if (id != 0) {
      x = conv2d(x, expansion * channels, 1, 1, 1, "same", false, p + "expand");
      x = batchNorm(x, true, 0.999, 1e-3, p + "expand_BN");
      x = relu6(x, p + "expand_relu");
    } else {
      p = "expanded_conv_";
    }
    if (stride == 2) {
      // correct_pad for even sizes: ((0, 1), (0, 1))
      x = zeroPad(x, 0, 1, 0, 1, p + "pad");
    }
    x = depthwise(x, stride, stride == 1 ? "same" : "valid", p + "depthwise");
    x = batchNorm(x, true, 0.999, 1e-3, p + "depthwise_BN");
    x = relu6(x, p + "depthwise_relu");
    x = conv2d(x, pointwise, 1, 1, 1, "same", false, p + "project");
    x = batchNorm(x, true, 0.999, 1e-3, p + "project_BN");
    if (channels == pointwise && stride == 1) {
      return addLayers(p + "add", in, x);
    }
    return x;
  }

  private String mobileNetV2() {
    Layer x = input(224);
    x = conv2d(x, makeDivisible(32), 3, 3, 2, "same", false, "Conv1");
    x = batchNorm(x, true, 0.999, 1e-3, "bn_Conv1");
    x = relu6(x, "Conv1_relu");
    long[][] blocks = {
      {16, 1, 1}, {24, 2, 6}, {24, 1, 6}, {32, 2, 6}, {32, 1, 6}, {32, 1, 6}, {64, 2, 6},
      {64, 1, 6}, {64, 1, 6}, {64, 1, 6}, {96, 1, 6}, {96, 1, 6}, {96, 1, 6}, {160, 2, 6},
      {160, 1, 6}, {160, 1, 6}, {320, 1, 6}
    };
    for (int i = 0; i < blocks.length; i++) {
      x = invertedResBlock(x, blocks[i][2], blocks[i][1], blocks[i][0], i);
    }
    x = conv2d(x, 1280, 1, 1, 1, "valid", false, "Conv_1");
    x = batchNorm(x, true, 0.999, 1e-3, "Conv_1_bn");
    x = relu6(x, "out_relu");
    x = globalAveragePool(x, null);
    return predictions(x).name;
  }
}
