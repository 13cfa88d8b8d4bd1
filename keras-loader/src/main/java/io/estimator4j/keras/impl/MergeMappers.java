package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.Merging;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;


/**
 * Keras's merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot, and
 * Keras 1's Merge (modes concat, sum, mul, ave, max, dot, cos).
 */
final class MergeMappers {
  private MergeMappers() {}

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    m.put("Add", ctx -> elementWise(ctx, Merging.Op.ADD));
    m.put("Subtract", ctx -> elementWise(ctx, Merging.Op.SUBTRACT));
    m.put("Multiply", ctx -> elementWise(ctx, Merging.Op.MULTIPLY));
    m.put("Average", ctx -> elementWise(ctx, Merging.Op.AVERAGE));
    m.put("Maximum", ctx -> elementWise(ctx, Merging.Op.MAXIMUM));
    m.put("Minimum", ctx -> elementWise(ctx, Merging.Op.MINIMUM));
    m.put("Concatenate", ctx -> concatenate(ctx, ctx.config().integer("axis", -1)));
    m.put("Dot", ctx -> dot(ctx, axes(ctx.config(), "axes"), ctx.config().bool("normalize", false)));
    m.put("Merge", MergeMappers::legacyMerge);
  }

  private static KerasLayer elementWise(LayerContext ctx, Merging.Op op) {
    return (scope, in, kw) ->
        List.of(new KTensor(
            Merging.elementWise(scope, op, Mappers.allFloats(scope, in)), andMasks(scope, in)));
  }

  private static KerasLayer concatenate(LayerContext ctx, int axis) {
    return (scope, in, kw) ->
        List.of(new KTensor(
            Merging.concatenate(scope, Mappers.allFloats(scope, in), axis), andMasks(scope, in)));
  }

  private static KerasLayer dot(LayerContext ctx, int[] axes, boolean normalize) {
    LayerConfig c = ctx.config();
    return (scope, in, kw) -> {
      if (in.size() != 2) {
        throw new IllegalArgumentException(c.describe() + " takes 2 inputs; found " + in.size());
      }
      return Mappers.noMask(Merging.dot(scope, Mappers.floats(scope, in.get(0)),
          Mappers.floats(scope, in.get(1)), axes, normalize));
    };
  }

  private static int[] axes(LayerConfig c, String key) {
    JsonNode a = c.get(key);
    if (a == null || a.isNull()) {
      return new int[] {-1, -1};
    }
    if (a.isArray()) {
      int[] v = c.intList(key);
      return v.length == 1 ? new int[] {v[0], v[0]} : v;
    }
    return new int[] {a.asInt(), a.asInt()};
  }

  private static KerasLayer legacyMerge(LayerContext ctx) {
    LayerConfig c = ctx.config();
    String mode = c.string("mode", "sum");
    if (!c.string("mode_type", "raw").equals("raw")) {
      throw c.unsupported("its merge mode is a Python function, which is never executed.");
    }
    return switch (mode) {
      case "concat" -> concatenate(ctx, c.integer("concat_axis", -1));
      case "sum" -> elementWise(ctx, Merging.Op.ADD);
      case "mul" -> elementWise(ctx, Merging.Op.MULTIPLY);
      case "ave" -> elementWise(ctx, Merging.Op.AVERAGE);
      case "max" -> elementWise(ctx, Merging.Op.MAXIMUM);
      case "dot" -> dot(ctx, axes(c, "dot_axes"), false);
      case "cos" -> dot(ctx, axes(c, "dot_axes"), true);
      default -> throw c.unsupported("merge mode '" + mode + "' is not supported.");
    };
  }

  /** Keras merges masks by logical and (inputs without a mask count as all true). */
  private static Operand<TBool> andMasks(Ops tf, List<KTensor> in) {
    Operand<TBool> out = null;
    for (KTensor t : in) {
      if (t.mask() != null) {
        out = out == null ? t.mask() : tf.math.logicalAnd(out, t.mask());
      }
    }
    return out;
  }

}
