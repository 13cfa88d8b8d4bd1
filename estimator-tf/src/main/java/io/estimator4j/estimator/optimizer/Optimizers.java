package io.estimator4j.estimator.optimizer;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.DoubleFunction;

/**
 * Optimizers by the names the canned estimators accept ({@code optimizer='Adagrad'}); Java
 * counterpart of tf.estimator's canned/optimizers.py {@code get_optimizer_instance}.
 */
public final class Optimizers {
  /** tf.estimator's names, case-sensitive, mapped to Python's default constructor arguments. */
  private static final Map<String, DoubleFunction<Optimizer>> BY_NAME = new TreeMap<>();

  static {
    BY_NAME.put("Adagrad", Adagrad::of);
    BY_NAME.put("Adam", Adam::of);
    BY_NAME.put("Ftrl", Ftrl::of);
    BY_NAME.put("RMSProp", RMSProp::of);
    BY_NAME.put("SGD", GradientDescent::of);
  }

  private Optimizers() {}

  /**
   * Returns the optimizer tf.estimator names {@code name} ("Adagrad", "Adam", "Ftrl", "RMSProp",
   * "SGD"), with {@code learningRate} and Python's other defaults.
   *
   * @throws IllegalArgumentException for an unknown name (the message lists the valid ones) or an
   *     invalid learning rate
   */
  public static Optimizer byName(String name, double learningRate) {
    DoubleFunction<Optimizer> factory = name == null ? null : BY_NAME.get(name);
    if (factory == null) {
      throw new IllegalArgumentException(
          "Unsupported optimizer name: "
              + name
              + ". Supported names are: "
              + BY_NAME.keySet()
              + " (case-sensitive), or pass an Optimizer instance.");
    }
    return factory.apply(learningRate);
  }

  /**
   * Returns the optimizer tf.estimator's V2 canned estimators name {@code name} (canned/
   * optimizers.py {@code get_optimizer_instance_v2}): the Keras optimizer's defaults other than the
   * learning rate (Adam's and RMSprop's ε 1e-7), applied with {@link Optimizer#applyGradientsV2}.
   *
   * @param learningRate the learning rate, or NaN for Keras's default ({@link
   *     #kerasDefaultLearningRate})
   * @throws IllegalArgumentException for an unknown name or an invalid learning rate
   */
  public static Optimizer byNameV2(String name, double learningRate) {
    byName(name, 0.1); // validates the name
    double lr = Double.isNaN(learningRate) ? kerasDefaultLearningRate(name) : learningRate;
    return switch (name) {
      case "Adam" -> Adam.builder().learningRate(lr).epsilon(Adam.KERAS_DEFAULT_EPSILON).build();
      case "RMSProp" -> RMSProp.builder().learningRate(lr).epsilon(1e-7).build();
      default -> byName(name, lr);
    };
  }

  /**
   * Keras's default learning rate of the optimizer tf.estimator names {@code name}: 0.01 for SGD,
   * 0.001 for the others; what a V2 canned estimator uses for an optimizer given by name alone.
   */
  public static double kerasDefaultLearningRate(String name) {
    byName(name, 0.1); // validates the name
    return name.equals("SGD") ? 0.01 : 0.001;
  }
}
