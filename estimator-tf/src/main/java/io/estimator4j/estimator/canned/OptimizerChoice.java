package io.estimator4j.estimator.canned;

import io.estimator4j.checkpoint.TensorFlowFlavour;
import io.estimator4j.estimator.optimizer.Optimizer;
import io.estimator4j.estimator.optimizer.Optimizers;
import java.util.function.DoubleSupplier;

/**
 * An optimizer given by instance, by name (with the canned default learning rate), or default. A
 * name gives tf.compat.v1's optimizer in the TF1 flavour and Keras's (get_optimizer_instance_v2) in
 * the TF2 flavour.
 */
final class OptimizerChoice {
  private final String defaultName;
  private final DoubleSupplier defaultLearningRate;
  private final DoubleSupplier tf2LearningRate;
  private Optimizer instance;
  private String name;

  /** A choice whose named optimizers get the same learning rate in both flavours. */
  OptimizerChoice(String defaultName, DoubleSupplier defaultLearningRate) {
    this(defaultName, defaultLearningRate, defaultLearningRate);
  }

  /**
   * @param tf2LearningRate the TF2 learning rate of a named optimizer; NaN for Keras's default
   */
  OptimizerChoice(
      String defaultName, DoubleSupplier defaultLearningRate, DoubleSupplier tf2LearningRate) {
    this.defaultName = defaultName;
    this.defaultLearningRate = defaultLearningRate;
    this.tf2LearningRate = tf2LearningRate;
  }

  void set(Optimizer optimizer) {
    this.instance = java.util.Objects.requireNonNull(optimizer, "optimizer");
    this.name = null;
  }

  void set(String optimizerName) {
    Optimizers.byName(optimizerName, 0.1); // validates the name now
    this.name = optimizerName;
    this.instance = null;
  }

  /** The TF1 optimizer: the instance, or the named/default one at the canned learning rate. */
  Optimizer get() {
    return get(TensorFlowFlavour.TF1);
  }

  /** The optimizer of {@code flavour}: the instance, or the named/default one of that flavour. */
  Optimizer get(TensorFlowFlavour flavour) {
    if (instance != null) {
      return instance;
    }
    String n = name != null ? name : defaultName;
    return flavour == TensorFlowFlavour.TF2
        ? Optimizers.byNameV2(n, tf2LearningRate.getAsDouble())
        : Optimizers.byName(n, defaultLearningRate.getAsDouble());
  }
}
