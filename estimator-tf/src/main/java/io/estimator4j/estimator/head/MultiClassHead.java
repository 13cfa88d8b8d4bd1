package io.estimator4j.estimator.head;

import io.estimator4j.estimator.metrics.Metric;
import io.estimator4j.estimator.metrics.Metrics;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TNumber;

/**
 * A head for single-label classification into {@code nClasses > 2} classes with softmax
 * cross-entropy loss; Java counterpart of tf.estimator.MultiClassHead.
 *
 * <p>Logits are {@code [batch, n_classes]}; labels {@code [batch]} or {@code [batch, 1]}, integer
 * class ids in [0, n_classes) (or strings of {@link Builder#labelVocabulary}). The loss is computed
 * from one-hot labels with SoftmaxCrossEntropyWithLogits (the sparse op has no gradient in
 * tensorflow-java). Predictions: {@code logits}, {@code probabilities}, {@code class_ids}, {@code
 * classes}, {@code all_class_ids}, {@code all_classes}. Metrics: {@code accuracy}, {@code
 * average_loss}.
 */
public final class MultiClassHead extends ClassifierHead {
  private final int nClasses;

  private MultiClassHead(Builder b) {
    super(b, b.nClasses);
    if (b.nClasses <= 2) {
      throw new IllegalArgumentException(
          "n_classes must be > 2: " + b.nClasses + ". Fix: use BinaryClassHead for two classes.");
    }
    this.nClasses = b.nClasses;
  }

  /** A builder for {@code nClasses} (> 2) classes. */
  public static Builder builder(int nClasses) {
    return new Builder(nClasses);
  }

  @Override
  public int logitsDimension() {
    return nClasses;
  }

  @Override
  LossParts lossParts(Ops tf, ModelFnContext ctx, Operand<?> labels, Operand<TFloat32> logits) {
    Operand<?> l =
        Labels.checkLabels(tf, Labels.checkLabelType(labels, labelVocabulary, true), logits, 1);
    Operand<? extends TNumber> ids =
        labelVocabulary == null
            ? numeric(l)
            : Labels.lookupIds(
                tf, ctx, HeadSupport.typed(l, TString.class), labelVocabulary, false);
    Operand<? extends TNumber> checked = checkRange(tf, ids);
    Operand<TFloat32> oneHot =
        tf.oneHot(
            tf.squeeze(checked, Squeeze.axis(-1L)),
            tf.constant(nClasses),
            tf.constant(1f),
            tf.constant(0f));
    Operand<TFloat32> flatLoss =
        tf.nn.softmaxCrossEntropyWithLogits(flat(tf, logits), flat(tf, oneHot)).loss();
    Operand<TFloat32> loss = tf.reshape(flatLoss, tf.shape(checked));
    return new LossParts(
        checked, loss, HeadSupport.weights(tf, ctx, weightColumn(), logits, false));
  }

  private <T extends TNumber> Operand<T> checkRange(Ops tf, Operand<T> ids) {
    return Labels.checkLabelRange(
        tf,
        ids,
        nClasses,
        "Labels must be <= n_classes - 1 (n_classes=" + nClasses + "). Found:",
        "Labels must be >= 0 (n_classes=" + nClasses + "). Found:");
  }

  private Operand<TFloat32> flat(Ops tf, Operand<TFloat32> x) {
    return tf.reshape(x, tf.constant(new int[] {-1, nClasses}));
  }

  @SuppressWarnings("unchecked")
  private static Operand<? extends TNumber> numeric(Operand<?> labels) {
    return (Operand<? extends TNumber>) labels;
  }

  @Override
  Map<String, Operand<?>> buildPredictions(Ops tf, Operand<TFloat32> logits) {
    Map<String, Operand<?>> p = new LinkedHashMap<>();
    p.put(PredictionKeys.LOGITS, logits);
    putClassPredictions(tf, p, logits, logits, nClasses);
    return p;
  }

  @Override
  void addMetrics(
      Ops tf, Map<String, Metric> m, LossParts parts, Map<String, Operand<?>> predictions) {
    Operand<?> classIds = predictions.get(PredictionKeys.CLASS_IDS);
    put(
        tf,
        m,
        MetricKeys.ACCURACY,
        (s, n) -> Metrics.accuracy(s, n, parts.labels(), classIds, parts.weights()));
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

  /** Builder of {@link MultiClassHead}; every option has Python's default. */
  public static final class Builder extends HeadBuilder.Classifier<Builder> {
    private final int nClasses;

    private Builder(int nClasses) {
      this.nClasses = nClasses;
    }

    /**
     * @throws IllegalArgumentException if n_classes <= 2, the vocabulary does not have n_classes
     *     distinct entries, or the name is not a valid scope name
     */
    public MultiClassHead build() {
      return new MultiClassHead(this);
    }
  }
}
