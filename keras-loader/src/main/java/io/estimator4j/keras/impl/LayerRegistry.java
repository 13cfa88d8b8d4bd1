package io.estimator4j.keras.impl;

import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Keras class name to layer mapper. Each family of mappers registers itself here; every mapper
 * builds its layer with the builders of io.estimator4j.estimator.layers.
 */
public final class LayerRegistry {
  private static final Map<String, Function<LayerContext, KerasLayer>> MAPPERS;

  static {
    Map<String, Function<LayerContext, KerasLayer>> m = new HashMap<>();
    CoreMappers.register(m);
    ActivationMappers.register(m);
    ConvolutionMappers.register(m);
    MergeMappers.register(m);
    NormalizationMappers.register(m);
    RecurrentMappers.register(m);
    AttentionMappers.register(m);
    TfOpLambdaMappers.register(m);
    PreprocessingMappers.register(m);
    LookupMappers.register(m);
    Keras3OpsMappers.register(m);
    MAPPERS = Collections.unmodifiableMap(m);
  }

  private LayerRegistry() {}

  /** The Keras classes this loader builds. */
  public static Set<String> supportedClasses() {
    return new TreeSet<>(MAPPERS.keySet());
  }

  /**
   * Creates the mapper of the context's layer.
   *
   * @throws UnsupportedKerasLayerException naming the layer and its class when unknown
   */
  public static KerasLayer create(LayerContext ctx) {
    LayerConfig c = ctx.config();
    Function<LayerContext, KerasLayer> f = MAPPERS.get(c.className());
    if (f == null) {
      throw new UnsupportedKerasLayerException(
          c.name(),
          c.className(),
          "Unsupported layer '"
              + c.className()
              + "' (layer '"
              + c.name()
              + "') in "
              + c.source()
              + ". Supported layers: "
              + supportedClasses()
              + ".");
    }
    return f.apply(ctx);
  }
}
