package io.estimator4j.estimator.head;

import io.estimator4j.estimator.metrics.AucCurve;
import io.estimator4j.estimator.metrics.Metric;
import io.estimator4j.estimator.metrics.Metrics;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TNumber;

/**
 * A head for multi-label classification: each of {@code nClasses} classes is an independent yes/no,
 * with sigmoid cross-entropy averaged over the classes; Java counterpart of
 * tf.estimator.MultiLabelHead.
 *
 * <p>Logits are {@code [batch, n_classes]}; labels a multi-hot indicator {@code [batch, n_classes]}
 * of 0/1 numbers, or, with {@link Builder#labelVocabulary}, strings {@code [batch, k]} naming the
 * positive classes, padded with {@code ""} (the dense form of Python's string SparseTensor labels).
 * Predictions: {@code logits}, {@code probabilities} (sigmoid), {@code classes} (all class
 * strings). Metrics: {@code average_loss}, {@code auc}, {@code auc_precision_recall}
 * (micro-averaged over all classes), accuracy, precision and recall at each threshold, and {@code
 * probability_mean}, {@code auc} and {@code auc_precision_recall} of each class of {@link
 * Builder#classesForClassBasedMetrics}.
 */
public final class MultiLabelHead extends ClassifierHead {
  private final int nClasses;
  private final double[] thresholds;
  private final int[] classesForClassBasedMetrics;

  private MultiLabelHead(Builder b) {
    super(b, b.nClasses);
    if (b.nClasses < 2) {
      throw new IllegalArgumentException(
          "n_classes must be > 1 for multi-label classification. Given: "
              + b.nClasses
              + ". Fix: use BinaryClassHead for one class.");
    }
    this.nClasses = b.nClasses;
    this.thresholds = HeadSupport.checkThresholds(b.thresholds);
    this.classesForClassBasedMetrics = classIds(b);
  }

