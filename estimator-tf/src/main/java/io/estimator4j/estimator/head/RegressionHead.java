package io.estimator4j.estimator.head;

import io.estimator4j.estimator.metrics.Metric;
import io.estimator4j.estimator.metrics.Metrics;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.savedmodel.ExportOutput;
import io.estimator4j.savedmodel.PredictOutput;
import io.estimator4j.savedmodel.RegressionOutput;
import io.estimator4j.savedmodel.SignatureConstants;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A head for regression with squared-error loss; Java counterpart of tf.estimator.RegressionHead.
 *
 * <p>Logits and labels are {@code [batch, label_dimension]} (labels may be {@code [batch]} when the
 * dimension is 1); weights {@code [batch]}, {@code [batch, 1]} or {@code [batch, label_dimension]}.
 * The per-example loss is {@code (labels - logits)²} per dimension, so the SUM_OVER_BATCH_SIZE
 * reduction divides by {@code batch · label_dimension}. Predictions: {@code predictions} (the
 * inverse link of the logits), plus {@code logits} when an inverse link is set. Metrics: {@code
 * average_loss}, {@code prediction/mean}, {@code label/mean}.
 */
public final class RegressionHead extends BaseHead {
  private final int labelDimension;
  private final InverseLinkFn inverseLinkFn;
  private final LossFn lossFn;

  /** Maps logits to predicted values, e.g. {@code (tf, logits) -> tf.math.exp(logits)}. */
  @FunctionalInterface
  public interface InverseLinkFn {
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> logits);
  }

  /** The per-example loss {@code [D0, ..., DN, label_dimension]} of float labels and logits. */
  @FunctionalInterface
  interface LossFn {
    Operand<TFloat32> apply(Ops tf, Operand<TFloat32> labels, Operand<TFloat32> logits);
  }

  /** The default per-example loss, {@code (labels - logits)²}. */
  static final LossFn SQUARED_ERROR =
      (tf, labels, logits) -> tf.math.squaredDifference(labels, logits);

  private RegressionHead(Builder b, LossFn lossFn) {
    super(b);
    if (b.labelDimension < 1) {
      throw new IllegalArgumentException(
          "Invalid label_dimension " + b.labelDimension + ". It must be >= 1.");
    }
    this.labelDimension = b.labelDimension;
    this.inverseLinkFn = b.inverseLinkFn;
    this.lossFn = Objects.requireNonNull(lossFn, "lossFn");
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int logitsDimension() {
    return labelDimension;
  }

  /** True when the loss is the default squared error (not Poisson's or another custom loss). */
  boolean isSquaredError() {
    return lossFn == SQUARED_ERROR;
  }

  @Override
  LossParts lossParts(Ops tf, ModelFnContext ctx, Operand<?> labels, Operand<TFloat32> logits) {
    Operand<?> l =
        Labels.checkLabels(tf, Labels.checkLabelType(labels, null, false), logits, labelDimension);
    Operand<TFloat32> values = tf.dtypes.cast(l, TFloat32.class);
    return new LossParts(
        values,
        lossFn.apply(tf, values, logits),
        HeadSupport.weights(tf, ctx, weightColumn(), logits, true));
  }

  @Override
  Map<String, Operand<?>> buildPredictions(Ops tf, Operand<TFloat32> logits) {
    Map<String, Operand<?>> p = new LinkedHashMap<>();
    if (inverseLinkFn == null) {
      p.put(PredictionKeys.PREDICTIONS, logits);
    } else {
      p.put(PredictionKeys.PREDICTIONS, inverseLinkFn.apply(tf, logits));
      p.put(PredictionKeys.LOGITS, logits);
    }
    return p;
  }

  @Override
  void addMetrics(
      Ops tf, Map<String, Metric> m, LossParts parts, Map<String, Operand<?>> predictions) {
    Operand<?> predicted = predictions.get(PredictionKeys.PREDICTIONS);
    put(
        tf,
        m,
        MetricKeys.PREDICTION_MEAN,
        (s, n) -> Metrics.mean(s, n, predicted, parts.weights()));
    put(
        tf,
        m,
        MetricKeys.LABEL_MEAN,
        (s, n) -> Metrics.mean(s, n, parts.labels(), parts.weights()));
  }

  @Override
  Map<String, ExportOutput> exportOutputs(Map<String, Operand<?>> p) {
    RegressionOutput regression =
        new RegressionOutput(HeadSupport.typed(p.get(PredictionKeys.PREDICTIONS), TFloat32.class));
    Map<String, ExportOutput> out = new LinkedHashMap<>();
    out.put(SignatureConstants.DEFAULT_SERVING_SIGNATURE_DEF_KEY, regression);
    out.put(SignatureConstants.REGRESS_SERVING_KEY, regression);
    out.put(SignatureConstants.PREDICT_SERVING_KEY, new PredictOutput(p));
    return out;
  }

  @Override
  public String toString() {
    return HeadSupport.describe(
        this,
        "labelDimension",
        labelDimension,
        "name",
        name(),
        "weightColumn",
        weightColumn(),
        "lossReduction",
        lossReduction(),
        "inverseLinkFn",
        inverseLinkFn != null);
  }

  /** Builder of {@link RegressionHead}; every option has Python's default. */
  public static final class Builder extends HeadBuilder<Builder> {
    /** Python's default label_dimension. */
    public static final int DEFAULT_LABEL_DIMENSION = 1;

    private int labelDimension = DEFAULT_LABEL_DIMENSION;
    private InverseLinkFn inverseLinkFn;

    private Builder() {}

    /** Values per example: the last dimension of logits and labels; default 1. */
    public Builder labelDimension(int labelDimension) {
      this.labelDimension = labelDimension;
      return this;
    }

    /** The mean function applied to logits for predictions; default identity. */
    public Builder inverseLinkFn(InverseLinkFn inverseLinkFn) {
      this.inverseLinkFn = inverseLinkFn;
      return this;
    }

    /**
     * @throws IllegalArgumentException if label_dimension < 1 or the name is not a valid scope name
     */
    public RegressionHead build() {
      return new RegressionHead(this, SQUARED_ERROR);
    }

    /** A head with a custom per-example loss (PoissonRegressionHead). */
    RegressionHead build(LossFn lossFn) {
      return new RegressionHead(this, lossFn);
    }
  }
}
