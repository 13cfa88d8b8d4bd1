package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.layers.ActivationLayers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Keras 3 operations in a functional model: {@code x + y}, {@code x[:, 0]}, {@code
 * keras.ops.mean(x, axis=1)} on Keras tensors become nodes of class {@code Add}, {@code GetItem},
 * {@code Mean} ... with module {@code keras.src.ops.numpy}, {@code keras.src.ops.nn}, {@code
 * keras.src.ops.math} or {@code keras.src.ops.core}; their settings are in the config, their
 * arguments (tensors and constants) in the node. They are registered as {@code ops:<class>} so that
 * they cannot be mistaken for the layers of the same name (the Add layer takes a list).
 */
final class Keras3OpsMappers {
  private Keras3OpsMappers() {}

  private static final String PREFIX = "ops:";

  /** One call: the positional arguments (tensors or JSON constants) and the op's config. */
  private record Call(LayerConfig c, Ops tf, List<Object> args) {
    /** Argument {@code i} as float32: a tensor, or a number or nested list of numbers. */
    Operand<TFloat32> floats(int i) {
      if (i >= args.size()) {
        throw c.unsupported("argument " + (i + 1) + " is missing.");
      }
      Object a = args.get(i);
      return a instanceof KTensor t ? Mappers.floats(tf, t) : constant(tf, (JsonNode) a);
    }

    /** Argument {@code i}, which must be a tensor. */
    KTensor tensor(int i) {
      Object a = i < args.size() ? args.get(i) : null;
      if (!(a instanceof KTensor t)) {
        throw c.unsupported("argument " + (i + 1) + " must be a Keras tensor; found " + a + ".");
      }
      return t;
    }

    /** An int or list of ints in the config; null when absent or null. */
    int[] ints(String key) {
      return c.intOrList(key);
    }
  }

  private static Operand<TFloat32> constant(Ops tf, JsonNode v) {
    if (v.isObject()
        && List.of("__numpy__", "__tensor__").contains(v.path("class_name").asText())) {
      v = v.path("config").path("value");
    }
    if (!v.isNumber() && !v.isArray()) {
      throw new IllegalArgumentException(
          "Constant argument " + v + " is not a number or an" + " array of numbers.");
    }
    return TfOpLambdaMappers.constant(tf, v);
  }

  private static final Map<String, Function<Call, Operand<?>>> OPS = ops();

  /**
   * The registry key of a functional model entry: {@code ops:<class>} for a Keras 3 operation
   * (module {@code keras.src.ops.*}), else its class name.
   */
  static String className(JsonNode spec) {
    String cls = spec.path("class_name").asText();
    String module = spec.path("module").asText("");
    return module.startsWith("keras.src.ops") || module.startsWith("keras.ops")
        ? PREFIX + cls
        : cls;
  }

