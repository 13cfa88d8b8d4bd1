package io.estimator4j.keras;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.optimizer.Adagrad;
import io.estimator4j.estimator.optimizer.Adam;
import io.estimator4j.estimator.optimizer.GradientDescent;
import io.estimator4j.estimator.optimizer.LearningRateSchedule;
import io.estimator4j.estimator.optimizer.Momentum;
import io.estimator4j.estimator.optimizer.Optimizer;
import io.estimator4j.estimator.optimizer.OptimizerBuilder;
import io.estimator4j.estimator.optimizer.RMSProp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The loss, loss weights, metrics and optimizer of a Keras {@code training_config} (what {@code
 * model.compile} stored), mapped onto the Estimator's optimizers; read the way
 * tf.keras.models.load_model compiles a loaded model.
 */
final class KerasTrainingConfig {
  /** Loss names this mapping understands (Keras names; aliases are normalised to these). */
  static final List<String> LOSSES =
      List.of(
          "categorical_crossentropy",
          "sparse_categorical_crossentropy",
          "binary_crossentropy",
          "mean_squared_error",
          "mean_absolute_error",
          "mean_absolute_percentage_error",
          "mean_squared_logarithmic_error",
          "hinge",
          "squared_hinge",
          "categorical_hinge",
          "huber",
          "log_cosh",
          "kl_divergence",
          "poisson",
          "cosine_similarity");

  /** Metric names this mapping understands. */
  static final List<String> METRICS =
      List.of(
          "accuracy",
          "acc",
          "binary_accuracy",
          "categorical_accuracy",
          "sparse_categorical_accuracy",
          "mse",
          "mean_squared_error",
          "mae",
          "mean_absolute_error");

  /**
   * The loss of one output.
   *
   * @param delta Huber's delta (1 unless configured)
   */
  record Loss(String name, boolean fromLogits, double weight, double delta) {
    Loss(String name, boolean fromLogits, double weight) {
      this(name, fromLogits, weight, 1.0);
    }
  }

  private final Map<String, Loss> losses;
  private final Map<String, List<String>> metrics;
  private final Optimizer optimizer;

  private KerasTrainingConfig(
      Map<String, Loss> losses, Map<String, List<String>> metrics, Optimizer optimizer) {
    this.losses = losses;
    this.metrics = metrics;
    this.optimizer = optimizer;
  }

  /** The loss of each output, in output order. */
  Map<String, Loss> losses() {
    return losses;
  }

  /** The metric names of each output (possibly empty lists). */
  Map<String, List<String>> metrics() {
    return metrics;
  }

  Optimizer optimizer() {
    return optimizer;
  }

  /**
   * Parses {@code config} (a training_config) for a model with {@code outputs}.
   *
   * @throws IllegalArgumentException naming the loss, optimizer or field that cannot be mapped
   */
  static KerasTrainingConfig parse(JsonNode config, List<String> outputs, String source) {
    JsonNode lossNode = config.path("loss");
    if (lossNode.isMissingNode() || lossNode.isNull()) {
      throw new IllegalArgumentException(
          "The training_config of "
              + source
              + " has no loss."
              + " Fix: compile the model with a loss before saving it, or pass a training config"
              + " with a loss.");
    }
    List<Double> weights = perOutputWeights(config.path("loss_weights"), outputs, source);
    Map<String, Loss> losses = new LinkedHashMap<>();
    for (int i = 0; i < outputs.size(); i++) {
      String out = outputs.get(i);
      JsonNode l = perOutput(lossNode, out, i, "loss", source);
      losses.put(out, loss(l, out, weights.get(i), source));
    }
    Map<String, List<String>> metrics = new LinkedHashMap<>();
    JsonNode m = config.path("metrics");
    for (int i = 0; i < outputs.size(); i++) {
      String out = outputs.get(i);
      List<String> names = new ArrayList<>();
      JsonNode forOut = m.isObject() ? m.path(out) : m;
      if (forOut.isArray()
          && outputs.size() > 1
          && forOut.size() == outputs.size()
          && forOut.get(i).isArray()) {
        forOut = forOut.get(i);
      }
      if (forOut.isArray()) {
        for (JsonNode n : forOut) {
          String name = metricName(n);
          names.add(supportedMetric(name, out, source));
        }
      } else if (forOut.isTextual()) {
        names.add(supportedMetric(metricName(forOut), out, source));
      }
      metrics.put(out, List.copyOf(names));
    }
    // Keras 2 writes optimizer_config; Keras 3's compile_config has optimizer (an object, or the
    // name given to compile())
    JsonNode optimizer =
        config.has("optimizer_config") ? config.path("optimizer_config") : config.path("optimizer");
    return new KerasTrainingConfig(losses, metrics, optimizer(optimizer, source));
  }

