package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.ActivationLayers;
import io.estimator4j.graph.Initializers;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/** Keras's activation layers: LeakyReLU, PReLU, ELU, ReLU, Softmax, ThresholdedReLU. */
final class ActivationMappers {
  private ActivationMappers() {}

  /**
   * Softmax with the mask Keras passes to its {@code call}: {@code x + (1 - mask) * -1e9} (Keras's
   * large negative number for float32), then the softmax; Keras 3.10 and later also multiply the
   * result by the mask (a fully masked slice gives zeros). tf.keras added the mask argument during
   * 2.x; files saved before 2.5 are refused when a mask reaches the layer, as the version that
   * saved them may not have applied it.
   */
  private static Operand<TFloat32> maskedSoftmax(
      LayerContext ctx, Ops tf, Operand<TFloat32> x, Operand<TBool> mask, int[] axes) {
    LayerConfig c = ctx.config();
    int[] version = version(ctx.build().kerasVersion().orElse(""));
    if (!ctx.build().keras3() && (version[0] < 2 || (version[0] == 2 && version[1] < 5))) {
      throw c.unsupported(
          "a mask reaches this Softmax layer, and tf.keras "
              + ctx.build().kerasVersion().orElse("(version not recorded)")
              + " may not have applied"
              + " it (tf.keras applies Softmax masks from 2.5). Fix: remove the mask before the layer"
              + " or save the model with a newer Keras.");
    }
    Operand<TFloat32> m = tf.dtypes.cast(mask, TFloat32.class);
    Operand<TFloat32> adder = tf.math.mul(tf.math.sub(tf.constant(1f), m), tf.constant(-1e9f));
    Operand<TFloat32> y = ActivationLayers.softmax(tf, tf.math.add(x, adder), axes);
    if (ctx.build().keras3() && (version[0] > 3 || (version[0] == 3 && version[1] >= 10))) {
      y = tf.math.mul(y, m);
    }
    return y;
  }

  /** major and minor of a Keras version ("2.4.0" -> {2, 4}); {0, 0} when unreadable. */
  static int[] version(String v) {
    java.util.regex.Matcher mt = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(v);
    return mt.find()
        ? new int[] {Integer.parseInt(mt.group(1)), Integer.parseInt(mt.group(2))}
        : new int[] {0, 0};
  }

  /** The layer classes Keras accepts as another layer's {@code activation}. */
  private static final java.util.Set<String> ACTIVATION_LAYERS =
      java.util.Set.of(
          "LeakyReLU", "ReLU", "ELU", "ThresholdedReLU", "Softmax", "Activation", "PReLU");

  /** Whether {@code spec} is an activation layer serialized as an activation. */
  static boolean isActivationLayer(JsonNode spec) {
    return ACTIVATION_LAYERS.contains(spec.path("class_name").asText())
        && !spec.path("config").isTextual();
  }

  /**
   * An activation layer ({@code {"class_name": "LeakyReLU", "config": {"alpha": 0.3}}}, Keras 3's
   * {@code {"module": "keras.layers", "class_name": "LeakyReLU", "config": {"negative_slope":
   * 0.3}}}) given as the {@code activation} of {@code owner}: tf.keras's {@code activations.get}
   * deserializes it into a layer and calls it, so it computes what the layer computes, with the
   * same config keys and defaults as the layer mappers above. PReLU owns a weight Keras tracks
   * inside the owning layer, which this loader does not read: refused.
   */
  static io.estimator4j.estimator.layers.Activation asActivation(LayerConfig owner, JsonNode spec) {
    String cls = spec.path("class_name").asText();
    JsonNode json = spec.path("config");
    LayerConfig c =
        new LayerConfig(
            owner.name(),
            owner.className(),
            json.isObject() ? json : null,
            owner.keras3(),
            owner.source());
    switch (cls) {
      case "LeakyReLU" -> {
        float alpha =
            c.has("negative_slope")
                ? (float) c.number("negative_slope", 0.3)
                : (float) c.number("alpha", 0.3);
        return named("LeakyReLU", (tf, x) -> ActivationLayers.leakyRelu(tf, x, alpha));
      }
      case "ELU" -> {
        float alpha = (float) c.number("alpha", 1.0);
        return named("ELU", (tf, x) -> ActivationLayers.elu(tf, x, alpha));
      }
      case "ReLU" -> {
        Float maxValue = c.optionalFloat("max_value");
        float slope = (float) c.number("negative_slope", 0.0);
        float threshold = (float) c.number("threshold", 0.0);
        return named("ReLU", (tf, x) -> ActivationLayers.relu(tf, x, maxValue, slope, threshold));
      }
      case "ThresholdedReLU" -> {
        float theta = (float) c.number("theta", 1.0);
        return named("ThresholdedReLU", (tf, x) -> ActivationLayers.thresholdedRelu(tf, x, theta));
      }
      case "Softmax" -> {
        JsonNode axis = c.get("axis");
        int[] axes =
            axis == null || axis.isNull()
                ? new int[] {-1}
                : axis.isArray() ? c.intList("axis") : new int[] {axis.asInt()};
        return named("Softmax", (tf, x) -> ActivationLayers.softmax(tf, x, axes));
      }
      case "Activation" -> {
        return owner.activation(json.get("activation"));
      }
      default ->
          throw owner.unsupported(
              "its activation is a "
                  + cls
                  + " layer, which owns weights Keras keeps inside the layer; this loader does not"
                  + " read them. Fix: apply "
                  + cls
                  + " as a separate layer after this one.");
    }
  }

