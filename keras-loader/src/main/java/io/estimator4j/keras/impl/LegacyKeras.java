package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estimator4j.keras.file.WeightArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tensorflow.ndarray.Shape;

/**
 * Keras 1 models in Keras 2 terms, as Keras 2 itself loads them: layer configs through the argument
 * conversions of keras/legacy/interfaces.py (output_dim to units, nb_filter to filters, border_mode
 * to padding, dim_ordering to data_format, ...), class names through Keras 2's aliases
 * (Convolution2D to Conv2D, ...), and stored weights through {@code preprocess_weights_for_loading}
 * (Keras 1 LSTM/GRU gate arrays concatenated, Theano-ordered kernels transposed, kernels of
 * Theano-trained models flipped).
 */
final class LegacyKeras {
  private LegacyKeras() {}

  private static final Map<String, String> CLASS_NAMES =
      Map.ofEntries(
          Map.entry("Convolution1D", "Conv1D"),
          Map.entry("AtrousConvolution1D", "Conv1D"),
          Map.entry("Convolution2D", "Conv2D"),
          Map.entry("AtrousConvolution2D", "Conv2D"),
          Map.entry("Convolution3D", "Conv3D"),
          Map.entry("Deconvolution2D", "Conv2DTranspose"),
          Map.entry("Deconvolution3D", "Conv3DTranspose"),
          Map.entry("SeparableConvolution2D", "SeparableConv2D"));

  /** Keras 1 argument name to Keras 2 name, for every layer (legacy/interfaces.py). */
  private static final Map<String, String> COMMON =
      Map.ofEntries(
          Map.entry("output_dim", "units"),
          Map.entry("W_regularizer", "kernel_regularizer"),
          Map.entry("b_regularizer", "bias_regularizer"),
          Map.entry("U_regularizer", "recurrent_regularizer"),
          Map.entry("W_constraint", "kernel_constraint"),
          Map.entry("b_constraint", "bias_constraint"),
          Map.entry("U_constraint", "recurrent_constraint"),
          Map.entry("bias", "use_bias"),
          Map.entry("inner_init", "recurrent_initializer"),
          Map.entry("inner_activation", "recurrent_activation"),
          Map.entry("dropout_W", "dropout"),
          Map.entry("dropout_U", "recurrent_dropout"),
          Map.entry("nb_filter", "filters"),
          Map.entry("filter_length", "kernel_size"),
          Map.entry("subsample_length", "strides"),
          Map.entry("subsample", "strides"),
          Map.entry("border_mode", "padding"),
          Map.entry("dim_ordering", "data_format"),
          Map.entry("atrous_rate", "dilation_rate"),
          Map.entry("pool_length", "pool_size"),
          Map.entry("stride", "strides"),
          Map.entry("beta_init", "beta_initializer"),
          Map.entry("gamma_init", "gamma_initializer"),
          Map.entry("sigma", "stddev"),
          Map.entry("input_dtype", "dtype"));

  /** Whether the layer spec uses Keras 1 argument names. */
  static boolean isKeras1(JsonNode spec) {
    JsonNode c = spec.path("config");
    String cls = spec.path("class_name").asText();
    if (CLASS_NAMES.containsKey(cls)) {
      return true;
    }
    for (String k : COMMON.keySet()) {
      if (c.has(k)
          && !k.equals("bias")
          && !k.equals("stride")
          && !(k.equals("output_dim") && cls.equals("Embedding"))) {
        return true;
      }
    }
    return c.has("init")
        || c.has("p")
        || c.has("nb_row")
        || c.has("kernel_dim1")
        || (c.has("bias") && c.get("bias").isBoolean())
        || (c.has("length") && cls.equals("UpSampling1D"));
  }

