package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.layers.DataFormat;
import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Initializers;
import io.estimator4j.io.Dims;
import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import java.util.Arrays;

/**
 * Typed access to one layer's Keras config ({@code {"name": ..., "units": 4, ...}}), reading both
 * Keras 2 and Keras 3 spellings (a Keras 3 activation or initializer may be a serialized object, a
 * dtype a DTypePolicy). Failures name the layer. Every integer passes through {@link Dims}, the
 * checked reader: a value that is not an integer, does not fit in an int (4294967299 is refused,
 * not wrapped to 3) or is out of range is an {@link IllegalArgumentException} naming the setting,
 * the layer, the file and the value.
 */
public final class LayerConfig {
  /** What to do about a setting whose value cannot be right. */
  static final String FIX =
      "Fix: correct the setting in the model's config (the file is damaged or was edited by"
          + " hand), or save the model again from Keras.";

  private final String name;
  private final String className;
  private final JsonNode config;
  private final boolean keras3;
  private final String source;

  public LayerConfig(
      String name, String className, JsonNode config, boolean keras3, String source) {
    this.name = name;
    this.className = className;
    this.config =
        config == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : config;
    this.keras3 = keras3;
    this.source = source;
  }

  public String name() {
    return name;
  }

  public String className() {
    return className;
  }

  public JsonNode json() {
    return config;
  }

  public boolean keras3() {
    return keras3;
  }

  public String source() {
    return source;
  }

  /** "layer 'dense_1' (Dense) in model.h5", for messages. */
  public String describe() {
    return "layer '" + name + "' (" + className + ") in " + source;
  }

  public boolean has(String key) {
    JsonNode v = config.get(key);
    return v != null && !v.isNull();
  }

  public JsonNode get(String key) {
    return config.get(key);
  }

  /** An int setting (any sign, e.g. an axis); {@code defaultValue} when absent or null. */
  public int integer(String key, int defaultValue) {
    JsonNode v = config.get(key);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (v.isArray() && v.size() == 1) {
      v = v.get(0);
    }
    if (!v.isNumber()) {
      throw bad(key, "an integer", v);
    }
    return Dims.intValue(v, what(key), FIX);
  }

