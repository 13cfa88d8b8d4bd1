package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.BatchNormalization;
import io.estimator4j.estimator.layers.Initializers;
import io.estimator4j.estimator.layers.LayerNormalization;
import java.util.Map;
import java.util.function.Function;

/** Keras's BatchNormalization (inference, moving statistics) and LayerNormalization. */
final class NormalizationMappers {
  private NormalizationMappers() {}

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    m.put("BatchNormalization", NormalizationMappers::batchNormalization);
    m.put("LayerNormalization", NormalizationMappers::layerNormalization);
  }

  private static KerasLayer batchNormalization(LayerContext ctx) {
    LayerConfig c = ctx.config();
    int[] axes = axes(c, -1);
    if (axes.length != 1) {
      throw c.unsupported("normalising over several axes " + java.util.Arrays.toString(axes)
          + " is not supported.");
    }
    BatchNormalization bn =
        BatchNormalization.of(c.number("momentum", 0.99), c.number("epsilon", 1e-3));
    boolean center = c.bool("center", true);
    boolean scale = c.bool("scale", true);
    var gamma = c.initializer("gamma_initializer", Initializers.ones());
    var beta = c.initializer("beta_initializer", Initializers.zeros());
    var mean = c.initializer("moving_mean_initializer", Initializers.zeros());
    var var = c.initializer("moving_variance_initializer", Initializers.ones());
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      return Mappers.sameMask(
          x,
          bn.applyInference(scope, Mappers.floats(scope, x), axes[0], center, scale,
              ctx.weights(), gamma, beta, mean, var));
    };
  }

  private static KerasLayer layerNormalization(LayerContext ctx) {
    LayerConfig c = ctx.config();
    int[] axes = axes(c, -1);
    float epsilon = (float) c.number("epsilon", 1e-3);
    boolean center = c.bool("center", true);
    boolean scale = c.bool("scale", true);
    var gamma = c.initializer("gamma_initializer", Initializers.ones());
    var beta = c.initializer("beta_initializer", Initializers.zeros());
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      return Mappers.sameMask(
          x,
          LayerNormalization.apply(scope, Mappers.floats(scope, x), axes, epsilon, center, scale,
              ctx.weights(), gamma, beta));
    };
  }

  private static int[] axes(LayerConfig c, int defaultAxis) {
    JsonNode a = c.get("axis");
    if (a == null || a.isNull()) {
      return new int[] {defaultAxis};
    }
    return a.isArray() ? c.intList("axis") : new int[] {a.asInt()};
  }
}
