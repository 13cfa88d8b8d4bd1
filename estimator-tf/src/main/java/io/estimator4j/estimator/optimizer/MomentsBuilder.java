package io.estimator4j.estimator.optimizer;

/**
 * The settings Adam and its relatives (Adamax, Nadam) share: the decay rates of the first and
 * second moment estimates and the ε added to the denominator. Python's default betas (0.9, 0.999)
 * are the same for all three; ε differs (tf.compat.v1's Adam 1e-8, tf.keras 1e-7).
 *
 * @param <B> the concrete builder, which the setters return so that calls chain
 */
public abstract class MomentsBuilder<B extends MomentsBuilder<B>> extends OptimizerBuilder<B> {
  private double beta1 = 0.9;
  private double beta2 = 0.999;
  private double epsilon;

  MomentsBuilder(double defaultLearningRate, double defaultEpsilon) {
    super(defaultLearningRate);
    this.epsilon = defaultEpsilon;
  }

  /** β1, the first moment's decay, in [0, 1) (default 0.9). */
  public final B beta1(double beta1) {
    this.beta1 = beta1;
    return self();
  }

  /** β2, the second moment's decay, in [0, 1) (default 0.999). */
  public final B beta2(double beta2) {
    this.beta2 = beta2;
    return self();
  }

  /** ε, at least 0. */
  public final B epsilon(double epsilon) {
    this.epsilon = epsilon;
    return self();
  }

  final double beta1() {
    return beta1;
  }

  final double beta2() {
    return beta2;
  }

  final double epsilon() {
    return epsilon;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