  /**
   * A required count or size (units, filters, input_dim, ...): an int of at least {@code min}.
   *
   * @throws IllegalArgumentException naming the layer when absent, null or out of range
   */
  public int count(String key, int min) {
    JsonNode v = config.get(key);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException(
          "Setting '"
              + key
              + "' of "
              + describe()
              + " is "
              + (v == null ? "absent" : "null")
              + "; Keras requires "
              + (min == 1 ? "a positive integer" : "an integer of at least " + min)
              + " there. "
              + FIX);
    }
    return Dims.count(v, min, what(key), FIX);
  }

  /** An optional count or size: {@code defaultValue} when absent or null, else at least min. */
  public int count(String key, int min, int defaultValue) {
    return has(key) ? count(key, min) : defaultValue;
  }

  /** "setting 'units' of layer 'dense' (Dense) in model.h5", for the checked reader. */
  private String what(String key) {
    return "setting '" + key + "' of " + describe();
  }

  public double number(String key, double defaultValue) {
    JsonNode v = config.get(key);
    if (v == null || v.isNull()) {
      return defaultValue;
    }
    if (!v.isNumber()) {
      throw bad(key, "a number", v);
    }
    return v.asDouble();
  }

  /** A float setting, or null when absent or null. */
  public Float optionalFloat(String key) {
    JsonNode v = config.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw bad(key, "a number", v);
    }
    return (float) v.asDouble();
  }

  public boolean bool(String key, boolean defaultValue) {
    JsonNode v = config.get(key);
    return v == null || v.isNull() ? defaultValue : v.asBoolean();
  }

  public String string(String key, String defaultValue) {
    JsonNode v = config.get(key);
    return v == null || v.isNull() ? defaultValue : v.asText();
  }

  /**
   * Sizes (kernel, strides, dilation, pool): an int or a list of {@code n} ints (a single int is
   * repeated), as Keras's normalize_tuple; each at least 1.
   */
  public int[] ints(String key, int n, int defaultValue) {
    return ints(key, n, defaultValue, 1);
  }

  /** Like {@link #ints(String, int, int)}, each value at least {@code min}. */
  public int[] ints(String key, int n, int defaultValue, int min) {
    JsonNode v = config.get(key);
    int[] out = new int[n];
    if (v == null || v.isNull()) {
      Arrays.fill(out, defaultValue);
      return out;
    }
    if (v.isNumber()) {
      Arrays.fill(out, Dims.count(v, min, what(key), FIX));
      return out;
    }
    if (!v.isArray() || v.size() != n) {
      throw bad(key, n + " integers", v);
    }
    for (int i = 0; i < n; i++) {
      out[i] = Dims.count(v.get(i), min, "element " + i + " of " + what(key), FIX);
    }
    return out;
  }

  /** A list of ints of any length. */
  public int[] intList(String key) {
    JsonNode v = config.get(key);
    if (v == null || !v.isArray()) {
      throw bad(key, "a list of integers", v);
    }
    int[] out = new int[v.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] =
          v.get(i).isNull()
              ? -1
              : Dims.intValue(v.get(i), "element " + i + " of " + what(key), FIX);
    }
    return out;
  }

  /** An int or a list of ints (Keras accepts both for axes); null when absent or null. */
  public int[] intOrList(String key) {
    JsonNode v = config.get(key);
    if (v == null || v.isNull()) {
      return null;
    }
    return v.isArray() ? intList(key) : new int[] {Dims.intValue(v, what(key), FIX)};
  }

  /**
   * Padding or cropping for {@code n} axes: an int (all sides), one pair per axis, or (for n = 1)
   * one pair, as Keras's ZeroPadding/Cropping accept them.
   */
  public int[][] pairs(String key, int n, int defaultValue) {
    JsonNode v = config.get(key);
    int[][] out = new int[n][2];
    if (v == null || v.isNull()) {
      for (int[] p : out) {
        Arrays.fill(p, defaultValue);
      }
      return out;
    }
    if (v.isNumber()) {
      for (int[] p : out) {
        Arrays.fill(p, size(v, key));
      }
      return out;
    }
    if (v.isArray() && n == 1 && v.size() == 2 && v.get(0).isNumber()) {
      out[0][0] = size(v.get(0), key);
      out[0][1] = size(v.get(1), key);
      return out;
    }
    if (!v.isArray() || v.size() != n) {
      throw bad(key, n + " values or pairs", v);
    }
    for (int i = 0; i < n; i++) {
      JsonNode e = v.get(i);
      if (e.isNumber()) {
        out[i][0] = size(e, key);
        out[i][1] = out[i][0];
      } else if (e.isArray() && e.size() == 2) {
        out[i][0] = size(e.get(0), key);
        out[i][1] = size(e.get(1), key);
      } else {
        throw bad(key, n + " values or pairs", v);
      }
    }
    return out;
  }

  /** One padding or cropping amount: an int of at least 0. */
  private int size(JsonNode v, String key) {
    return Dims.count(v, 0, "a value of " + what(key), FIX);
  }

  public DataFormat dataFormat() {
    try {
      return DataFormat.of(string("data_format", null));
    } catch (IllegalArgumentException e) {
      throw unsupported(e.getMessage());
    }
  }

  /** The activation named by {@code key} ({@code linear} when absent). */
  public Activation activation(String key) {
    JsonNode v = config.get(key);
    return activation(v);
  }

  Activation activation(JsonNode v) {
    if (v == null || v.isNull()) {
      return Activation.LINEAR;
    }
    String fn;
    if (v.isTextual()) {
      fn = v.asText();
    } else if (v.isObject() && ActivationMappers.isActivationLayer(v)) {
      // an activation layer given as the activation (tf.keras activations.get makes it a layer)
      return ActivationMappers.asActivation(this, v);
    } else if (v.isObject()) {
      // Keras 3: {"module": "keras.activations", "class_name": "function", "config": "relu"}
      JsonNode c = v.get("config");
      if (c != null && c.isTextual()) {
        fn = c.asText();
      } else {
        fn = v.path("class_name").asText();
        if (!v.path("config").path("name").isMissingNode()) {
          fn = v.path("config").path("name").asText();
        }
      }
    } else {
      throw bad("activation", "an activation name", v);
    }
    if (fn.equals("hard_sigmoid") && keras3) {
      return Activation.HARD_SIGMOID_KERAS3;
    }
    try {
      return Activation.byName(fn);
    } catch (IllegalArgumentException e) {
      throw new UnsupportedKerasLayerException(
          name,
          className,
          "The activation '"
              + fn
              + "' of "
              + describe()
              + " is not supported (custom activations are Python code, never run here). "
              + e.getMessage());
    }
  }

  /**
   * The initializer configured under {@code key}; {@code fallback} when absent. An unknown class
   * gives an initializer that fails only if it is used (a model whose weights come from the file
   * never uses it).
   */
  public Initializer initializer(String key, Initializer fallback) {
    JsonNode v = config.get(key);
    if (v == null || v.isNull()) {
      return fallback;
    }
    String cls;
    JsonNode c;
    if (v.isTextual()) {
      cls = v.asText();
      c = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    } else {
      cls = v.path("class_name").asText();
      c = v.path("config");
    }
    Long seed = c.path("seed").isNumber() ? c.path("seed").asLong() : null;
    switch (cls) {
      case "Zeros", "zeros", "Zero", "zero":
        return Initializers.zeros();
      case "Ones", "ones", "One", "one":
        return Initializers.ones();
      case "Constant", "constant":
        return Initializers.constant((float) c.path("value").asDouble(0));
      case "RandomUniform", "random_uniform", "uniform":
        return Initializers.randomUniform(
            (float) c.path("minval").asDouble(-0.05),
            (float) c.path("maxval").asDouble(0.05),
            seed);
      case "RandomNormal", "random_normal", "normal":
        return Initializers.randomNormal(
            (float) c.path("mean").asDouble(0), (float) c.path("stddev").asDouble(0.05), seed);
      case "TruncatedNormal", "truncated_normal":
        return Initializers.truncatedNormal(
            (float) c.path("mean").asDouble(0), (float) c.path("stddev").asDouble(0.05), seed);
      case "VarianceScaling", "variance_scaling":
        return Initializers.varianceScaling(
            c.path("scale").asDouble(1.0),
            c.path("mode").asText("fan_in"),
            c.path("distribution").asText("truncated_normal"),
            seed);
      case "GlorotUniform", "glorot_uniform":
        return Initializers.varianceScaling(1.0, "fan_avg", "uniform", seed);
      case "GlorotNormal", "glorot_normal":
        return Initializers.varianceScaling(1.0, "fan_avg", "truncated_normal", seed);
      case "HeUniform", "he_uniform":
        return Initializers.varianceScaling(2.0, "fan_in", "uniform", seed);
      case "HeNormal", "he_normal":
        return Initializers.varianceScaling(2.0, "fan_in", "truncated_normal", seed);
      case "LecunUniform", "lecun_uniform":
        return Initializers.varianceScaling(1.0, "fan_in", "uniform", seed);
      case "LecunNormal", "lecun_normal":
        return Initializers.varianceScaling(1.0, "fan_in", "truncated_normal", seed);
      case "Orthogonal", "orthogonal":
        return Initializers.orthogonal((float) c.path("gain").asDouble(1.0), seed);
      case "Identity", "identity":
        return Initializers.identity((float) c.path("gain").asDouble(1.0));
      default:
        String what = cls;
        return (tf, shape) -> {
          throw new UnsupportedKerasLayerException(
              name,
              className,
              "The initializer '"
                  + what
                  + "' ("
                  + key
                  + ") of "
                  + describe()
                  + " is not supported, and the file holds no weights to replace it.");
        };
    }
  }

  /** Keras 1 setting names and the Keras 2 settings that replaced them. */
  private static final java.util.Map<String, String> KERAS1_NAMES =
      java.util.Map.ofEntries(
          java.util.Map.entry("nb_filter", "filters"),
          java.util.Map.entry("nb_row", "kernel_size"),
          java.util.Map.entry("nb_col", "kernel_size"),
          java.util.Map.entry("filter_length", "kernel_size"),
          java.util.Map.entry("border_mode", "padding"),
          java.util.Map.entry("subsample", "strides"),
          java.util.Map.entry("subsample_length", "strides"),
          java.util.Map.entry("atrous_rate", "dilation_rate"),
          java.util.Map.entry("dim_ordering", "data_format"),
          java.util.Map.entry("pool_length", "pool_size"),
          java.util.Map.entry("stride", "strides"),
          java.util.Map.entry("length", "size"),
          java.util.Map.entry("output_dim", "units"),
          java.util.Map.entry("init", "kernel_initializer"),
          java.util.Map.entry("bias", "use_bias"),
          java.util.Map.entry("dropout", "a Dropout layer"),
          java.util.Map.entry("mode", "a Keras 2 layer"),
          java.util.Map.entry("p", "rate"),
          java.util.Map.entry("sigma", "stddev"));

  /**
   * Refuses the Keras 1 spellings among {@code keys} that this config holds (a Keras 1 setting read
   * under its Keras 2 name would silently take the Keras 2 default), naming the setting and the
   * Keras 2 setting that replaced it.
   *
   * @throws UnsupportedKerasLayerException for the first such setting found
   */
  public void refuseKeras1(String... keys) {
    for (String key : keys) {
      if (has(key)) {
        throw unsupported(
            "the Keras 1 setting '"
                + key
                + "' ("
                + config.get(key)
                + ") is not"
                + " read (Keras 2: "
                + KERAS1_NAMES.getOrDefault(key, "no equivalent")
                + "). Fix:"
                + " load the model in Keras 2 or later and save it again.");
      }
    }
  }

  /**
   * Refuses Keras 3's quantized weights and LoRA adapters ({@code lora_rank}, a {@code dtype}
   * QuantizedDTypePolicy such as {@code int8_from_float32}), whose extra weights change the layer's
   * numbers.
   */
  public void refuseQuantizedAndLora() {
    if (has("lora_rank")) {
      throw unsupported(
          "LoRA (lora_rank="
              + config.get("lora_rank")
              + ") is not supported. Fix:"
              + " merge the adapter into the kernel (layer.enable_lora undone by saving the merged"
              + " weights) and save the model again.");
    }
    JsonNode dtype = config.get("dtype");
    String policy =
        dtype == null
            ? ""
            : dtype.isTextual()
                ? dtype.asText()
                : dtype.path("class_name").asText("")
                    + " "
                    + dtype.path("config").path("name").asText("");
    if (policy.contains("Quantized")
        || policy.contains("int8_from")
        || policy.contains("int4_from")
        || policy.contains("float8_from")) {
      throw unsupported("quantized weights (dtype policy " + dtype + ") are not supported.");
    }
  }

  /** An {@link UnsupportedKerasLayerException} for a setting of this layer. */
  public UnsupportedKerasLayerException unsupported(String what) {
    return new UnsupportedKerasLayerException(name, className, describe() + ": " + what);
  }

  private IllegalArgumentException bad(String key, String expected, JsonNode found) {
    return new IllegalArgumentException(
        "Setting '"
            + key
            + "' of "
            + describe()
            + " should be "
            + expected
            + "; found "
            + found
            + ". "
            + FIX);
  }
}
