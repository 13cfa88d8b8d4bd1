package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.optimizer.Optimizer;
import io.estimator4j.estimator.optimizer.Optimizers;
import java.util.function.DoubleSupplier;

/** An optimizer given by instance, by name (with the canned default learning rate), or default. */
final class OptimizerChoice {
  private final String defaultName;
  private final DoubleSupplier defaultLearningRate;
  private Optimizer instance;
  private String name;

  OptimizerChoice(String defaultName, DoubleSupplier defaultLearningRate) {
    this.defaultName = defaultName;
    this.defaultLearningRate = defaultLearningRate;
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

  /** The optimizer: the instance, or the named/default one at the canned learning rate. */
  Optimizer get() {
    if (instance != null) {
      return instance;
    }
    return Optimizers.byName(name != null ? name : defaultName, defaultLearningRate.getAsDouble());
  }
}
