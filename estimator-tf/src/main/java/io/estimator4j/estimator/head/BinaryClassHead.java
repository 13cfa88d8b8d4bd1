package io.estimator4j.estimator.head;

import io.estimator4j.estimator.metrics.AucCurve;
import io.estimator4j.estimator.metrics.Metric;
import io.estimator4j.estimator.metrics.Metrics;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.savedmodel.ExportOutput;
import io.estimator4j.savedmodel.RegressionOutput;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * A head for single-label binary classification with sigmoid cross-entropy loss; Java counterpart
 * of tf.estimator.BinaryClassHead.
 *
 * <p>Logits are {@code [batch, 1]}; labels {@code [batch]} or {@code [batch, 1]}, numbers in [0, 1]
 * (or strings of {@link Builder#labelVocabulary}). Predictions: {@code logits}, {@code logistic}
 * (sigmoid), {@code probabilities} {@code [1 - p, p]}, {@code class_ids} (1 when {@code p > 0.5}),
 * {@code classes}, {@code all_class_ids}, {@code all_classes}. Metrics: {@code accuracy}, {@code
 * precision}, {@code recall}, {@code auc}, {@code auc_precision_recall}, {@code prediction/mean},
 * {@code label/mean}, {@code accuracy_baseline}, {@code average_loss}, plus accuracy, precision and
 * recall at each extra threshold.
 */
public final class BinaryClassHead extends ClassifierHead {
  private final double[] thresholds;

  private BinaryClassHead(Builder b) {
    super(b, 2);
    this.thresholds = HeadSupport.checkThresholds(b.thresholds);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  public int logitsDimension() {
    return 1;
  }

  /** The extra thresholds of the accuracy, precision and recall metrics. */
  public double[] thresholds() {
    return thresholds.clone();
  }

  @Override
  LossParts lossParts(Ops tf, ModelFnContext ctx, Operand<?> labels, Operand<TFloat32> logits) {
    Operand<?> l =
        Labels.checkLabels(tf, Labels.checkLabelType(labels, labelVocabulary, false), logits, 1);
    Operand<?> numeric =
        labelVocabulary == null
            ? l
            : Labels.lookupIds(
                tf, ctx, HeadSupport.typed(l, TString.class), labelVocabulary, false);
    Operand<TFloat32> ids = tf.dtypes.cast(numeric, TFloat32.class);
    Operand<TFloat32> checked =
        Labels.checkLabelRange(
            tf,
            ids,
            2,
            "Labels must be <= n_classes - 1 (n_classes=2). Found:",
            "Labels must be >= 0 (n_classes=2). Found:");
    return new LossParts(
        checked,
        HeadSupport.sigmoidCrossEntropy(tf, checked, logits),
        HeadSupport.weights(tf, ctx, weightColumn(), logits, false));
  }

  @Override
  Map<String, Operand<?>> buildPredictions(Ops tf, Operand<TFloat32> logits) {
    Map<String, Operand<?>> p = new LinkedHashMap<>();
    p.put(PredictionKeys.LOGITS, logits);
    p.put(PredictionKeys.LOGISTIC, tf.withName(PredictionKeys.LOGISTIC).math.sigmoid(logits));
    Operand<TFloat32> twoClassLogits =
        tf.withName("two_class_logits")
            .concat(List.of(tf.zerosLike(logits), logits), tf.constant(-1));
    putClassPredictions(tf, p, twoClassLogits, logits, 2);
    return p;
  }

  @Override
  void addMetrics(
      Ops tf, Map<String, Metric> m, LossParts parts, Map<String, Operand<?>> predictions) {
    Operand<?> labels = parts.labels();
    Operand<TFloat32> w = parts.weights();
    Operand<?> classIds = predictions.get(PredictionKeys.CLASS_IDS);
    Operand<TFloat32> logistic =
        HeadSupport.typed(predictions.get(PredictionKeys.LOGISTIC), TFloat32.class);
    put(tf, m, MetricKeys.ACCURACY, (s, n) -> Metrics.accuracy(s, n, labels, classIds, w));
    put(tf, m, MetricKeys.PRECISION, (s, n) -> Metrics.precision(s, n, labels, classIds, w));
    put(tf, m, MetricKeys.RECALL, (s, n) -> Metrics.recall(s, n, labels, classIds, w));
    put(tf, m, MetricKeys.PREDICTION_MEAN, (s, n) -> Metrics.mean(s, n, logistic, w));
    put(tf, m, MetricKeys.LABEL_MEAN, (s, n) -> Metrics.mean(s, n, labels, w));
    put(tf, m, MetricKeys.ACCURACY_BASELINE, (s, n) -> Metrics.accuracyBaseline(s, n, labels, w));
    put(tf, m, MetricKeys.AUC, (s, n) -> Metrics.auc(s, n, labels, logistic, w));
    put(
        tf,
        m,
        MetricKeys.AUC_PR,
        (s, n) ->
            Metrics.auc(s, n, labels, logistic, w, AucCurve.PR, Metrics.DEFAULT_AUC_THRESHOLDS));
    addThresholdMetrics(tf, m, thresholds, labels, logistic, w);
  }

  @Override
  Map<String, ExportOutput> exportOutputs(Map<String, Operand<?>> p) {
    return HeadSupport.classifierExports(
        p, new RegressionOutput(HeadSupport.typed(p.get(PredictionKeys.LOGISTIC), TFloat32.class)));
  }

  /** Builder of {@link BinaryClassHead}; every option has Python's default. */
  public static final class Builder extends HeadBuilder.Classifier<Builder> {
    private double[] thresholds = new double[0];

    private Builder() {}

    /** Extra thresholds in (0, 1) for accuracy, precision and recall metrics. */
    public Builder thresholds(double... thresholds) {
      this.thresholds = thresholds.clone();
      return this;
    }

    /**
     * @throws IllegalArgumentException if a threshold is outside (0, 1), the vocabulary does not
     *     have two distinct entries, or the name is not a valid scope name
     */
    public BinaryClassHead build() {
      return new BinaryClassHead(this);
    }
  }

  @Override
  public String toString() {
    return HeadSupport.describe(
        this,
        "name",
        name(),
        "weightColumn",
        weightColumn(),
        "thresholds",
        Arrays.toString(thresholds),
        "labelVocabulary",
        labelVocabulary,
        "lossReduction",
        lossReduction());
  }
}
