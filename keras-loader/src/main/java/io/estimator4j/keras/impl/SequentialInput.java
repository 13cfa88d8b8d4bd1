package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.keras.file.WeightArray;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Set;

/**
 * The input shape of a Sequential model whose first layer does not declare one, from what else the
 * file says, in this order: {@code config.build_input_shape} (tf.keras), the model's and then the
 * first layer's Keras 3 {@code build_config.input_shape}, and finally the first layer's stored
 * weights where they fix the input's last axis (Dense, convolutions, recurrent layers, Embedding).
 * Shapes include no batch dimension; -1 is unknown.
 */
final class SequentialInput {
  /**
   * A shape and where it came from.
   *
   * @param guessed whether dimensions the weights do not fix were left unknown
   */
  record Found(long[] shape, String source, boolean guessed) {}

  private static final Set<String> CONV =
      Set.of(
          "Conv1D",
          "Conv2D",
          "Conv3D",
          "Convolution1D",
          "Convolution2D",
          "Convolution3D",
          "SeparableConv1D",
          "SeparableConv2D",
          "DepthwiseConv1D",
          "DepthwiseConv2D");

  private static final Set<String> TRANSPOSED =
      Set.of("Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose", "Deconvolution2D");

  private static final Set<String> RECURRENT =
      Set.of("SimpleRNN", "LSTM", "GRU", "CuDNNLSTM", "CuDNNGRU");

  private SequentialInput() {}

  /**
   * @param modelBuildConfig the model spec's {@code build_config} (Keras 3), or a missing node
   * @param config the Sequential's config
   * @param first the first layer's spec (not an InputLayer)
   * @return the shape, or null when nothing in the file gives it
   */
  static Found infer(
      JsonNode modelBuildConfig, JsonNode config, JsonNode first, WeightScope weights) {
    long[] built =
        Network.withoutBatch(config.get("build_input_shape"), "the model's build_input_shape");
    if (built != null) {
      return new Found(built, "build_input_shape", false);
    }
    built =
        Network.withoutBatch(
            modelBuildConfig.path("input_shape"), "the model's build_config input_shape");
    if (built == null) {
      built =
          Network.withoutBatch(
              config.path("build_config").path("input_shape"),
              "the model's build_config input_shape");
    }
    if (built != null) {
      return new Found(built, "build_config", false);
    }
    built =
        Network.withoutBatch(
            first.path("build_config").path("input_shape"),
            "the first layer's build_config input_shape");
    if (built != null) {
      return new Found(built, "the first layer's build_config", false);
    }
    return fromWeights(first, weights);
  }

  private static Found fromWeights(JsonNode first, WeightScope weights) {
    String cls = first.path("class_name").asText();
    JsonNode cfg = first.path("config");
    String name = cfg.path("name").asText();
    List<WeightArray> stored =
        weights.stored(name, Network.keras3Key(Keras3OpsMappers.className(first), new HashMap<>()));
    if (stored == null || stored.isEmpty()) {
      return null;
    }
    long[] w = stored.get(0).shape().asArray();
    String source = "the weights of layer '" + name + "' (" + cls + ")";
    if (cls.equals("Dense") && w.length == 2) {
      return new Found(new long[] {w[0]}, source, false);
    }
    if (cls.equals("Embedding")) {
      JsonNode len = cfg.get("input_length");
      long steps = len != null && len.isIntegralNumber() ? len.asLong() : -1;
      return new Found(new long[] {steps}, source, steps < 0);
    }
    if (RECURRENT.contains(cls) && w.length == 2) {
      return new Found(new long[] {-1, w[0]}, source, true);
    }
    boolean conv = CONV.contains(cls);
    if ((conv || TRANSPOSED.contains(cls)) && w.length >= 3) {
      int rank = w.length - 2;
      long channels = conv ? w[rank] : w[rank + 1];
      long[] shape = new long[rank + 1];
      Arrays.fill(shape, -1);
      boolean channelsFirst = cfg.path("data_format").asText("").equals("channels_first");
      shape[channelsFirst ? 0 : rank] = channels;
      return new Found(shape, source, true);
    }
    return null;
  }
}