  /**
   * The metric itself when this mapping computes it; otherwise refused by name (an evaluation that
   * silently left a compiled metric out would report less than Keras did).
   */
  private static String supportedMetric(String name, String out, String source) {
    if (!METRICS.contains(name)) {
      throw new IllegalArgumentException(
          "The metric '"
              + name
              + "' of output '"
              + out
              + "' in "
              + source
              + " cannot be mapped to an Estimator metric. Supported: "
              + METRICS
              + ". Fix: compile without it, or pass a training config whose metrics are among"
              + " these.");
    }
    return name;
  }

  private static String metricName(JsonNode n) {
    if (n.isObject()) {
      JsonNode c = n.path("config");
      // Keras 3 serializes a function as {"class_name": "function", "config": "mae"}
      return c.isTextual() ? c.asText() : c.path("name").asText(n.path("class_name").asText());
    }
    return n.asText();
  }

  /** Keras 3's defaults for an optimizer given to compile() by name. */
  private static final Map<String, String[]> OPTIMIZER_NAMES =
      Map.of(
          "adam", new String[] {"Adam", "0.001"},
          "sgd", new String[] {"SGD", "0.01"},
          "rmsprop", new String[] {"RMSprop", "0.001"},
          "adagrad", new String[] {"Adagrad", "0.001"},
          "adadelta", new String[] {"Adadelta", "0.001"},
          "adamax", new String[] {"Adamax", "0.001"},
          "ftrl", new String[] {"Ftrl", "0.001"},
          "nadam", new String[] {"Nadam", "0.001"});

  /** Optimizer settings that change training and are not implemented here. */
  private static final List<String> UNSUPPORTED_OPTIMIZER_SETTINGS =
      List.of(
          "weight_decay",
          "clipnorm",
          "clipvalue",
          "global_clipnorm",
          "gradient_accumulation_steps");