  private int[] classIds(Builder b) {
    List<Integer> ids = new ArrayList<>();
    for (Object c : b.classesForClassBasedMetrics) {
      int id;
      if (c instanceof String s) {
        if (labelVocabulary == null || !labelVocabulary.contains(s)) {
          throw new IllegalArgumentException(
              "Class '"
                  + s
                  + "' of classes_for_class_based_metrics is not in label_vocabulary "
                  + labelVocabulary
                  + ".");
        }
        id = labelVocabulary.indexOf(s);
      } else {
        id = (Integer) c;
        if (id < 0 || id >= nClasses) {
          throw new IllegalArgumentException(
              "All classes_for_class_based_metrics must be in range [0, "
                  + (nClasses - 1)
                  + "]. Given: "
                  + id);
        }
      }
      ids.add(id);
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  /** A builder for {@code nClasses} (> 1) labels. */
  public static Builder builder(int nClasses) {
    return new Builder(nClasses);
  }

  @Override
  public int logitsDimension() {
    return nClasses;
  }

  /** The extra thresholds of the accuracy, precision and recall metrics. */
  public double[] thresholds() {
    return thresholds.clone();
  }

  @Override
  LossParts lossParts(Ops tf, ModelFnContext ctx, Operand<?> labels, Operand<TFloat32> logits) {
    Labels.checkLabelType(labels, labelVocabulary, false);
    Operand<TFloat32> multiHot;
    if (labelVocabulary != null) {
      Operand<TString> names = HeadSupport.typed(labels, TString.class);
      if (names.shape().numDimensions() == 1) {
        names = tf.expandDims(names, tf.constant(-1));
      }
      Operand<TInt64> ids = Labels.lookupIds(tf, ctx, names, labelVocabulary, true);
      // one-hot of -1 (padding) is all zeros; [batch, k, n] -> [batch, n]
      Operand<TFloat32> oneHot =
          tf.oneHot(ids, tf.constant(nClasses), tf.constant(1f), tf.constant(0f));
      multiHot = tf.reduceMax(oneHot, tf.constant(-2));
      multiHot = Labels.checkLabels(tf, multiHot, logits, nClasses);
    } else {
      Operand<? extends TNumber> indicator =
          Labels.checkLabels(tf, numeric(labels), logits, nClasses);
      String message = "labels must be an integer indicator Tensor with values in [0, 1]. Found:";
      multiHot =
          tf.dtypes.cast(
              Labels.checkLabelRange(tf, indicator, 2, message, message), TFloat32.class);
    }
    Operand<TFloat32> perClass = HeadSupport.sigmoidCrossEntropy(tf, multiHot, logits);
    Operand<TFloat32> loss = tf.math.mean(perClass, tf.constant(-1), Mean.keepDims(true));
    return new LossParts(
        multiHot, loss, HeadSupport.weights(tf, ctx, weightColumn(), logits, false));
  }

  @SuppressWarnings("unchecked")
  private static Operand<? extends TNumber> numeric(Operand<?> labels) {
    return (Operand<? extends TNumber>) labels;
  }

  @Override
  Map<String, Operand<?>> buildPredictions(Ops tf, Operand<TFloat32> logits) {
    Map<String, Operand<?>> p = new LinkedHashMap<>();
    p.put(PredictionKeys.LOGITS, logits);
    p.put(
        PredictionKeys.PROBABILITIES,
        tf.withName(PredictionKeys.PROBABILITIES).math.sigmoid(logits));
    p.put(PredictionKeys.CLASSES, HeadSupport.allClasses(tf, logits, nClasses, labelVocabulary));
    return p;
  }

  @Override
  void addMetrics(
      Ops tf, Map<String, Metric> m, LossParts parts, Map<String, Operand<?>> predictions) {
    Operand<?> labels = parts.labels();
    Operand<TFloat32> w = parts.weights();
    Operand<TFloat32> probabilities =
        HeadSupport.typed(predictions.get(PredictionKeys.PROBABILITIES), TFloat32.class);
    put(tf, m, MetricKeys.AUC, (s, n) -> Metrics.auc(s, n, labels, probabilities, w));
    put(
        tf,
        m,
        MetricKeys.AUC_PR,
        (s, n) ->
            Metrics.auc(
                s, n, labels, probabilities, w, AucCurve.PR, Metrics.DEFAULT_AUC_THRESHOLDS));
    addThresholdMetrics(tf, m, thresholds, labels, probabilities, w);
    for (int id : classesForClassBasedMetrics) {
      Operand<TFloat32> classProbabilities = column(tf, probabilities, id);
      Operand<TFloat32> classLabels = column(tf, HeadSupport.typed(labels, TFloat32.class), id);
      String probabilityKey =
          classKey(MetricKeys.PROBABILITY_MEAN_AT_CLASS, MetricKeys.PROBABILITY_MEAN_AT_NAME, id);
      put(tf, m, probabilityKey, (s, n) -> Metrics.mean(s, n, classProbabilities, w));
      put(
          tf,
          m,
          classKey(MetricKeys.AUC_AT_CLASS, MetricKeys.AUC_AT_NAME, id),
          (s, n) -> Metrics.auc(s, n, classLabels, classProbabilities, w));
      put(
          tf,
          m,
          classKey(MetricKeys.AUC_PR_AT_CLASS, MetricKeys.AUC_PR_AT_NAME, id),
          (s, n) ->
              Metrics.auc(
                  s,
                  n,
                  classLabels,
                  classProbabilities,
                  w,
                  AucCurve.PR,
                  Metrics.DEFAULT_AUC_THRESHOLDS));
    }
  }

  /** A per-class metric key: by class id, or by vocabulary entry when there is a vocabulary. */
  private String classKey(String byId, String byName, int id) {
    return labelVocabulary == null
        ? String.format(Locale.ROOT, byId, id)
        : String.format(Locale.ROOT, byName, labelVocabulary.get(id));
  }

  /** {@code x[..., id:id+1]}. */
  private static Operand<TFloat32> column(Ops tf, Operand<TFloat32> x, int id) {
    return tf.gather(x, tf.constant(new int[] {id}), tf.constant(-1));
  }

  @Override
  public String toString() {
    return HeadSupport.describe(
        this,
        "nClasses",
        nClasses,
        "name",
        name(),
        "weightColumn",
        weightColumn(),
        "labelVocabulary",
        labelVocabulary,
        "lossReduction",
        lossReduction());
  }

  /** Builder of {@link MultiLabelHead}; every option has Python's default. */
  public static final class Builder extends HeadBuilder.Classifier<Builder> {
    private final int nClasses;
    private double[] thresholds = new double[0];
    private final List<Object> classesForClassBasedMetrics = new ArrayList<>();

    private Builder(int nClasses) {
      this.nClasses = nClasses;
    }

    /** Extra thresholds in (0, 1) for accuracy, precision and recall of the probabilities. */
    public Builder thresholds(double... thresholds) {
      this.thresholds = thresholds.clone();
      return this;
    }

    /** Class ids that get their own probability_mean, auc and auc_precision_recall metrics. */
    public Builder classesForClassBasedMetrics(int... classIds) {
      for (int id : classIds) {
        classesForClassBasedMetrics.add(id);
      }
      return this;
    }

    /** Vocabulary entries that get their own metrics (needs a label vocabulary). */
    public Builder classesForClassBasedMetrics(String... classNames) {
      classesForClassBasedMetrics.addAll(List.of(classNames));
      return this;
    }

    /**
     * @throws IllegalArgumentException if n_classes < 2, a threshold is outside (0, 1), the
     *     vocabulary does not have n_classes distinct entries, a class for class-based metrics is
     *     unknown, or the name is not a valid scope name
     */
    public MultiLabelHead build() {
      return new MultiLabelHead(this);
    }
  }
}