  /**
   * The spec in Keras 2 terms (a copy; a Keras 2 spec comes back as it is). Wrapped layers
   * (TimeDistributed, Bidirectional) are translated too.
   *
   * @throws IllegalArgumentException for Keras 1 settings Keras 2 refuses too (BatchNormalization
   *     mode 1 or 2)
   */
  static JsonNode translate(JsonNode spec) {
    JsonNode inner = spec.path("config").path("layer");
    boolean wrapper = inner.isObject() && inner.has("class_name");
    if (!isKeras1(spec) && !(wrapper && isKeras1(inner))) {
      return spec;
    }
    ObjectNode out = spec.deepCopy();
    String cls = spec.path("class_name").asText();
    out.put("class_name", CLASS_NAMES.getOrDefault(cls, cls));
    ObjectNode c = (ObjectNode) out.path("config");
    if (wrapper) {
      c.set("layer", translate(inner));
    }
    convert(cls, c);
    return out;
  }

  private static void convert(String cls, ObjectNode c) {
    if (c.has("mode") && cls.equals("BatchNormalization")) {
      long mode =
          io.estimator4j.io.Dims.integer(
              c.get("mode"),
              "setting 'mode' of Keras 1" + " BatchNormalization '" + c.path("name").asText() + "'",
              LayerConfig.FIX);
      if (mode != 0) {
        throw new IllegalArgumentException(
            "Keras 1 BatchNormalization '"
                + c.path("name").asText()
                + "' uses mode="
                + mode
                + ", which Keras 2 dropped (only mode 0 loads, in Keras too).");
      }
      c.remove("mode");
    }
    if (c.has("init")) {
      JsonNode init = c.remove("init");
      String target =
          switch (cls) {
            case "Embedding" -> "embeddings_initializer";
            case "PReLU" -> "alpha_initializer";
            case "SeparableConvolution2D", "SeparableConv2D" -> "depthwise_initializer";
            default -> "kernel_initializer";
          };
      c.set(target, init);
      if (target.equals("depthwise_initializer")) {
        c.set("pointwise_initializer", init);
      }
    }
    if (cls.equals("Embedding")) {
      rename(c, "W_regularizer", "embeddings_regularizer");
      rename(c, "W_constraint", "embeddings_constraint");
      c.remove("dropout");
    }
    if (c.has("p") && (cls.contains("Dropout"))) {
      rename(c, "p", "rate");
    }
    if (cls.equals("UpSampling1D")) {
      rename(c, "length", "size");
    }
    if (c.has("nb_row") && c.has("nb_col")) {
      c.set(
          "kernel_size",
          JsonNodeFactory.instance.arrayNode().add(c.remove("nb_row")).add(c.remove("nb_col")));
    }
    if (c.has("kernel_dim1")) {
      c.set(
          "kernel_size",
          JsonNodeFactory.instance
              .arrayNode()
              .add(c.remove("kernel_dim1"))
              .add(c.remove("kernel_dim2"))
              .add(c.remove("kernel_dim3")));
    }
    if (c.has("forget_bias_init")) {
      JsonNode f = c.remove("forget_bias_init");
      c.put("unit_forget_bias", f.asText().equals("one"));
    }
    if (c.has("consume_less")) {
      String v = c.remove("consume_less").asText();
      c.put("implementation", v.equals("cpu") ? 0 : v.equals("mem") ? 1 : 2);
    }
    if (cls.equals("GRU") && !c.has("reset_after")) {
      c.put("reset_after", false);
    }
    if (c.has("padding") && c.get("padding").isObject()) {
      JsonNode p = c.get("padding");
      c.set(
          "padding",
          JsonNodeFactory.instance
              .arrayNode()
              .add(
                  JsonNodeFactory.instance
                      .arrayNode()
                      .add(p.path("top_pad").asInt(0))
                      .add(p.path("bottom_pad").asInt(0)))
              .add(
                  JsonNodeFactory.instance
                      .arrayNode()
                      .add(p.path("left_pad").asInt(0))
                      .add(p.path("right_pad").asInt(0))));
    }
    if (cls.contains("Deconvolution")) {
      c.remove("output_shape");
    }
    for (Map.Entry<String, String> e : COMMON.entrySet()) {
      if ((e.getKey().equals("stride") && !cls.contains("Pooling1D"))
          || (e.getKey().equals("output_dim") && cls.equals("Embedding"))) {
        continue;
      }
      rename(c, e.getKey(), e.getValue());
    }
    if (c.has("data_format")) {
      String v = c.get("data_format").asText();
      switch (v) {
        case "th" -> c.put("data_format", "channels_first");
        case "tf", "default" -> c.put("data_format", "channels_last");
        default -> {}
      }
    }
    for (String key :
        List.of(
            "kernel_regularizer",
            "bias_regularizer",
            "recurrent_regularizer",
            "activity_regularizer",
            "embeddings_regularizer",
            "gamma_regularizer",
            "beta_regularizer")) {
      JsonNode r = c.get(key);
      if (r != null && r.isObject() && r.has("name") && !r.has("class_name")) {
        // Keras 1: {"name": "WeightRegularizer", "l1": 0.0, "l2": 0.01}
        ObjectNode l1l2 = JsonNodeFactory.instance.objectNode();
        l1l2.put("class_name", "L1L2");
        l1l2.putObject("config")
            .put("l1", r.path("l1").asDouble(0))
            .put("l2", r.path("l2").asDouble(0));
        c.set(key, l1l2);
      }
    }
  }