  private static io.estimator4j.estimator.layers.Activation named(
      String name, io.estimator4j.estimator.layers.Activation f) {
    return new io.estimator4j.estimator.layers.Activation() {
      @Override
      public Operand<TFloat32> apply(Ops tf, Operand<TFloat32> x) {
        return f.apply(tf, x);
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    m.put(
        "LeakyReLU",
        ctx -> {
          LayerConfig c = ctx.config();
          // Keras 2 says alpha (default 0.3), Keras 3 negative_slope (same default)
          float alpha =
              c.has("negative_slope")
                  ? (float) c.number("negative_slope", 0.3)
                  : (float) c.number("alpha", 0.3);
          return (scope, in, kw) -> {
            KTensor x = Mappers.single(c, in);
            return Mappers.sameMask(
                x, ActivationLayers.leakyRelu(scope, Mappers.floats(scope, x), alpha));
          };
        });
    m.put(
        "ELU",
        ctx -> {
          float alpha = (float) ctx.config().number("alpha", 1.0);
          return (scope, in, kw) -> {
            KTensor x = Mappers.single(ctx.config(), in);
            return Mappers.sameMask(
                x, ActivationLayers.elu(scope, Mappers.floats(scope, x), alpha));
          };
        });
    m.put(
        "ReLU",
        ctx -> {
          LayerConfig c = ctx.config();
          Float maxValue = c.optionalFloat("max_value");
          float slope = (float) c.number("negative_slope", 0.0);
          float threshold = (float) c.number("threshold", 0.0);
          return (scope, in, kw) -> {
            KTensor x = Mappers.single(c, in);
            return Mappers.sameMask(
                x,
                ActivationLayers.relu(scope, Mappers.floats(scope, x), maxValue, slope, threshold));
          };
        });
    m.put(
        "ThresholdedReLU",
        ctx -> {
          float theta = (float) ctx.config().number("theta", 1.0);
          return (scope, in, kw) -> {
            KTensor x = Mappers.single(ctx.config(), in);
            return Mappers.sameMask(
                x, ActivationLayers.thresholdedRelu(scope, Mappers.floats(scope, x), theta));
          };
        });
    m.put(
        "Softmax",
        ctx -> {
          JsonNode axis = ctx.config().get("axis");
          int[] axes;
          if (axis == null || axis.isNull()) {
            axes = new int[] {-1};
          } else if (axis.isArray()) {
            axes = ctx.config().intList("axis");
          } else {
            axes = ctx.config().intOrList("axis");
          }
          return (scope, in, kw) -> {
            KTensor x = Mappers.single(ctx.config(), in);
            Operand<TFloat32> v = Mappers.floats(scope, x);
            if (x.mask() == null || ctx.build().standaloneKeras()) {
              // standalone Keras's Softmax.call takes no mask
              return Mappers.sameMask(x, ActivationLayers.softmax(scope, v, axes));
            }
            return Mappers.sameMask(x, maskedSoftmax(ctx, scope, v, x.mask(), axes));
          };
        });
    m.put(
        "PReLU",
        ctx -> {
          LayerConfig c = ctx.config();
          int[] shared = c.intOrList("shared_axes");
          int[] sharedAxes = shared == null ? new int[0] : shared;
          var init = c.initializer("alpha_initializer", Initializers.zeros());
          return (scope, in, kw) -> {
            KTensor x = Mappers.single(c, in);
            return Mappers.sameMask(
                x,
                ActivationLayers.prelu(
                    scope, Mappers.floats(scope, x), ctx.weights(), init, sharedAxes));
          };
        });
  }
}
