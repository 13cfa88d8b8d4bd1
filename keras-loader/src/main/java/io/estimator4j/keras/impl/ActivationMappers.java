package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.ActivationLayers;
import io.estimator4j.estimator.layers.Initializers;
import java.util.Map;
import java.util.function.Function;

/** Keras's activation layers: LeakyReLU, PReLU, ELU, ReLU, Softmax, ThresholdedReLU. */
final class ActivationMappers {
  private ActivationMappers() {}

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    m.put("LeakyReLU", ctx -> {
      LayerConfig c = ctx.config();
      // Keras 2 says alpha (default 0.3), Keras 3 negative_slope (same default)
      float alpha = c.has("negative_slope")
          ? (float) c.number("negative_slope", 0.3) : (float) c.number("alpha", 0.3);
      return (scope, in, kw) -> {
        KTensor x = Mappers.single(c, in);
        return Mappers.sameMask(x, ActivationLayers.leakyRelu(scope, Mappers.floats(scope, x), alpha));
      };
    });
    m.put("ELU", ctx -> {
      float alpha = (float) ctx.config().number("alpha", 1.0);
      return (scope, in, kw) -> {
        KTensor x = Mappers.single(ctx.config(), in);
        return Mappers.sameMask(x, ActivationLayers.elu(scope, Mappers.floats(scope, x), alpha));
      };
    });
    m.put("ReLU", ctx -> {
      LayerConfig c = ctx.config();
      Float maxValue = c.optionalFloat("max_value");
      float slope = (float) c.number("negative_slope", 0.0);
      float threshold = (float) c.number("threshold", 0.0);
      return (scope, in, kw) -> {
        KTensor x = Mappers.single(c, in);
        return Mappers.sameMask(
            x, ActivationLayers.relu(scope, Mappers.floats(scope, x), maxValue, slope, threshold));
      };
    });
    m.put("ThresholdedReLU", ctx -> {
      float theta = (float) ctx.config().number("theta", 1.0);
      return (scope, in, kw) -> {
        KTensor x = Mappers.single(ctx.config(), in);
        return Mappers.sameMask(
            x, ActivationLayers.thresholdedRelu(scope, Mappers.floats(scope, x), theta));
      };
    });
    m.put("Softmax", ctx -> {
      JsonNode axis = ctx.config().get("axis");
      int[] axes;
      if (axis == null || axis.isNull()) {
        axes = new int[] {-1};
      } else if (axis.isArray()) {
        axes = ctx.config().intList("axis");
      } else {
        axes = new int[] {axis.asInt()};
      }
      return (scope, in, kw) -> {
        KTensor x = Mappers.single(ctx.config(), in);
        return Mappers.sameMask(x, ActivationLayers.softmax(scope, Mappers.floats(scope, x), axes));
      };
    });
    m.put("PReLU", ctx -> {
      LayerConfig c = ctx.config();
      JsonNode shared = c.get("shared_axes");
      int[] sharedAxes =
          shared == null || shared.isNull()
              ? new int[0]
              : shared.isArray() ? c.intList("shared_axes") : new int[] {shared.asInt()};
      var init = c.initializer("alpha_initializer", Initializers.zeros());
      return (scope, in, kw) -> {
        KTensor x = Mappers.single(c, in);
        return Mappers.sameMask(
            x,
            ActivationLayers.prelu(scope, Mappers.floats(scope, x), ctx.weights(), init,
                sharedAxes));
      };
    });
  }
}