  private static void rename(ObjectNode c, String from, String to) {
    if (c.has(from) && !c.has(to)) {
      c.set(to, c.remove(from));
    } else if (c.has(from)) {
      c.remove(from);
    }
  }

  /**
   * The stored weights of one layer in the layout the Keras 2 layer expects (Keras's {@code
   * preprocess_weights_for_loading}).
   *
   * @param cls the layer's Keras 2 class
   * @param config its Keras 2 config
   * @param keras1 the weights were saved by Keras 1
   * @param theano the model was trained with the Theano backend (its kernels are flipped)
   */
  static List<WeightArray> weights(
      String cls, JsonNode config, List<WeightArray> stored, boolean keras1, boolean theano) {
    if (stored == null || stored.isEmpty()) {
      return stored;
    }
    List<WeightArray> w = new ArrayList<>(stored);
    JsonNode innerSpec = config.path("layer");
    if (keras1 && cls.equals("Bidirectional")) {
      int half = w.size() / 2;
      String inner = innerSpec.path("class_name").asText();
      List<WeightArray> out =
          new ArrayList<>(
              weights(inner, innerSpec.path("config"), w.subList(0, half), true, theano));
      out.addAll(weights(inner, innerSpec.path("config"), w.subList(half, w.size()), true, theano));
      return out;
    }
    if (cls.equals("TimeDistributed")) {
      return weights(
          innerSpec.path("class_name").asText(), innerSpec.path("config"), w, keras1, theano);
    }
    boolean channelsFirst = config.path("data_format").asText("").equals("channels_first");
    if (keras1) {
      switch (cls) {
        case "Conv1D" -> {
          WeightArray k = w.get(0);
          long[] s = k.shape().asArray();
          int filters = config.path("filters").asInt();
          if (s.length == 4 && !(s[1] == 1 && s[3] == filters)) {
            k = transpose(k, 2, 3, 1, 0); // (filters, in, length, 1) -> (length, 1, in, filters)
          }
          if (k.shape().numDimensions() == 4) {
            long[] t = k.shape().asArray();
            k = new WeightArray(k.name(), Shape.of(t[0], t[2], t[3]), k.values());
          }
          w.set(0, k);
        }
        case "Conv2D" -> {
          if (channelsFirst) {
            w.set(0, transpose(w.get(0), 2, 3, 1, 0));
          }
        }
        case "Conv2DTranspose" ->
            w.set(
                0,
                channelsFirst ? transpose(w.get(0), 2, 3, 0, 1) : transpose(w.get(0), 0, 1, 3, 2));
        case "Conv3D" -> {
          if (channelsFirst) {
            w.set(0, transpose(w.get(0), 2, 3, 4, 1, 0));
          }
        }
        case "GRU" -> {
          if (w.size() == 9) {
            w =
                List.of(
                    concat(w.get(0), w.get(3), w.get(6)),
                    concat(w.get(1), w.get(4), w.get(7)),
                    concat(w.get(2), w.get(5), w.get(8)));
          }
        }
        case "LSTM", "ConvLSTM2D" -> {
          if (w.size() == 12) {
            // Keras 1 stores the gates i, c, f, o; Keras 2 concatenates i, f, c, o
            WeightArray kernel = concat(w.get(0), w.get(6), w.get(3), w.get(9));
            WeightArray recurrent = concat(w.get(1), w.get(7), w.get(4), w.get(10));
            WeightArray bias = concat(w.get(2), w.get(8), w.get(5), w.get(11));
            if (cls.equals("ConvLSTM2D") && channelsFirst) {
              kernel = transpose(kernel, 2, 3, 1, 0);
              recurrent = transpose(recurrent, 2, 3, 1, 0);
            }
            w = List.of(kernel, recurrent, bias);
          }
        }
        default -> {}
      }
      w = new ArrayList<>(w);
    }
    if (theano
        && List.of("Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "ConvLSTM2D").contains(cls)) {
      w.set(0, flipSpatial(w.get(0)));
      if (cls.equals("ConvLSTM2D")) {
        w.set(1, flipSpatial(w.get(1)));
      }
    }
    return w;
  }

  /** numpy.transpose(w, perm). */
  static WeightArray transpose(WeightArray w, int... perm) {
    long[] in = w.shape().asArray();
    int r = in.length;
    if (r != perm.length) {
      throw new IllegalArgumentException(
          "Weight '"
              + w.name()
              + "' has shape "
              + java.util.Arrays.toString(in)
              + "; the Keras 1 layout conversion expects rank "
              + perm.length
              + ". The weights do not belong to this layer.");
    }
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      out[i] = in[perm[i]];
    }
    long[] inStrides = strides(in);
    float[] src = w.values();
    float[] dst = new float[src.length];
    long[] idx = new long[r];
    long[] outStrides = strides(out);
    for (int o = 0; o < dst.length; o++) {
      long rem = o;
      long offset = 0;
      for (int d = 0; d < r; d++) {
        idx[d] = rem / outStrides[d];
        rem %= outStrides[d];
        offset += idx[d] * inStrides[perm[d]];
      }
      dst[o] = src[(int) offset];
    }
    return new WeightArray(w.name(), Shape.of(out), dst);
  }