  private static JsonNode perOutput(JsonNode node, String out, int i, String what, String source) {
    if (node.isObject() && !node.has("class_name")) {
      JsonNode v = node.path(out);
      if (v.isMissingNode()) {
        throw new IllegalArgumentException(
            "The training_config of "
                + source
                + " gives no "
                + what
                + " for output '"
                + out
                + "' (it has "
                + fieldNames(node)
                + ").");
      }
      return v;
    }
    if (node.isArray()) {
      if (i >= node.size()) {
        throw new IllegalArgumentException(
            "The training_config of "
                + source
                + " lists "
                + node.size()
                + " "
                + what
                + "es; output '"
                + out
                + "' is number "
                + (i + 1)
                + ".");
      }
      return node.get(i);
    }
    return node;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private static List<Double> perOutputWeights(JsonNode w, List<String> outputs, String source) {
    List<Double> out = new ArrayList<>();
    for (int i = 0; i < outputs.size(); i++) {
      if (w.isMissingNode() || w.isNull()) {
        out.add(1.0);
      } else if (w.isObject()) {
        out.add(w.path(outputs.get(i)).asDouble(1.0));
      } else if (w.isArray() && i < w.size()) {
        out.add(w.get(i).asDouble());
      } else {
        throw new IllegalArgumentException(
            "The loss_weights " + w + " of " + source + " do not fit the outputs " + outputs + ".");
      }
    }
    return out;
  }

  private static Loss loss(JsonNode l, String out, double weight, String source) {
    String raw;
    boolean fromLogits = false;
    double delta = 1.0;
    if (l.isObject() && l.path("config").isTextual()) {
      raw = l.path("config").asText(); // Keras 3: {"class_name": "function", "config": "mse"}
    } else if (l.isObject()) {
      raw = snake(l.path("class_name").asText());
      JsonNode c = l.path("config");
      fromLogits = c.path("from_logits").asBoolean(false);
      delta = c.path("delta").asDouble(1.0);
      for (String key : List.of("label_smoothing", "gamma", "alpha")) {
        if (c.path(key).isNumber() && c.path(key).asDouble() != 0) {
          throw new IllegalArgumentException(
              "The loss '"
                  + raw
                  + "' of output '"
                  + out
                  + "' in "
                  + source
                  + " sets "
                  + key
                  + "="
                  + c.path(key)
                  + ", which model_to_estimator does not implement. Fix: compile without it.");
        }
      }
      String reduction = c.path("reduction").asText("auto");
      if (!List.of("auto", "sum_over_batch_size").contains(reduction)) {
        throw new IllegalArgumentException(
            "The loss '"
                + raw
                + "' of output '"
                + out
                + "' in "
                + source
                + " uses reduction '"
                + reduction
                + "'; model_to_estimator reduces as Keras's default (sum_over_batch_size).");
      }
    } else {
      raw = l.asText();
    }
    String name =
        switch (raw.toLowerCase(Locale.ROOT)) {
          case "mse", "mean_squared_error" -> "mean_squared_error";
          case "mae", "mean_absolute_error" -> "mean_absolute_error";
          case "mape", "mean_absolute_percentage_error" -> "mean_absolute_percentage_error";
          case "msle", "mean_squared_logarithmic_error" -> "mean_squared_logarithmic_error";
          case "logcosh", "log_cosh" -> "log_cosh";
          case "kld", "kl_divergence", "kldivergence", "kullback_leibler_divergence" ->
              "kl_divergence";
          default -> raw.toLowerCase(Locale.ROOT);
        };
    if (!LOSSES.contains(name)) {
      throw new IllegalArgumentException(
          "The loss '"
              + raw
              + "' of output '"
              + out
              + "' in "
              + source
              + " is not supported by model_to_estimator. Supported: "
              + LOSSES
              + " (and the aliases mse, mae, mape, msle, logcosh, kld).");
    }
    return new Loss(name, fromLogits, weight, delta);
  }

  private static String snake(String className) {
    return className.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(Locale.ROOT);
  }

  /** Maps a Keras optimizer config onto the Estimator's optimizers. */
  static Optimizer optimizer(JsonNode node, String source) {
    if (node.isMissingNode() || node.isNull()) {
      throw new IllegalArgumentException(
          "The training_config of "
              + source
              + " has no"
              + " optimizer_config. Fix: compile the model with an optimizer before saving it.");
    }
    if (node.isTextual()) {
      String[] named = OPTIMIZER_NAMES.get(node.asText().toLowerCase(Locale.ROOT));
      if (named == null) {
        throw new IllegalArgumentException(
            "The optimizer '"
                + node.asText()
                + "' of "
                + source
                + " is not supported by model_to_estimator. Supported: "
                + OPTIMIZER_NAMES.keySet()
                + " by name, or Adam, SGD, RMSprop, Adagrad configs.");
      }
      com.fasterxml.jackson.databind.node.ObjectNode o =
          com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
      o.put("class_name", named[0]);
      o.putObject("config").put("learning_rate", Double.parseDouble(named[1]));
      return optimizer(o, source);
    }
    for (String key : UNSUPPORTED_OPTIMIZER_SETTINGS) {
      JsonNode v = node.path("config").path(key);
      if (!v.isMissingNode() && !v.isNull() && !(v.isNumber() && v.asDouble() == 0)) {
        throw new IllegalArgumentException(
            "The optimizer of "
                + source
                + " sets "
                + key
                + "="
                + v
                + ", which model_to_estimator does not implement. Fix: compile without "
                + key
                + ", or pass a training config without it.");
      }
    }
    if (node.path("config").path("use_ema").asBoolean(false)) {
      throw new IllegalArgumentException(
          "The optimizer of "
              + source
              + " uses use_ema=True,"
              + " which model_to_estimator does not implement. Fix: compile with use_ema=False.");
    }
    String cls = node.path("class_name").asText();
    if (cls.startsWith("Custom>")) {
      cls = cls.substring("Custom>".length());
    }
    JsonNode c = node.path("config");
    LearningRateSchedule lr = learningRate(c, cls, source);
    return switch (cls) {
      case "Adam" -> {
        if (c.path("amsgrad").asBoolean(false)) {
          throw new IllegalArgumentException(
              "The Adam optimizer of "
                  + source
                  + " uses amsgrad,"
                  + " which the Estimator's Adam does not implement. Fix: compile with"
                  + " amsgrad=False.");
        }
        yield rate(Adam.builder(), lr)
            .beta1(c.path("beta_1").asDouble(Adam.DEFAULT_BETA1))
            .beta2(c.path("beta_2").asDouble(Adam.DEFAULT_BETA2))
            .epsilon(c.path("epsilon").asDouble(1e-7))
            .build();
      }
      case "SGD" -> {
        double momentum = c.path("momentum").asDouble(0.0);
        boolean nesterov = c.path("nesterov").asBoolean(false);
        if (momentum == 0.0 && !nesterov) {
          yield lr instanceof Constant k ? GradientDescent.of(k.value()) : GradientDescent.of(lr);
        }
        // a changing rate needs Keras's momentum form (see KerasMomentum)
        yield lr instanceof Constant k
            ? Momentum.builder()
                .learningRate(k.value())
                .momentum(momentum)
                .useNesterov(nesterov)
                .build()
            : new KerasMomentum(lr, momentum, nesterov);
      }
      case "RMSprop" -> {
        if (c.path("centered").asBoolean(false)) {
          throw new IllegalArgumentException(
              "The RMSprop optimizer of "
                  + source
                  + " is"
                  + " centered, which the Estimator's RMSProp does not implement. Fix: compile with"
                  + " centered=False.");
        }
        yield rate(RMSProp.builder(), lr)
            .decay(c.path("rho").asDouble(RMSProp.DEFAULT_DECAY))
            .momentum(c.path("momentum").asDouble(RMSProp.DEFAULT_MOMENTUM))
            .epsilon(c.path("epsilon").asDouble(1e-7))
            .build();
      }
      case "Adagrad" ->
          rate(Adagrad.builder(), lr)
              .initialAccumulatorValue(
                  c.path("initial_accumulator_value")
                      .asDouble(Adagrad.DEFAULT_INITIAL_ACCUMULATOR_VALUE))
              .build();
      case "Nadam" -> {
        // Nadam's decay is its schedule_decay (tf.keras pops schedule_decay into decay); the
        // learning rate itself is not decayed
        if (!(lr instanceof Constant) && !c.path("learning_rate").isNumber()) {
          throw new IllegalArgumentException(
              "The Nadam optimizer of "
                  + source
                  + " has a learning-rate schedule, which the Estimator's Nadam does not"
                  + " implement. Fix: compile Nadam with a constant learning rate.");
        }
        double rate =
            c.path("learning_rate").isNumber()
                ? c.path("learning_rate").asDouble()
                : c.path("lr").asDouble(0.001);
        yield io.estimator4j.estimator.optimizer.Nadam.builder()
            .learningRate(rate)
            .beta1(c.path("beta_1").asDouble(0.9))
            .beta2(c.path("beta_2").asDouble(0.999))
            .epsilon(c.path("epsilon").asDouble(1e-7))
            .scheduleDecay(
                c.has("schedule_decay")
                    ? c.path("schedule_decay").asDouble()
                    : c.path("decay").asDouble(0.004))
            .build();
      }
      case "Adadelta" ->
          rate(io.estimator4j.estimator.optimizer.Adadelta.builder(), lr)
              .rho(c.path("rho").asDouble(0.95))
              .epsilon(c.path("epsilon").asDouble(1e-7))
              .build();
      case "Adamax" ->
          rate(io.estimator4j.estimator.optimizer.Adamax.builder(), lr)
              .beta1(c.path("beta_1").asDouble(0.9))
              .beta2(c.path("beta_2").asDouble(0.999))
              .epsilon(c.path("epsilon").asDouble(1e-7))
              .build();
      case "Ftrl" ->
          rate(io.estimator4j.estimator.optimizer.Ftrl.builder(), lr)
              .learningRatePower(c.path("learning_rate_power").asDouble(-0.5))
              .initialAccumulatorValue(c.path("initial_accumulator_value").asDouble(0.1))
              .l1(c.path("l1_regularization_strength").asDouble(0))
              .l2(c.path("l2_regularization_strength").asDouble(0))
              .l2Shrinkage(c.path("l2_shrinkage_regularization_strength").asDouble(0))
              .beta(c.path("beta").asDouble(0))
              .build();
      default ->
          throw new IllegalArgumentException(
              "The optimizer '"
                  + cls
                  + "' of "
                  + source
                  + " is not supported by model_to_estimator. Supported: Adam, SGD (with or"
                  + " without momentum, Nesterov), RMSprop, Adagrad, Adadelta, Adamax, Nadam, Ftrl.");
    };
  }

  /** Sets a constant learning rate as a number (baked in, as before), a schedule as such. */
  private static <B extends OptimizerBuilder<B>> B rate(B builder, LearningRateSchedule lr) {
    return lr instanceof Constant k ? builder.learningRate(k.value()) : builder.learningRate(lr);
  }

  /** Learning-rate schedules this mapping understands (Keras class names). */
  static final List<String> SCHEDULES =
      List.of(
          "ExponentialDecay",
          "InverseTimeDecay",
          "PiecewiseConstantDecay",
          "PolynomialDecay",
          "CosineDecay");

  /** A constant learning rate, kept as a number so that the optimizer bakes it in as before. */
  private record Constant(double value) implements LearningRateSchedule {
    @Override
    public org.tensorflow.Operand<org.tensorflow.types.TFloat32> value(
        org.tensorflow.op.Ops tf, org.tensorflow.Operand<org.tensorflow.types.TFloat32> step) {
      return tf.constant((float) value);
    }

    @Override
    public String toString() {
      return Double.toString(value);
    }
  }

  /**
   * The learning rate of an optimizer config as Keras applies it at step {@code t} (its {@code
   * iterations}, which model_to_estimator sets to the global step): the number or serialized
   * schedule under {@code learning_rate} (or {@code lr}), then divided by {@code 1 + decay * t}
   * when a Keras 2 optimizer has a {@code decay} (OptimizerV2._decayed_lr).
   */
  private static LearningRateSchedule learningRate(JsonNode c, String cls, String source) {
    JsonNode lr = c.has("learning_rate") ? c.path("learning_rate") : c.path("lr");
    LearningRateSchedule base;
    if (lr.isNumber()) {
      base = new Constant(lr.asDouble());
    } else if (lr.isMissingNode() || lr.isNull()) {
      throw new IllegalArgumentException(
          "The " + cls + " optimizer of " + source + " has no" + " learning_rate (or lr).");
    } else if (lr.isObject() && lr.has("class_name")) {
      base = schedule(lr, cls, source);
    } else {
      throw new IllegalArgumentException(
          "The "
              + cls
              + " optimizer of "
              + source
              + " has the"
              + " learning rate "
              + lr
              + "; expected a number or a serialized learning-rate schedule"
              + " ("
              + SCHEDULES
              + ").");
    }
    double decay = c.path("decay").asDouble(0.0);
    return decay == 0.0 ? base : base.withTimeBasedDecay(decay);
  }

  private static LearningRateSchedule schedule(JsonNode lr, String cls, String source) {
    String name = lr.path("class_name").asText();
    JsonNode c = lr.path("config");
    try {
      return switch (name) {
        case "ExponentialDecay" ->
            LearningRateSchedule.exponentialDecay(
                required(c, "initial_learning_rate"), required(c, "decay_steps"),
                required(c, "decay_rate"), c.path("staircase").asBoolean(false));
        case "InverseTimeDecay" ->
            LearningRateSchedule.inverseTimeDecay(
                required(c, "initial_learning_rate"), required(c, "decay_steps"),
                required(c, "decay_rate"), c.path("staircase").asBoolean(false));
        case "PiecewiseConstantDecay" ->
            LearningRateSchedule.piecewiseConstant(numbers(c, "boundaries"), numbers(c, "values"));
        case "PolynomialDecay" ->
            LearningRateSchedule.polynomialDecay(
                required(c, "initial_learning_rate"),
                required(c, "decay_steps"),
                c.path("end_learning_rate").asDouble(0.0001),
                c.path("power").asDouble(1.0),
                c.path("cycle").asBoolean(false));
        case "CosineDecay" -> {
          if (c.path("warmup_steps").asDouble(0) != 0) {
            throw new IllegalArgumentException(
                "a CosineDecay with warm-up (warmup_steps="
                    + c.path("warmup_steps")
                    + ") is not supported; only warmup_steps=0 is.");
          }
          yield LearningRateSchedule.cosineDecay(
              required(c, "initial_learning_rate"),
              required(c, "decay_steps"),
              c.path("alpha").asDouble(0.0));
        }
        default ->
            throw new IllegalArgumentException(
                "the schedule is not supported;" + " supported schedules: " + SCHEDULES + ".");
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "The "
              + cls
              + " optimizer of "
              + source
              + " has the"
              + " learning-rate schedule '"
              + name
              + "' "
              + c
              + ": "
              + e.getMessage()
              + " Fix: compile with a number or a supported schedule as learning_rate.",
          e);
    }
  }

  private static double required(JsonNode c, String field) {
    JsonNode v = c.get(field);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException("its config has no number '" + field + "'.");
    }
    return v.asDouble();
  }

  private static double[] numbers(JsonNode c, String field) {
    JsonNode v = c.get(field);
    if (v == null || !v.isArray()) {
      throw new IllegalArgumentException("its config has no list '" + field + "'.");
    }
    double[] out = new double[v.size()];
    for (int i = 0; i < out.length; i++) {
      if (!v.get(i).isNumber()) {
        throw new IllegalArgumentException("'" + field + "' holds " + v.get(i) + ", not a number.");
      }
      out[i] = v.get(i).asDouble();
    }
    return out;
  }
}