  /** The class name Keras shows for a registry key ({@code ops:Add} -> {@code Add}). */
  static String displayName(String key) {
    return key.startsWith(PREFIX) ? key.substring(PREFIX.length()) : key;
  }

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    for (String op : OPS.keySet()) {
      m.put(PREFIX + op, Keras3OpsMappers::create);
    }
  }

  private static KerasLayer create(LayerContext ctx) {
    LayerConfig c = ctx.config();
    String op = c.className().substring(PREFIX.length());
    Function<Call, Operand<?>> f = OPS.get(op);
    return (scope, in, kw) -> {
      JsonNode argsJson = kw.path(Network.ARGS);
      List<Object> args = new ArrayList<>();
      int[] next = {0};
      for (JsonNode a : argsJson) {
        args.add(resolve(a, in, next));
      }
      return Mappers.noMask(f.apply(new Call(c, scope, args)));
    };
  }

  /** A Keras tensor argument becomes the next input; lists of tensors a list; others stay JSON. */
  private static Object resolve(JsonNode a, List<KTensor> in, int[] next) {
    if (a.isObject() && a.path("class_name").asText().equals("__keras_tensor__")) {
      return in.get(next[0]++);
    }
    if (a.isArray() && Network.tensorCount(a) > 0) {
      List<Object> items = new ArrayList<>();
      for (JsonNode e : a) {
        items.add(resolve(e, in, next));
      }
      return items;
    }
    return a;
  }

  private static Map<String, Function<Call, Operand<?>>> ops() {
    Map<String, Function<Call, Operand<?>>> m = new HashMap<>();
    Map<String, String> binary =
        Map.of(
            "Add",
            "add",
            "Subtract",
            "subtract",
            "Multiply",
            "multiply",
            "Divide",
            "divide",
            "TrueDivide",
            "divide",
            "Power",
            "pow",
            "Maximum",
            "maximum",
            "Minimum",
            "minimum");
    binary.forEach(
        (op, f) -> {
          TensorFunctions.BinaryFunction fn = TensorFunctions.BINARY.get(f);
          m.put(op, call -> fn.apply(call.tf(), call.floats(0), call.floats(1)));
        });
    Map<String, String> unary =
        Map.ofEntries(
            Map.entry("Negative", "negative"),
            Map.entry("Exp", "exp"),
            Map.entry("Log", "log"),
            Map.entry("Sqrt", "sqrt"),
            Map.entry("Rsqrt", "rsqrt"),
            Map.entry("Square", "square"),
            Map.entry("Absolute", "abs"),
            Map.entry("Abs", "abs"),
            Map.entry("Reciprocal", "reciprocal"),
            Map.entry("Sin", "sin"),
            Map.entry("Cos", "cos"),
            Map.entry("Tanh", "tanh"),
            Map.entry("Erf", "erf"),
            Map.entry("Relu", "relu"),
            Map.entry("Relu6", "relu6"),
            Map.entry("Sigmoid", "sigmoid"),
            Map.entry("Softplus", "softplus"),
            Map.entry("Silu", "silu"),
            Map.entry("Selu", "selu"));
    unary.forEach(
        (op, f) -> {
          java.util.function.BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> fn =
              TensorFunctions.UNARY.get(f);
          m.put(op, call -> fn.apply(call.tf(), call.floats(0)));
        });
    m.put(
        "Elu",
        call -> {
          float alpha = (float) call.c().number("alpha", 1.0);
          return ActivationLayers.elu(call.tf(), call.floats(0), alpha);
        });
    m.put(
        "LeakyRelu",
        call ->
            ActivationLayers.leakyRelu(
                call.tf(), call.floats(0), (float) call.c().number("negative_slope", 0.2)));
    m.put(
        "Gelu",
        call ->
            call.c().bool("approximate", true)
                ? TfOpLambdaMappers.geluApproximate(call.tf(), call.floats(0))
                : Activation.GELU.apply(call.tf(), call.floats(0)));
    m.put(
        "Softmax",
        call -> {
          int[] axes = call.ints("axis");
          return ActivationLayers.softmax(
              call.tf(), call.floats(0), axes == null ? new int[] {-1} : axes);
        });
    TensorFunctions.REDUCTIONS.forEach(
        (name, r) ->
            m.put(
                Character.toUpperCase(name.charAt(0)) + name.substring(1),
                call ->
                    TensorFunctions.reduce(
                        call.tf(),
                        r,
                        call.floats(0),
                        call.ints("axis"),
                        call.c().bool("keepdims", false))));
    m.put(
        "Reshape",
        call -> {
          int[] shape = call.ints("newshape");
          if (shape == null) {
            throw call.c().unsupported("its newshape is missing.");
          }
          return call.tf().reshape(call.tensor(0).value(), call.tf().constant(shape));
        });
    m.put(
        "ExpandDims",
        call ->
            call.tf()
                .expandDims(
                    call.tensor(0).value(), call.tf().constant(call.c().integer("axis", 0))));
    m.put(
        "Squeeze",
        call -> TensorFunctions.squeeze(call.tf(), call.tensor(0).value(), call.ints("axis")));
    m.put(
        "Transpose",
        call -> TensorFunctions.transpose(call.tf(), call.tensor(0).value(), call.ints("axes")));
    m.put(
        "Concatenate",
        call -> call.tf().concat(list(call, 0), call.tf().constant(call.c().integer("axis", 0))));
    m.put(
        "Stack",
        call ->
            call.tf()
                .stack(
                    list(call, 0),
                    org.tensorflow.op.core.Stack.axis((long) call.c().integer("axis", 0))));
    m.put(
        "Tile",
        call -> {
          int[] repeats = call.ints("repeats");
          if (repeats == null) {
            throw call.c().unsupported("its repeats are missing.");
          }
          return call.tf().tile(call.tensor(0).value(), call.tf().constant(repeats));
        });
    m.put(
        "Matmul",
        call ->
            call.tf()
                .train
                .batchMatMul(
                    call.floats(0), call.floats(1), TFloat32.class, new BatchMatMul.Options[0]));
    m.put(
        "Clip",
        call ->
            call.tf()
                .clipByValue(
                    call.floats(0),
                    call.tf().constant((float) call.c().number("x_min", Double.NEGATIVE_INFINITY)),
                    call.tf()
                        .constant((float) call.c().number("x_max", Double.POSITIVE_INFINITY))));
    m.put(
        "GetItem",
        call -> {
          Object key = call.args().size() > 1 ? call.args().get(1) : null;
          if (!(key instanceof JsonNode k)) {
            throw call.c().unsupported("slicing by a tensor is not supported.");
          }
          return TfOpLambdaMappers.slice(call.c(), call.tf(), call.tensor(0).value(), k);
        });
    return m;
  }

  /** Argument {@code i} as a list of tensors (ops.concatenate([a, b])). */
  @SuppressWarnings("unchecked")
  private static List<Operand<TType>> list(Call call, int i) {
    Object a = i < call.args().size() ? call.args().get(i) : null;
    if (!(a instanceof List<?> items)) {
      throw call.c().unsupported("argument " + (i + 1) + " must be a list of Keras tensors.");
    }
    List<Operand<TType>> out = new ArrayList<>();
    for (Object o : items) {
      if (!(o instanceof KTensor t)) {
        throw call.c()
            .unsupported(
                "argument "
                    + (i + 1)
                    + " holds a constant; only Keras"
                    + " tensors are supported there.");
      }
      out.add((Operand<TType>) t.value());
    }
    return out;
  }
}
