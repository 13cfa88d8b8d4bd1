package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.io.Dims;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.core.StridedSlice;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TUint8;
import org.tensorflow.types.family.TType;

/**
 * tf.keras's TFOpLambda and SlicingOpLambda: a TensorFlow function called on Keras tensors in a
 * functional model ({@code x + 1}, {@code tf.reshape(x, ...)}, {@code x[:, 0]}) is stored by the
 * function's name ({@code math.add}, {@code reshape}, {@code __operators__.getitem}) with its other
 * arguments. The functions below are rebuilt from their names; any other is refused naming the
 * layer and the function. No Python is ever run.
 */
final class TfOpLambdaMappers {
  private TfOpLambdaMappers() {}

  /** One call: the first argument, the others by name (tensors or JSON constants). */
  private record Call(
      LayerConfig c,
      Ops tf,
      List<KTensor> positional,
      Map<String, KTensor> tensors,
      JsonNode kw,
      List<KTensor> inputs) {
    KTensor first() {
      return positional.get(0);
    }

    Operand<TFloat32> x() {
      return Mappers.floats(tf, first());
    }

    boolean has(String name) {
      return tensors.containsKey(name) || (kw.has(name) && !kw.get(name).isNull());
    }

    /** A float argument: a tensor, or a number or nested list of numbers. */
    Operand<TFloat32> floats(String name) {
      KTensor t = tensors.get(name);
      if (t != null) {
        return Mappers.floats(tf, t);
      }
      JsonNode v = kw.get(name);
      if (v == null || v.isNull()) {
        throw c.unsupported("argument '" + name + "' of " + function(c) + " is missing.");
      }
      return constant(tf, v);
    }

    int integer(String name, int defaultValue) {
      JsonNode v = kw.get(name);
      return v == null || v.isNull() ? defaultValue : checked(v, name);
    }

    /** An int argument, through the checked reader. */
    private int checked(JsonNode v, String name) {
      return Dims.intValue(
          v, "argument '" + name + "' of " + function(c) + " in " + c.describe(), LayerConfig.FIX);
    }

    /** An int or list of ints; null when absent. */
    int[] ints(String name) {
      JsonNode v = kw.get(name);
      if (v == null || v.isNull()) {
        return null;
      }
      if (!v.isArray()) {
        return new int[] {checked(v, name)};
      }
      int[] out = new int[v.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = checked(v.get(i), name);
      }
      return out;
    }

    boolean bool(String name, boolean defaultValue) {
      JsonNode v = kw.get(name);
      return v == null || v.isNull() ? defaultValue : v.asBoolean();
    }
  }

