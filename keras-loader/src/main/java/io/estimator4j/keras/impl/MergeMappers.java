package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.Merging;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

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
    m.put(
        "Dot", ctx -> dot(ctx, axes(ctx.config(), "axes"), ctx.config().bool("normalize", false)));
    m.put("Merge", MergeMappers::legacyMerge);
  }

  private static KerasLayer elementWise(LayerContext ctx, Merging.Op op) {
    return (scope, in, kw) ->
        List.of(
            new KTensor(
                Merging.elementWise(scope, op, Mappers.allFloats(scope, in)), andMasks(scope, in)));
  }

  private static KerasLayer concatenate(LayerContext ctx, int axis) {
    boolean keras3 = ctx.build().keras3();
    return (scope, in, kw) ->
        List.of(
            new KTensor(
                Merging.concatenate(scope, Mappers.allFloats(scope, in), axis),
                concatMask(scope, in, axis, keras3)));
  }

  /**
   * Concatenate's output mask, as Keras's {@code compute_mask}: each input's mask (all true for an
   * input without one) concatenated along the axis and reduced over the last axis. A mask of lower
   * rank than its input gets a last unit axis; Keras 2 then reduces with {@code all}, Keras 3
   * broadcasts that axis to the input's shape and reduces with {@code any}. So a mask over time
   * steps survives a concatenation of the features (Keras 2), and a concatenation along the time
   * axis concatenates the masks.
   */
  private static Operand<TBool> concatMask(Ops tf, List<KTensor> in, int axis, boolean keras3) {
    if (in.stream().allMatch(t -> t.mask() == null)) {
      return null;
    }
    List<Operand<TBool>> masks = new ArrayList<>();
    int rank = in.get(0).value().shape().numDimensions();
    for (KTensor t : in) {
      Operand<TBool> m = t.mask();
      if (m == null) {
        masks.add(tf.fill(tf.shape(t.value()), tf.constant(true)));
      } else if (m.shape().numDimensions() < t.value().shape().numDimensions()) {
        Operand<TBool> e = tf.expandDims(m, tf.constant(-1));
        masks.add(
            keras3 ? tf.math.logicalOr(e, tf.fill(tf.shape(t.value()), tf.constant(false))) : e);
      } else {
        masks.add(m);
      }
    }
    Operand<TBool> all = tf.concat(masks, tf.constant(axis < 0 ? axis + rank : axis));
    return keras3 ? tf.reduceAny(all, tf.constant(-1)) : tf.reduceAll(all, tf.constant(-1));
  }

  private static KerasLayer dot(LayerContext ctx, int[] axes, boolean normalize) {
    LayerConfig c = ctx.config();
    return (scope, in, kw) -> {
      if (in.size() != 2) {
        throw new IllegalArgumentException(c.describe() + " takes 2 inputs; found " + in.size());
      }
      return Mappers.noMask(
          Merging.dot(
              scope,
              Mappers.floats(scope, in.get(0)),
              Mappers.floats(scope, in.get(1)),
              axes,
              normalize));
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
    int axis = c.integer(key, -1);
    return new int[] {axis, axis};
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
      case "cos" -> legacyCos(ctx, axes(c, "dot_axes"));
      default -> throw c.unsupported("merge mode '" + mode + "' is not supported.");
    };
  }

  /**
   * Keras 1's Merge(mode='cos') of two {@code [batch, d]} inputs: {@code dot(x, y) /
   * max(sqrt(dot(x, x) * dot(y, y)), epsilon)} with Keras 1's epsilon 1e-7, expanded to {@code
   * [batch, 1, 1]} (Keras 1's {@code expand_dims(output, 1)}). Other ranks went through Keras 1's
   * version-dependent batch_dot and are refused.
   */
  private static KerasLayer legacyCos(LayerContext ctx, int[] axes) {
    LayerConfig c = ctx.config();
    return (scope, in, kw) -> {
      if (in.size() != 2) {
        throw new IllegalArgumentException(c.describe() + " takes 2 inputs; found " + in.size());
      }
      Operand<TFloat32> x = Mappers.floats(scope, in.get(0));
      Operand<TFloat32> y = Mappers.floats(scope, in.get(1));
      if (x.shape().numDimensions() != 2
          || y.shape().numDimensions() != 2
          || Math.floorMod(axes[0], 2) != 1
          || Math.floorMod(axes[1], 2) != 1) {
        throw c.unsupported(
            "mode 'cos' is supported for two inputs of rank 2 over axis 1; found"
                + " shapes "
                + x.shape()
                + " and "
                + y.shape()
                + ".");
      }
      Operand<TInt32> one = scope.constant(1);
      Operand<TFloat32> xy = scope.reduceSum(scope.math.mul(x, y), one, ReduceSum.keepDims(true));
      Operand<TFloat32> xx = scope.reduceSum(scope.math.square(x), one, ReduceSum.keepDims(true));
      Operand<TFloat32> yy = scope.reduceSum(scope.math.square(y), one, ReduceSum.keepDims(true));
      Operand<TFloat32> den =
          scope.math.maximum(scope.math.sqrt(scope.math.mul(xx, yy)), scope.constant(1e-7f));
      return Mappers.noMask(scope.expandDims(scope.math.div(xy, den), one));
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
