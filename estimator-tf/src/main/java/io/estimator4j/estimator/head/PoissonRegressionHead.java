package io.estimator4j.estimator.head;

import io.estimator4j.estimator.metrics.Metric;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * A head for Poisson regression: logits are the log of the predicted rate, the loss is
 * tf.nn.log_poisson_loss and predictions are {@code exp(logits)}; Java counterpart of
 * tf.estimator.PoissonRegressionHead.
 *
 * <p>The per-example loss is {@code exp(logits) - labels · logits}, plus, with {@code
 * computeFullLoss} (Python's default, true), the Stirling term {@code z·log(z) - z + ½·log(2πz)}
 * for labels {@code z > 1}. Predictions: {@code predictions}, {@code logits}. Metrics, shapes and
 * exports are those of {@link RegressionHead}.
 */
public final class PoissonRegressionHead implements Head {
  private final RegressionHead head;
  private final boolean computeFullLoss;

  private PoissonRegressionHead(Builder b) {
    this.computeFullLoss = b.computeFullLoss;
    boolean full = b.computeFullLoss;
    this.head =
        RegressionHead.builder()
            .labelDimension(b.labelDimension)
            .weightColumn(b.weightColumn)
            .lossReduction(b.lossReduction)
            .inverseLinkFn((tf, logits) -> tf.math.exp(logits))
            .name(b.name)
            .build((tf, labels, logits) -> logPoissonLoss(tf, labels, logits, full));
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * tf.nn.log_poisson_loss(targets, log_input, compute_full_loss): {@code exp(x) - z·x}, plus
   * {@code z·log(z) - z + ½·log(2πz)} where {@code z > 1} (0 for {@code 0 <= z <= 1}) when full.
   */
  static Operand<TFloat32> logPoissonLoss(
      Ops tf, Operand<TFloat32> targets, Operand<TFloat32> logInput, boolean full) {
    Operand<TFloat32> loss = tf.math.sub(tf.math.exp(logInput), tf.math.mul(logInput, targets));
    if (!full) {
      return loss;
    }
    Operand<TFloat32> stirling =
        tf.math.add(
            tf.math.sub(tf.math.mul(targets, tf.math.log(targets)), targets),
            tf.math.mul(
                tf.constant(0.5f),
                tf.math.log(tf.math.mul(tf.constant((float) (2 * Math.PI)), targets))));
    Operand<TFloat32> zeros = tf.zerosLike(targets);
    Operand<TBool> smallCount =
        tf.math.logicalAnd(
            tf.math.greaterEqual(targets, zeros), tf.math.lessEqual(targets, tf.onesLike(targets)));
    return tf.math.add(loss, tf.select(smallCount, zeros, stirling));
  }

  /** Whether the loss includes the Stirling approximation of {@code log(labels!)}. */
  public boolean computeFullLoss() {
    return computeFullLoss;
  }

  /** The feature holding per-example (or per-value) weights, or null. */
  public String weightColumn() {
    return head.weightColumn();
  }

  @Override
  public int logitsDimension() {
    return head.logitsDimension();
  }

  @Override
  public String name() {
    return head.name();
  }

  @Override
  public LossReduction lossReduction() {
    return head.lossReduction();
  }

  @Override
  public EstimatorSpec createEstimatorSpec(
      ModelFnContext ctx,
      Operand<TFloat32> logits,
      TrainOpFn trainOpFn,
      Operand<TFloat32> regularizationLoss) {
    return head.createEstimatorSpec(ctx, logits, trainOpFn, regularizationLoss);
  }

  @Override
  public Operand<TFloat32> loss(
      ModelFnContext ctx,
      Operand<?> labels,
      Operand<TFloat32> logits,
      Operand<TFloat32> regularizationLoss) {
    return head.loss(ctx, labels, logits, regularizationLoss);
  }

  @Override
  public Map<String, Operand<?>> predictions(Ops tf, Operand<TFloat32> logits) {
    return head.predictions(tf, logits);
  }

  @Override
  public Map<String, Metric> metrics(
      ModelFnContext ctx,
      Operand<?> labels,
      Operand<TFloat32> logits,
      Operand<TFloat32> regularizationLoss) {
    return head.metrics(ctx, labels, logits, regularizationLoss);
  }

  @Override
  public String toString() {
    return HeadSupport.describe(
        this,
        "labelDimension",
        logitsDimension(),
        "name",
        name(),
        "weightColumn",
        weightColumn(),
        "lossReduction",
        lossReduction(),
        "computeFullLoss",
        computeFullLoss);
  }

  /** Builder of {@link PoissonRegressionHead}; every option has Python's default. */
  public static final class Builder extends HeadBuilder<Builder> {
    private int labelDimension = RegressionHead.Builder.DEFAULT_LABEL_DIMENSION;
    private boolean computeFullLoss = true;

    private Builder() {}

    /** Values per example: the last dimension of logits and labels; default 1. */
    public Builder labelDimension(int labelDimension) {
      this.labelDimension = labelDimension;
      return this;
    }

    /**
     * Whether to add the Stirling term of {@code log(labels!)} to the loss (it does not change the
     * gradients); default true, as Python's compute_full_loss.
     */
    public Builder computeFullLoss(boolean computeFullLoss) {
      this.computeFullLoss = computeFullLoss;
      return this;
    }

    /**
     * @throws IllegalArgumentException if label_dimension < 1 or the name is not a valid scope name
     */
    public PoissonRegressionHead build() {
      return new PoissonRegressionHead(this);
    }
  }
}
