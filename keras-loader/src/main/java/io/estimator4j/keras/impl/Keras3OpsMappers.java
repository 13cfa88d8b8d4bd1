package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.layers.ActivationLayers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceMin;
import org.tensorflow.op.core.ReduceProd;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.math.Mean;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Keras 3 operations in a functional model: {@code x + y}, {@code x[:, 0]}, {@code
 * keras.ops.mean(x, axis=1)} on Keras tensors become nodes of class {@code Add}, {@code GetItem},
 * {@code Mean} ... with module {@code keras.src.ops.numpy}, {@code keras.src.ops.nn}, {@code
 * keras.src.ops.math} or {@code keras.src.ops.core}; their settings are in the config, their
 * arguments (tensors and constants) in the node. They are registered as {@code ops:<class>} so
 * that they cannot be mistaken for the layers of the same name (the Add layer takes a list).
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
      JsonNode v = c.get(key);
      if (v == null || v.isNull()) {
        return null;
      }
      return v.isArray() ? c.intList(key) : new int[] {v.asInt()};
    }
  }

  private static Operand<TFloat32> constant(Ops tf, JsonNode v) {
    if (v.isObject() && List.of("__numpy__", "__tensor__").contains(
        v.path("class_name").asText())) {
      v = v.path("config").path("value");
    }
    if (!v.isNumber() && !v.isArray()) {
      throw new IllegalArgumentException("Constant argument " + v + " is not a number or an"
          + " array of numbers.");
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
        ? PREFIX + cls : cls;
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

  /** The Keras 3 operations this loader rebuilds. */
  static TreeSet<String> supportedOps() {
    return new TreeSet<>(OPS.keySet());
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

  @FunctionalInterface
  private interface Reduction {
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x, Operand<TInt32> axes, boolean keep);
  }

  private static Function<Call, Operand<?>> reduce(Reduction r) {
    return call -> {
      Operand<TFloat32> x = call.floats(0);
      int[] axes = call.ints("axis");
      if (axes == null) {
        axes = new int[x.shape().numDimensions()];
        for (int i = 0; i < axes.length; i++) {
          axes[i] = i;
        }
      }
      return r.apply(call.tf(), x, call.tf().constant(axes),
          call.c().bool("keepdims", false));
    };
  }

  private static Map<String, Function<Call, Operand<?>>> ops() {
    Map<String, Function<Call, Operand<?>>> m = new HashMap<>();
    Map<String, java.util.function.BiFunction<Ops, List<Operand<TFloat32>>, Operand<TFloat32>>>
        binary = Map.of(
            "Add", (tf, a) -> tf.math.add(a.get(0), a.get(1)),
            "Subtract", (tf, a) -> tf.math.sub(a.get(0), a.get(1)),
            "Multiply", (tf, a) -> tf.math.mul(a.get(0), a.get(1)),
            "Divide", (tf, a) -> tf.math.div(a.get(0), a.get(1)),
            "TrueDivide", (tf, a) -> tf.math.div(a.get(0), a.get(1)),
            "Power", (tf, a) -> tf.math.pow(a.get(0), a.get(1)),
            "Maximum", (tf, a) -> tf.math.maximum(a.get(0), a.get(1)),
            "Minimum", (tf, a) -> tf.math.minimum(a.get(0), a.get(1)));
    binary.forEach((name, f) ->
        m.put(name, call -> f.apply(call.tf(), List.of(call.floats(0), call.floats(1)))));
    unary(m, "Negative", (tf, x) -> tf.math.neg(x));
    unary(m, "Exp", (tf, x) -> tf.math.exp(x));
    unary(m, "Log", (tf, x) -> tf.math.log(x));
    unary(m, "Sqrt", (tf, x) -> tf.math.sqrt(x));
    unary(m, "Rsqrt", (tf, x) -> tf.math.rsqrt(x));
    unary(m, "Square", (tf, x) -> tf.math.square(x));
    unary(m, "Absolute", (tf, x) -> tf.math.abs(x));
    unary(m, "Abs", (tf, x) -> tf.math.abs(x));
    unary(m, "Reciprocal", (tf, x) -> tf.math.reciprocal(x));
    unary(m, "Sin", (tf, x) -> tf.math.sin(x));
    unary(m, "Cos", (tf, x) -> tf.math.cos(x));
    unary(m, "Tanh", (tf, x) -> tf.math.tanh(x));
    unary(m, "Erf", (tf, x) -> tf.math.erf(x));
    unary(m, "Relu", (tf, x) -> tf.nn.relu(x));
    unary(m, "Relu6", (tf, x) -> tf.nn.relu6(x));
    unary(m, "Sigmoid", (tf, x) -> tf.math.sigmoid(x));
    unary(m, "Softplus", (tf, x) -> tf.math.softplus(x));
    unary(m, "Silu", (tf, x) -> tf.math.mul(x, tf.math.sigmoid(x)));
    unary(m, "Selu", (tf, x) -> tf.nn.selu(x));
    m.put("Elu", call -> {
      float alpha = (float) call.c().number("alpha", 1.0);
      return ActivationLayers.elu(call.tf(), call.floats(0), alpha);
    });
    m.put("LeakyRelu", call -> ActivationLayers.leakyRelu(call.tf(), call.floats(0),
        (float) call.c().number("negative_slope", 0.2)));
    m.put("Gelu", call -> call.c().bool("approximate", true)
        ? TfOpLambdaMappers.geluApproximate(call.tf(), call.floats(0))
        : Activation.GELU.apply(call.tf(), call.floats(0)));
    m.put("Softmax", call -> {
      int[] axes = call.ints("axis");
      return ActivationLayers.softmax(call.tf(), call.floats(0),
          axes == null ? new int[] {-1} : axes);
    });
    m.put("Mean", reduce((tf, x, a, k) -> tf.math.mean(x, a, Mean.keepDims(k))));
    m.put("Sum", reduce((tf, x, a, k) -> tf.reduceSum(x, a, ReduceSum.keepDims(k))));
    m.put("Max", reduce((tf, x, a, k) -> tf.reduceMax(x, a, ReduceMax.keepDims(k))));
    m.put("Min", reduce((tf, x, a, k) -> tf.reduceMin(x, a, ReduceMin.keepDims(k))));
    m.put("Prod", reduce((tf, x, a, k) -> tf.reduceProd(x, a, ReduceProd.keepDims(k))));
    m.put("Reshape", call -> {
      int[] shape = call.ints("newshape");
      if (shape == null) {
        throw call.c().unsupported("its newshape is missing.");
      }
      return call.tf().reshape(call.tensor(0).value(), call.tf().constant(shape));
    });
    m.put("ExpandDims", call -> call.tf().expandDims(call.tensor(0).value(),
        call.tf().constant(call.c().integer("axis", 0))));
    m.put("Squeeze", call -> {
      int[] axes = call.ints("axis");
      Operand<?> x = call.tensor(0).value();
      return axes == null ? call.tf().squeeze(x) : call.tf().squeeze(x,
          Squeeze.axis(java.util.Arrays.stream(axes).mapToObj(a -> (long) a).toList()));
    });
    m.put("Transpose", call -> {
      int[] axes = call.ints("axes");
      Operand<?> x = call.tensor(0).value();
      if (axes == null) {
        int r = x.shape().numDimensions();
        axes = new int[r];
        for (int i = 0; i < r; i++) {
          axes[i] = r - 1 - i;
        }
      }
      return call.tf().linalg.transpose(x, call.tf().constant(axes));
    });
    m.put("Concatenate", call -> call.tf().concat(list(call, 0),
        call.tf().constant(call.c().integer("axis", 0))));
    m.put("Stack", call -> call.tf().stack(list(call, 0),
        org.tensorflow.op.core.Stack.axis((long) call.c().integer("axis", 0))));
    m.put("Tile", call -> {
      int[] repeats = call.ints("repeats");
      if (repeats == null) {
        throw call.c().unsupported("its repeats are missing.");
      }
      return call.tf().tile(call.tensor(0).value(), call.tf().constant(repeats));
    });
    m.put("Matmul", call -> call.tf().train.batchMatMul(call.floats(0), call.floats(1),
        TFloat32.class, new BatchMatMul.Options[0]));
    m.put("Clip", call -> call.tf().clipByValue(call.floats(0),
        call.tf().constant((float) call.c().number("x_min", Double.NEGATIVE_INFINITY)),
        call.tf().constant((float) call.c().number("x_max", Double.POSITIVE_INFINITY))));
    m.put("GetItem", call -> {
      Object key = call.args().size() > 1 ? call.args().get(1) : null;
      if (!(key instanceof JsonNode k)) {
        throw call.c().unsupported("slicing by a tensor is not supported.");
      }
      return TfOpLambdaMappers.slice(call.c(), call.tf(), call.tensor(0).value(), k);
    });
    return m;
  }

  private static void unary(Map<String, Function<Call, Operand<?>>> m, String name,
      java.util.function.BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> f) {
    m.put(name, call -> f.apply(call.tf(), call.floats(0)));
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
        throw call.c().unsupported("argument " + (i + 1) + " holds a constant; only Keras"
            + " tensors are supported there.");
      }
      out.add((Operand<TType>) t.value());
    }
    return out;
  }
}