  /** numpy.concatenate(arrays, axis=-1). */
  static WeightArray concat(WeightArray... parts) {
    long[] shape = parts[0].shape().asArray();
    int r = shape.length;
    long rows = 1;
    for (int i = 0; i < r - 1; i++) {
      rows *= shape[i];
    }
    long total = 0;
    for (WeightArray p : parts) {
      total += p.shape().asArray()[r - 1];
    }
    float[] out = new float[(int) (rows * total)];
    int pos = 0;
    for (long row = 0; row < rows; row++) {
      for (WeightArray p : parts) {
        long cols = p.shape().asArray()[r - 1];
        System.arraycopy(p.values(), (int) (row * cols), out, pos, (int) cols);
        pos += (int) cols;
      }
    }
    long[] outShape = shape.clone();
    outShape[r - 1] = total;
    return new WeightArray(parts[0].name(), Shape.of(outShape), out);
  }

  /** Keras's conv_utils.convert_kernel: reverses every axis but the last two. */
  static WeightArray flipSpatial(WeightArray w) {
    long[] s = w.shape().asArray();
    int r = s.length;
    long[] st = strides(s);
    float[] src = w.values();
    float[] dst = new float[src.length];
    for (int o = 0; o < dst.length; o++) {
      long rem = o;
      long offset = 0;
      for (int d = 0; d < r; d++) {
        long i = rem / st[d];
        rem %= st[d];
        offset += (d < r - 2 ? s[d] - 1 - i : i) * st[d];
      }
      dst[o] = src[(int) offset];
    }
    return new WeightArray(w.name(), w.shape(), dst);
  }

  private static long[] strides(long[] shape) {
    long[] st = new long[shape.length];
    long acc = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      st[i] = acc;
      acc *= shape[i];
    }
    return st;
  }
}
