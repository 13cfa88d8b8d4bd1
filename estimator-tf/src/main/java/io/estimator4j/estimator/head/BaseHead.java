package io.estimator4j.estimator.head;

import io.estimator4j.estimator.metrics.Metric;
import io.estimator4j.estimator.metrics.Metrics;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.savedmodel.ExportOutput;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * What every head does the same way (Python's base_head.Head): the mode switch of
 * create_estimator_spec, the loss reduction, the name suffix of keys, the average loss and
 * regularization metrics and summaries. A head supplies its labels processing, per-example loss,
 * predictions, own metrics and export outputs.
 */
abstract class BaseHead implements Head {
  private final String name;
  private final String weightColumn;
  private final LossReduction lossReduction;

  /** Takes the options every head has; checks the name and the loss reduction. */
  BaseHead(HeadBuilder<?> b) {
    this.name = HeadSupport.checkName(b.name);
    this.weightColumn = b.weightColumn;
    this.lossReduction = Objects.requireNonNull(b.lossReduction, "lossReduction");
  }

  /**
   * One batch's processed labels, unreduced loss {@code [D0, ..., DN, k]} and weights ({@code [D0,
   * ..., DN, 1 or k]}, null for none).
   */
  record LossParts(Operand<?> labels, Operand<TFloat32> unweighted, Operand<TFloat32> weights) {}

  /** Checks and converts the labels and computes the per-example loss; logits are checked. */
  abstract LossParts lossParts(
      Ops tf, ModelFnContext ctx, Operand<?> labels, Operand<TFloat32> logits);

  /** The predictions from checked logits, in the scope {@code predictions}. */
  abstract Map<String, Operand<?>> buildPredictions(Ops tf, Operand<TFloat32> logits);

  /** Adds the head's metrics beyond average_loss; use {@link #put} to key and scope them. */
  abstract void addMetrics(
      Ops tf, Map<String, Metric> metrics, LossParts parts, Map<String, Operand<?>> predictions);

  /** The export outputs by signature key, from the predictions. */
  abstract Map<String, ExportOutput> exportOutputs(Map<String, Operand<?>> predictions);

  @Override
  public String name() {
    return name;
  }

  /** The feature holding per-example weights, or null. */
  public String weightColumn() {
    return weightColumn;
  }

  @Override
  public LossReduction lossReduction() {
    return lossReduction;
  }

  @Override
  public final Map<String, Operand<?>> predictions(Ops tf, Operand<TFloat32> logits) {
    Ops p = tf.withSubScope("predictions");
    return buildPredictions(p, HeadSupport.checkLogits(p, logits, logitsDimension()));
  }

  @Override
  public final Operand<TFloat32> loss(
      ModelFnContext ctx,
      Operand<?> labels,
      Operand<TFloat32> logits,
      Operand<TFloat32> regularizationLoss) {
    Ops tf = scope(ctx).withSubScope("losses");
    return regularized(tf, parts(tf, ctx, labels, logits), regularizationLoss);
  }

  @Override
  public final Map<String, Metric> metrics(
      ModelFnContext ctx,
      Operand<?> labels,
      Operand<TFloat32> logits,
      Operand<TFloat32> regularizationLoss) {
    Ops tf = scope(ctx);
    LossParts parts = parts(tf.withSubScope("losses"), ctx, labels, logits);
    return metricsOf(tf, parts, predictions(tf, logits), regularizationLoss);
  }

  @Override
  public final EstimatorSpec createEstimatorSpec(
      ModelFnContext ctx,
      Operand<TFloat32> logits,
      TrainOpFn trainOpFn,
      Operand<TFloat32> regularizationLoss) {
    ModeKeys mode = ctx.mode();
    if (mode == ModeKeys.TRAIN && trainOpFn == null) {
      throw new IllegalArgumentException(
          "TRAIN needs a trainOpFn, e.g. loss -> optimizer.minimize(tf, loss, variables, "
              + "ctx.globalStep()).");
    }
    Ops tf = scope(ctx);
    Map<String, Operand<?>> predictions = predictions(tf, logits);
    EstimatorSpec.Builder spec = EstimatorSpec.builder(mode).predictions(predictions);
    if (mode == ModeKeys.PREDICT) {
      exportOutputs(predictions).forEach(spec::exportOutput);
      return spec.build();
    }
    Ops losses = tf.withSubScope("losses");
    LossParts parts = parts(losses, ctx, Labels.labelsOf(ctx, name), logits);
    Operand<TFloat32> loss = regularized(losses, parts, regularizationLoss);
    spec.loss(loss);
    if (mode == ModeKeys.EVAL) {
      return spec.evalMetrics(metricsOf(tf, parts, predictions, regularizationLoss)).build();
    }
    ctx.scalarSummary(key(MetricKeys.LOSS), loss);
    ctx.scalarSummary(
        key(MetricKeys.LOSS_MEAN),
        HeadSupport.weightedMean(losses, parts.unweighted(), parts.weights()));
    if (regularizationLoss != null) {
      ctx.scalarSummary(key(MetricKeys.LOSS_REGULARIZATION), regularizationLoss);
    }
    Op trainOp = trainOpFn.apply(loss);
    if (trainOp == null) {
      throw new IllegalArgumentException("trainOpFn returned null; it must return the train op.");
    }
    return spec.trainOp(trainOp).build();
  }

  /** {@code key}, or {@code key/name} for a named head. */
  final String key(String key) {
    return HeadSupport.summaryKey(key, name);
  }

  /** Puts the metric under {@code key(metricKey)}, built in a scope named after that key. */
  final void put(Ops tf, Map<String, Metric> metrics, String metricKey, MetricFactory factory) {
    String k = key(metricKey);
    metrics.put(k, factory.create(tf, HeadSupport.metricScope(k)));
  }

  /**
   * Accuracy, precision and recall of {@code scores > threshold} at each threshold: Python's
   * BinaryAccuracy, Precision and Recall with {@code thresholds=t}.
   */
  final void addThresholdMetrics(
      Ops tf,
      Map<String, Metric> m,
      double[] thresholds,
      Operand<?> labels,
      Operand<TFloat32> scores,
      Operand<TFloat32> w) {
    for (double t : thresholds) {
      Operand<?> above = tf.math.greater(scores, tf.constant((float) t));
      put(
          tf,
          m,
          MetricKeys.atThreshold(MetricKeys.ACCURACY_AT_THRESHOLD, t),
          (s, n) -> Metrics.accuracy(s, n, labels, above, w));
      put(
          tf,
          m,
          MetricKeys.atThreshold(MetricKeys.PRECISION_AT_THRESHOLD, t),
          (s, n) -> Metrics.precision(s, n, labels, above, w));
      put(
          tf,
          m,
          MetricKeys.atThreshold(MetricKeys.RECALL_AT_THRESHOLD, t),
          (s, n) -> Metrics.recall(s, n, labels, above, w));
    }
  }

  /** Builds one metric in {@code tf} under the scope path {@code scope}. */
  @FunctionalInterface
  interface MetricFactory {
    Metric create(Ops tf, String scope);
  }

  private Ops scope(ModelFnContext ctx) {
    return ctx.tf().withSubScope(name != null ? name : "head");
  }

  private LossParts parts(Ops tf, ModelFnContext ctx, Operand<?> labels, Operand<TFloat32> logits) {
    if (labels == null) {
      throw new IllegalArgumentException(Labels.LABEL_NONE_ERR);
    }
    return lossParts(tf, ctx, labels, HeadSupport.checkLogits(tf, logits, logitsDimension()));
  }

  private Operand<TFloat32> regularized(
      Ops tf, LossParts parts, Operand<TFloat32> regularizationLoss) {
    Operand<TFloat32> loss =
        HeadSupport.reduce(tf, parts.unweighted(), parts.weights(), lossReduction);
    return regularizationLoss == null ? loss : tf.math.add(loss, regularizationLoss);
  }

  private Map<String, Metric> metricsOf(
      Ops tf,
      LossParts parts,
      Map<String, Operand<?>> predictions,
      Operand<TFloat32> regularizationLoss) {
    Ops m = tf.withSubScope("metrics");
    Map<String, Metric> metrics = new LinkedHashMap<>();
    put(
        m,
        metrics,
        MetricKeys.LOSS_MEAN,
        (s, n) -> Metrics.mean(s, n, parts.unweighted(), parts.weights()));
    addMetrics(m, metrics, parts, predictions);
    if (regularizationLoss != null) {
      put(
          m,
          metrics,
          MetricKeys.LOSS_REGULARIZATION,
          (s, n) -> Metrics.mean(s, n, regularizationLoss, null));
    }
    return metrics;
  }
}