  private static final Map<String, Function<Call, Operand<?>>> FUNCTIONS = functions();

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    m.put("TFOpLambda", TfOpLambdaMappers::create);
    m.put("SlicingOpLambda", TfOpLambdaMappers::create);
  }

  /** The TensorFlow function names this loader rebuilds. */
  static TreeSet<String> supportedFunctions() {
    return new TreeSet<>(FUNCTIONS.keySet());
  }

  private static String function(LayerConfig c) {
    return "tf." + c.string("function", "?");
  }

  private static KerasLayer create(LayerContext ctx) {
    LayerConfig c = ctx.config();
    String name = c.string("function", "");
    Function<Call, Operand<?>> f = FUNCTIONS.get(name);
    if (f == null) {
      throw c.unsupported(
          "the TensorFlow function tf."
              + name
              + " is not supported. Supported: "
              + supportedFunctions()
              + ".");
    }
    return (scope, in, kw) -> {
      Map<String, KTensor> tensors = Mappers.keywordTensors(in, kw);
      List<KTensor> positional = in.subList(0, in.size() - Mappers.keywordTensorCount(kw));
      if (positional.isEmpty()) {
        throw c.unsupported("its first argument is not a Keras tensor.");
      }
      return Mappers.noMask(f.apply(new Call(c, scope, positional, tensors, kw, in)));
    };
  }

  /**
   * The tensors of keyword argument {@code name} in argument order (a structure such as {@code
   * shape=[tf.shape(x)[0], -1, 64]} holds them among constants), or an empty list.
   */
  private static List<KTensor> keywordTensorList(Call call, List<KTensor> in, String name) {
    int next = in.size() - Mappers.keywordTensorCount(call.kw());
    for (var f : call.kw().properties()) {
      if (Network.isTensorKeyword(f.getKey())) {
        int n = Network.tensorCount(f.getValue());
        if (f.getKey().equals(name)) {
          return in.subList(next, next + n);
        }
        next += n;
      }
    }
    return List.of();
  }

  /**
   * An int32 vector argument given as a list of integers and Keras tensors (scalars, e.g. {@code
   * tf.shape(x)[0]}), as tf.keras serializes {@code tf.reshape(x, [tf.shape(x)[0], -1, 64])}: the
   * tensors, in order, take the places of their {@code [layer, node, tensor]} references.
   */
  private static Operand<TInt32> intVector(Call call, List<KTensor> in, String name) {
    JsonNode v = call.kw().get(name);
    if (v == null || v.isNull()) {
      throw call.c()
          .unsupported("argument '" + name + "' of " + function(call.c()) + " is missing.");
    }
    List<KTensor> tensors = keywordTensorList(call, in, name);
    if (tensors.isEmpty()) {
      return call.tf().constant(required(call, name));
    }
    if (!v.isArray() || Network.tensorCount(v) == 1 && isTensorRef(v)) {
      return call.tf().dtypes.cast(castable(tensors.get(0).value()), TInt32.class);
    }
    Ops tf = call.tf();
    List<Operand<TInt32>> parts = new ArrayList<>();
    int t = 0;
    for (JsonNode e : v) {
      if (isTensorRef(e)) {
        parts.add(
            tf.reshape(
                tf.dtypes.cast(castable(tensors.get(t++).value()), TInt32.class),
                tf.constant(new int[] {1})));
      } else if (e.isIntegralNumber()) {
        parts.add(tf.constant(new int[] {e.asInt()}));
      } else {
        throw call.c()
            .unsupported("argument '" + name + "' holds " + e + ", not an int or tensor.");
      }
    }
    return tf.concat(parts, tf.constant(0));
  }

  private static Operand<TBool> bools(KTensor t) {
    if (t == null) {
      throw new IllegalArgumentException("A logical function needs tensor arguments.");
    }
    if (t.value().type() != TBool.class) {
      throw new IllegalArgumentException(
          "A logical function needs bool tensors; found " + t.value().type().getSimpleName());
    }
    @SuppressWarnings("unchecked")
    Operand<TBool> b = (Operand<TBool>) t.value();
    return b;
  }

  private static long[] longs(int[] v) {
    long[] out = new long[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }

  private static boolean isTensorRef(JsonNode v) {
    return Network.tensorCount(v) == 1
        && ((v.isArray() && v.size() == 3 && v.get(0).isTextual())
            || v.path("class_name").asText().equals("__keras_tensor__"));
  }

  @SuppressWarnings("unchecked")
  private static Operand<? extends org.tensorflow.types.family.TNumber> castable(Operand<?> v) {
    if (!org.tensorflow.types.family.TNumber.class.isAssignableFrom(v.type())) {
      throw new IllegalArgumentException("Expected a numeric tensor; found " + v.type());
    }
    return (Operand<? extends org.tensorflow.types.family.TNumber>) v;
  }

  private static Map<String, Function<Call, Operand<?>>> functions() {
    Map<String, Function<Call, Operand<?>>> m = new HashMap<>();
    // shapes as int tensors (tf.shape, tf.keras.backend.shape = compat.v1.shape, size, rank)
    for (String s : List.of("shape", "compat.v1.shape")) {
      m.put(
          s,
          call ->
              "int64".equals(call.kw().path("out_type").asText("int32"))
                  ? call.tf().shape(call.first().value(), TInt64.class)
                  : call.tf().shape(call.first().value()));
    }
    for (String s : List.of("size", "compat.v1.size")) {
      m.put(s, call -> call.tf().size(call.first().value()));
    }
    m.put("rank", call -> call.tf().rank(call.first().value()));
    m.put("zeros_like", call -> call.tf().zerosLike(call.first().value()));
    m.put("ones_like", call -> call.tf().onesLike(call.first().value()));
    for (String s : List.of("math.floor", "math.ceil", "math.round", "math.sign")) {
      m.put(
          s,
          call -> {
            Operand<TFloat32> x = call.x();
            return switch (s) {
              case "math.floor" -> call.tf().math.floor(x);
              case "math.ceil" -> call.tf().math.ceil(x);
              case "math.round" -> call.tf().math.round(x);
              default -> call.tf().math.sign(x);
            };
          });
    }
    // comparisons and logic (bool results)
    Map<String, String> comparisons =
        Map.of(
            "math.equal", "eq",
            "math.not_equal", "ne",
            "math.greater", "gt",
            "math.greater_equal", "ge",
            "math.less", "lt",
            "math.less_equal", "le");
    comparisons.forEach(
        (name, op) ->
            m.put(
                name,
                call -> {
                  Ops tf = call.tf();
                  Operand<TFloat32> x = call.x();
                  Operand<TFloat32> y = call.floats("y");
                  return switch (op) {
                    case "eq" -> tf.math.equal(x, y);
                    case "ne" -> tf.math.notEqual(x, y);
                    case "gt" -> tf.math.greater(x, y);
                    case "ge" -> tf.math.greaterEqual(x, y);
                    case "lt" -> tf.math.less(x, y);
                    default -> tf.math.lessEqual(x, y);
                  };
                }));
    m.put("math.logical_not", call -> call.tf().math.logicalNot(bools(call.first())));
    m.put(
        "math.logical_and",
        call -> call.tf().math.logicalAnd(bools(call.first()), bools(call.tensors().get("y"))));
    m.put(
        "math.logical_or",
        call -> call.tf().math.logicalOr(bools(call.first()), bools(call.tensors().get("y"))));
    // tf.where(condition, x, y): x and y tensors or constants
    m.put(
        "where",
        call -> {
          if (!call.has("x") || !call.has("y")) {
            throw call.c()
                .unsupported("tf.where with only a condition (indices) is not supported.");
          }
          return call.tf().select(bools(call.first()), call.floats("x"), call.floats("y"));
        });
    for (String s2 : List.of("gather", "compat.v1.gather")) {
      m.put(
          s2,
          call -> {
            if (call.integer("batch_dims", 0) != 0) {
              throw call.c().unsupported("gather with batch_dims is not supported.");
            }
            KTensor t = call.tensors().get("indices");
            Operand<TInt64> indices =
                t != null
                    ? call.tf().dtypes.cast(castable(t.value()), TInt64.class)
                    : call.tf().constant(longs(required(call, "indices")));
            return call.tf()
                .gather(call.first().value(), indices, call.tf().constant(call.integer("axis", 0)));
          });
    }
    m.put(
        "one_hot",
        call -> {
          int depth = call.integer("depth", -1);
          if (depth < 1) {
            throw call.c().unsupported("one_hot needs a positive integer depth in the config.");
          }
          return call.tf()
              .oneHot(
                  call.tf().dtypes.cast(castable(call.first().value()), TInt64.class),
                  call.tf().constant(depth),
                  call.tf().constant((float) call.kw().path("on_value").asDouble(1)),
                  call.tf().constant((float) call.kw().path("off_value").asDouble(0)),
                  org.tensorflow.op.core.OneHot.axis((long) call.integer("axis", -1)));
        });
    m.put(
        "pad",
        call -> {
          JsonNode p = call.kw().get("paddings");
          if (p == null || !p.isArray()) {
            throw call.c().unsupported("pad needs its paddings as a list in the config.");
          }
          int[][] paddings = new int[p.size()][2];
          for (int i = 0; i < paddings.length; i++) {
            paddings[i] = new int[] {p.get(i).get(0).asInt(), p.get(i).get(1).asInt()};
          }
          Ops tf = call.tf();
          String mode =
              call.kw().path("mode").asText("CONSTANT").toUpperCase(java.util.Locale.ROOT);
          return switch (mode) {
            case "CONSTANT" ->
                tf.pad(
                    call.x(),
                    tf.constant(paddings),
                    tf.constant((float) call.kw().path("constant_values").asDouble(0)));
            case "REFLECT", "SYMMETRIC" -> tf.mirrorPad(call.x(), tf.constant(paddings), mode);
            default -> throw call.c().unsupported("pad mode '" + mode + "' is not supported.");
          };
        });
    m.put("nn.bias_add", call -> call.tf().nn.biasAdd(call.x(), call.floats("bias")));
    m.put(
        "nn.depth_to_space",
        call -> call.tf().nn.depthToSpace(call.x(), (long) call.integer("block_size", 2)));
    m.put(
        "nn.space_to_depth",
        call -> call.tf().nn.spaceToDepth(call.x(), (long) call.integer("block_size", 2)));
    m.put(
        "math.reduce_logsumexp",
        call -> {
          // log(sum(exp(x - max))) + max, over the axes (all when none)
          Ops tf = call.tf();
          Operand<TFloat32> x = call.x();
          int[] axes = call.ints("axis");
          Operand<TInt32> axis =
              axes == null
                  ? tf.range(tf.constant(0), tf.rank(x), tf.constant(1))
                  : tf.constant(axes);
          boolean keep = call.bool("keepdims", false);
          Operand<TFloat32> max =
              tf.stopGradient(
                  tf.reduceMax(x, axis, org.tensorflow.op.core.ReduceMax.keepDims(true)));
          Operand<TFloat32> sum =
              tf.reduceSum(tf.math.exp(tf.math.sub(x, max)), axis, ReduceSum.keepDims(keep));
          Operand<TFloat32> m0 =
              keep
                  ? max
                  : tf.reduceMax(max, axis, org.tensorflow.op.core.ReduceMax.keepDims(false));
          return tf.math.add(tf.math.log(sum), m0);
        });
    m.put(
        "math.cumsum",
        call ->
            call.tf()
                .math
                .cumsum(
                    call.x(),
                    call.tf().constant(call.integer("axis", 0)),
                    org.tensorflow.op.math.Cumsum.exclusive(call.bool("exclusive", false)),
                    org.tensorflow.op.math.Cumsum.reverse(call.bool("reverse", false))));
    binary(m, "add", "math.add", "__operators__.add");
    binary(m, "subtract", "math.subtract");
    binary(m, "multiply", "math.multiply");
    binary(m, "divide", "math.truediv", "math.divide");
    binary(m, "maximum", "math.maximum");
    binary(m, "minimum", "math.minimum");
    binary(m, "pow", "math.pow");
    binary(m, "squared_difference", "math.squared_difference");
    for (String f :
        List.of(
            "negative",
            "exp",
            "log",
            "sqrt",
            "rsqrt",
            "square",
            "abs",
            "reciprocal",
            "sin",
            "cos",
            "erf",
            "sigmoid",
            "tanh",
            "softplus")) {
      unary(m, TensorFunctions.UNARY.get(f), "math." + f);
    }
    for (String f :
        List.of("relu", "relu6", "elu", "selu", "silu", "sigmoid", "tanh", "softplus")) {
      unary(m, TensorFunctions.UNARY.get(f), "nn." + f);
    }
    unary(m, TensorFunctions.UNARY.get("silu"), "nn.swish");
    unary(m, TensorFunctions.UNARY.get("sigmoid"), "sigmoid");
    unary(m, TensorFunctions.UNARY.get("tanh"), "tanh");
    unary(m, (tf, x) -> x, "identity");
    m.put(
        "nn.gelu",
        call ->
            call.bool("approximate", false)
                ? geluApproximate(call.tf(), call.x())
                : Activation.GELU.apply(call.tf(), call.x()));
    m.put(
        "nn.leaky_relu",
        call ->
            call.tf()
                .nn
                .leakyRelu(
                    call.x(),
                    org.tensorflow.op.nn.LeakyRelu.alpha(
                        (float) call.kw().path("alpha").asDouble(0.2))));
    for (String s : List.of("nn.softmax", "math.softmax")) {
      m.put(
          s,
          call -> {
            int axis = call.integer("axis", -1);
            return io.estimator4j.estimator.layers.ActivationLayers.softmax(
                call.tf(), call.x(), axis);
          });
    }
    for (String s : List.of("math.l2_normalize", "linalg.l2_normalize", "nn.l2_normalize")) {
      m.put(s, TfOpLambdaMappers::l2Normalize);
    }
    TensorFunctions.REDUCTIONS.forEach(
        (name, r) ->
            m.put(
                "math.reduce_" + name,
                call ->
                    TensorFunctions.reduce(
                        call.tf(), r, call.x(), call.ints("axis"), call.bool("keepdims", false))));
    m.put(
        "math.argmax",
        call ->
            call.tf()
                .math
                .argMax(call.first().value(), call.tf().constant(call.integer("axis", 0))));
    m.put(
        "reshape",
        call -> call.tf().reshape(call.first().value(), intVector(call, call.inputs(), "shape")));
    m.put(
        "expand_dims",
        call ->
            call.tf()
                .expandDims(call.first().value(), call.tf().constant(call.integer("axis", 0))));
    for (String s : List.of("squeeze", "compat.v1.squeeze")) {
      m.put(
          s,
          call -> {
            int[] axes = call.ints("axis");
            if (axes == null) {
              axes = call.ints("squeeze_dims");
            }
            return TensorFunctions.squeeze(call.tf(), call.first().value(), axes);
          });
    }
    for (String s : List.of("transpose", "compat.v1.transpose")) {
      m.put(
          s, call -> TensorFunctions.transpose(call.tf(), call.first().value(), call.ints("perm")));
    }
    m.put(
        "concat",
        call -> call.tf().concat(values(call), call.tf().constant(call.integer("axis", 0))));
    m.put(
        "stack",
        call ->
            call.tf()
                .stack(
                    values(call),
                    org.tensorflow.op.core.Stack.axis((long) call.integer("axis", 0))));
    m.put(
        "tile",
        call ->
            call.tf().tile(call.first().value(), call.tf().constant(required(call, "multiples"))));
    m.put(
        "clip_by_value",
        call ->
            call.tf()
                .clipByValue(
                    call.x(), call.floats("clip_value_min"), call.floats("clip_value_max")));
    for (String s : List.of("linalg.matmul", "matmul")) {
      m.put(s, TfOpLambdaMappers::matmul);
    }
    m.put("cast", TfOpLambdaMappers::cast);
    m.put("__operators__.getitem", TfOpLambdaMappers::getItem);
    return m;
  }

  private static void unary(
      Map<String, Function<Call, Operand<?>>> m,
      BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> f,
      String... names) {
    for (String n : names) {
      m.put(n, call -> f.apply(call.tf(), call.x()));
    }
  }

  private static void binary(
      Map<String, Function<Call, Operand<?>>> m, String function, String... names) {
    TensorFunctions.BinaryFunction f = TensorFunctions.BINARY.get(function);
    for (String n : names) {
      m.put(n, call -> f.apply(call.tf(), call.x(), call.floats("y")));
    }
  }

  /** tf.nn.gelu(approximate=True): 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x³))). */
  static Operand<TFloat32> geluApproximate(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> cube = tf.math.mul(tf.constant(0.044715f), tf.math.pow(x, tf.constant(3f)));
    Operand<TFloat32> inner =
        tf.math.mul(tf.constant((float) Math.sqrt(2 / Math.PI)), tf.math.add(x, cube));
    return tf.math.mul(
        tf.math.mul(tf.constant(0.5f), x), tf.math.add(tf.constant(1f), tf.math.tanh(inner)));
  }

  private static Operand<?> l2Normalize(Call call) {
    Ops tf = call.tf();
    Operand<TFloat32> x = call.x();
    int[] axes = call.ints("axis");
    if (axes == null) {
      axes = call.ints("dim");
    }
    double epsilon = call.kw().path("epsilon").asDouble(1e-12);
    Operand<TFloat32> sum =
        axes == null
            ? tf.reduceSum(
                tf.math.square(x),
                tf.constant(TensorFunctions.range(x.shape().numDimensions())),
                ReduceSum.keepDims(true))
            : tf.reduceSum(tf.math.square(x), tf.constant(axes), ReduceSum.keepDims(true));
    // tf.math.l2_normalize: x * rsqrt(max(sum(x²), epsilon))
    return tf.math.mul(x, tf.math.rsqrt(tf.math.maximum(sum, tf.constant((float) epsilon))));
  }

  private static Operand<?> matmul(Call call) {
    Ops tf = call.tf();
    Operand<TFloat32> a = call.x();
    Operand<TFloat32> b = call.floats("b");
    boolean ta = call.bool("transpose_a", false) || call.bool("adjoint_a", false);
    boolean tb = call.bool("transpose_b", false) || call.bool("adjoint_b", false);
    return tf.train.batchMatMul(
        a,
        b,
        TFloat32.class,
        org.tensorflow.op.train.BatchMatMul.adjX(ta),
        org.tensorflow.op.train.BatchMatMul.adjY(tb));
  }

  @SuppressWarnings("unchecked")
  private static Operand<?> cast(Call call) {
    String dtype = call.kw().path("dtype").asText("");
    Class<? extends TType> type =
        switch (dtype) {
          case "float32", "float" -> TFloat32.class;
          case "float64", "double" -> TFloat64.class;
          case "int32" -> TInt32.class;
          case "int64" -> TInt64.class;
          case "uint8" -> TUint8.class;
          case "bool" -> TBool.class;
          default ->
              throw call.c().unsupported("tf.cast to dtype '" + dtype + "' is not supported.");
        };
    return call.tf().dtypes.cast((Operand<TType>) call.first().value(), (Class<TType>) type);
  }

  /** The tensors of a list argument (tf.concat, tf.stack): all positional tensors. */
  @SuppressWarnings("unchecked")
  private static List<Operand<TType>> values(Call call) {
    List<Operand<TType>> out = new ArrayList<>();
    for (KTensor t : call.positional()) {
      out.add((Operand<TType>) t.value());
    }
    return out;
  }

  private static int[] required(Call call, String name) {
    int[] v = call.ints(name);
    if (v == null) {
      throw call.c()
          .unsupported(
              "argument '"
                  + name
                  + "' of "
                  + function(call.c())
                  + " must be a list of integers given in the model config.");
    }
    return v;
  }

  private static Operand<?> getItem(Call call) {
    JsonNode spec = call.kw().get("slice_spec");
    if (spec == null) {
      throw call.c().unsupported("its slice_spec is missing.");
    }
    return slice(call.c(), call.tf(), call.first().value(), spec);
  }

  /**
   * {@code x[spec]}: integers (the axis is removed), slices as {"start", "stop", "step"} (tf.keras)
   * or {"class_name": "__slice__", "config": {...}} (Keras 3), {@code None} (a new axis) and
   * {"class_name": "__ellipsis__"}, as Keras serializes them.
   *
   * @throws UnsupportedKerasLayerException naming the layer for slices by tensors
   */
  @SuppressWarnings("unchecked")
  static Operand<?> slice(LayerConfig c, Ops tf, Operand<?> x, JsonNode spec) {
    List<JsonNode> items = new ArrayList<>();
    if (spec.isArray()) {
      spec.forEach(items::add);
    } else {
      items.add(spec);
    }
    int n = items.size();
    int[] begin = new int[n];
    int[] end = new int[n];
    int[] strides = new int[n];
    long beginMask = 0;
    long endMask = 0;
    long ellipsisMask = 0;
    long newAxisMask = 0;
    long shrinkMask = 0;
    for (int i = 0; i < n; i++) {
      JsonNode s = items.get(i);
      if (s.isObject() && s.path("class_name").asText().equals("__slice__")) {
        s = s.path("config");
      }
      strides[i] = 1;
      if (s.isIntegralNumber()) {
        begin[i] = sliceIndex(c, s);
        end[i] = begin[i] + 1;
        shrinkMask |= 1L << i;
      } else if (s.isNull()) {
        newAxisMask |= 1L << i;
      } else if (s.isObject() && s.path("class_name").asText().equals("__ellipsis__")) {
        ellipsisMask |= 1L << i;
      } else if (s.isObject() && s.has("start")) {
        if (!isIntOrNull(s.get("start"))
            || !isIntOrNull(s.get("stop"))
            || !isIntOrNull(s.get("step"))) {
          throw c.unsupported(
              "slice "
                  + s
                  + " is not made of integers; slicing by a"
                  + " tensor is not supported.");
        }
        if (s.get("start").isNull()) {
          beginMask |= 1L << i;
        } else {
          begin[i] = sliceIndex(c, s.get("start"));
        }
        if (s.get("stop") == null || s.get("stop").isNull()) {
          endMask |= 1L << i;
        } else {
          end[i] = sliceIndex(c, s.get("stop"));
        }
        if (s.get("step") != null && !s.get("step").isNull()) {
          strides[i] = sliceIndex(c, s.get("step"));
        }
      } else {
        throw c.unsupported("slice item " + s + " is not supported.");
      }
    }
    return tf.stridedSlice(
        (Operand<TType>) x,
        tf.constant(begin),
        tf.constant(end),
        tf.constant(strides),
        StridedSlice.beginMask(beginMask),
        StridedSlice.endMask(endMask),
        StridedSlice.ellipsisMask(ellipsisMask),
        StridedSlice.newAxisMask(newAxisMask),
        StridedSlice.shrinkAxisMask(shrinkMask));
  }

  private static boolean isIntOrNull(JsonNode v) {
    return v == null || v.isNull() || v.isIntegralNumber();
  }

  /** A JSON number or nested list of numbers as a float32 constant. */
  static Operand<TFloat32> constant(Ops tf, JsonNode v) {
    if (v.isNumber()) {
      return tf.constant(v.floatValue());
    }
    List<Long> shape = new ArrayList<>();
    for (JsonNode d = v; d.isArray(); d = d.get(0)) {
      shape.add((long) d.size());
      if (d.size() == 0) {
        break;
      }
    }
    List<Float> flat = new ArrayList<>();
    flatten(v, flat);
    float[] values = new float[flat.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = flat.get(i);
    }
    return tf.constant(
        org.tensorflow.ndarray.Shape.of(shape.stream().mapToLong(Long::longValue).toArray()),
        org.tensorflow.ndarray.buffer.DataBuffers.of(values, true, false));
  }

  private static void flatten(JsonNode v, List<Float> out) {
    if (v.isArray()) {
      v.forEach(e -> flatten(e, out));
    } else {
      out.add(v.floatValue());
    }
  }

  /** An index of a slice, through the checked reader. */
  private static int sliceIndex(LayerConfig c, JsonNode v) {
    return Dims.intValue(v, "slice index " + v + " of " + c.describe(), LayerConfig.FIX);
  }
}
