package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import org.tensorflow.op.Ops;

/**
 * What a layer mapper receives when its layer is created: the layer's config, its weights, its
 * scope, and (for wrappers and nested models) the stored weights below it.
 */
public record LayerContext(
    BuildContext build,
    LayerConfig config,
    LoadedWeights weights,
    WeightScope nestedWeights,
    String keras3Key,
    Ops scope) {

  /** A context for a layer wrapped by this one (TimeDistributed, Bidirectional), same weights. */
  public LayerContext wrapped(JsonNode layerSpec, Ops innerScope) {
    String cls = layerSpec.path("class_name").asText();
    JsonNode cfg = layerSpec.path("config");
    String name = cfg.path("name").asText(config.name() + "_inner");
    return new LayerContext(
        build,
        new LayerConfig(name, cls, cfg, build.keras3(), build.source()),
        weights,
        nestedWeights,
        keras3Key,
        innerScope);
  }
}
