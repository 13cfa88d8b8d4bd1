package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Keras's weight and activity regularizers (L1, L2, L1L2) as losses, what {@code model.losses} adds
 * to Keras's total loss; read from layer configs in every Keras spelling: {@code {"class_name":
 * "L1L2", "config": {"l1": 0.0, "l2": 0.01}}}, {@code "L2"} with {@code "l2"}, {@code "L1"} with
 * {@code "l1"} (Keras 3 adds {@code module} and {@code registered_name}), or the string identifiers
 * {@code "l1"}, {@code "l2"}, {@code "l1_l2"}.
 */
final class Regularizers {
  /** Keras's default strength of {@code L1()}, {@code L2()} and the string identifiers. */
  static final double DEFAULT_STRENGTH = 0.01;

  /** The regularizer config key of each weight name the layer builders ask for. */
  private static final Map<String, String> KEY_OF_WEIGHT =
      Map.of(
          "kernel", "kernel_regularizer",
          "bias", "bias_regularizer",
          "recurrent_kernel", "recurrent_regularizer",
          "depthwise_kernel", "depthwise_regularizer",
          "pointwise_kernel", "pointwise_regularizer",
          "embeddings", "embeddings_regularizer",
          "gamma", "gamma_regularizer",
          "beta", "beta_regularizer",
          "alpha", "alpha_regularizer");

  /** The config key of a layer's activity regularizer. */
  static final String ACTIVITY = "activity_regularizer";

  private static final List<String> SUPPORTED = List.of("L1", "L2", "L1L2", "l1", "l2", "l1_l2");

  private Regularizers() {}

  /** {@code l1 * sum(|x|) + l2 * sum(x²)}, Keras's L1L2 (L1 and L2 are its special cases). */
  record Regularizer(double l1, double l2) {
    Operand<TFloat32> penalty(Ops tf, Operand<TFloat32> x) {
      Operand<TFloat32> out = null;
      if (l1 != 0) {
        out = tf.math.mul(tf.constant((float) l1), sumAll(tf, tf.math.abs(x)));
      }
      if (l2 != 0) {
        Operand<TFloat32> p = tf.math.mul(tf.constant((float) l2), sumAll(tf, tf.math.square(x)));
        out = out == null ? p : tf.math.add(out, p);
      }
      return out == null ? tf.constant(0f) : out;
    }

    boolean isZero() {
      return l1 == 0 && l2 == 0;
    }
  }

  /**
   * The activity regularizer of the layer: its {@code activity_regularizer}, or for Keras's
   * ActivityRegularization layer the L1L2 of its {@code l1} and {@code l2} (default 0 each). Null
   * when there is none.
   */
  static Regularizer activity(LayerConfig layer) {
    if (layer.className().equals("ActivityRegularization")) {
      return new Regularizer(
          strength(layer, "l1", layer.json(), "l1", 0.0),
          strength(layer, "l2", layer.json(), "l2", 0.0));
    }
    return of(layer, ACTIVITY);
  }

  /**
   * The activity loss of one output: the penalty divided by the batch size in Keras 2 (tf.keras's
   * {@code _handle_activity_regularization} makes it "batch-agnostic"), the penalty itself in Keras
   * 3 (its Layer.__call__ adds {@code activity_regularizer(output)}).
   */
  static Operand<TFloat32> activityLoss(
      Ops tf, Regularizer r, Operand<TFloat32> output, boolean keras3) {
    Operand<TFloat32> penalty = r.penalty(tf, output);
    if (keras3) {
      return penalty;
    }
    Operand<TFloat32> batch =
        tf.dtypes.cast(tf.gather(tf.shape(output), tf.constant(0), tf.constant(0)), TFloat32.class);
    return tf.math.div(penalty, batch);
  }

  /** The config key of the regularizer of weight {@code weightName}, or null if it has none. */
  static String keyOf(String weightName) {
    return KEY_OF_WEIGHT.get(weightName);
  }

  /**
   * The regularizer under {@code key} in the layer's config; for a wrapper (TimeDistributed,
   * Bidirectional) the wrapped layer's config is searched too for weight regularizers. Null when
   * there is none.
   *
   * @throws IllegalArgumentException naming the layer and the regularizer when it is not L1, L2 or
   *     L1L2
   */
  static Regularizer of(LayerConfig layer, String key) {
    JsonNode r = layer.json().get(key);
    if ((r == null || r.isNull())
        && !key.equals(ACTIVITY)
        && layer.json().path("layer").path("config").isObject()) {
      r = layer.json().path("layer").path("config").get(key);
    }
    if (r == null || r.isNull()) {
      return null;
    }
    if (r.isTextual()) {
      return switch (r.asText().toLowerCase(Locale.ROOT)) {
        case "l1" -> new Regularizer(DEFAULT_STRENGTH, 0);
        case "l2" -> new Regularizer(0, DEFAULT_STRENGTH);
        case "l1_l2" -> new Regularizer(DEFAULT_STRENGTH, DEFAULT_STRENGTH);
        default -> throw unsupported(layer, key, r.asText());
      };
    }
    String cls = r.path("class_name").asText("");
    JsonNode c = r.path("config");
    return switch (cls) {
      case "L1L2", "l1_l2" ->
          new Regularizer(strength(layer, key, c, "l1", 0.0), strength(layer, key, c, "l2", 0.0));
      case "L1", "l1" -> new Regularizer(strength(layer, key, c, "l1", DEFAULT_STRENGTH), 0);
      case "L2", "l2" -> new Regularizer(0, strength(layer, key, c, "l2", DEFAULT_STRENGTH));
      default -> throw unsupported(layer, key, cls.isEmpty() ? r.toString() : cls);
    };
  }

  private static double strength(
      LayerConfig layer, String key, JsonNode config, String field, double fallback) {
    JsonNode v = config.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException(
          "The "
              + key
              + " of "
              + layer.describe()
              + " has "
              + field
              + " = "
              + v
              + "; expected a number.");
    }
    return v.asDouble();
  }

  private static IllegalArgumentException unsupported(
      LayerConfig layer, String key, String regularizer) {
    return new IllegalArgumentException(
        "The "
            + key
            + " of "
            + layer.describe()
            + " is '"
            + regularizer
            + "', which"
            + " model_to_estimator cannot add to the training loss. Supported regularizers: "
            + SUPPORTED
            + ". Fix: use one of those, or remove the regularizer from the config.");
  }

  /** The sum of all values (any rank). */
  private static Operand<TFloat32> sumAll(Ops tf, Operand<TFloat32> x) {
    return tf.sum(tf.reshape(x, tf.constant(new long[] {-1})), tf.constant(0));
  }
}
