package io.estimator4j.estimator.metrics;

import static io.estimator4j.estimator.metrics.MetricSupport.accumulator;
import static io.estimator4j.estimator.metrics.MetricSupport.align;
import static io.estimator4j.estimator.metrics.MetricSupport.broadcastWeights;
import static io.estimator4j.estimator.metrics.MetricSupport.sumAll;

import io.estimator4j.estimator.metrics.MetricSupport.Aligned;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Streaming evaluation metrics built as graph ops; Java counterpart of tf.compat.v1.metrics ({@code
 * mean}, {@code accuracy}, {@code mean_squared_error}, {@code precision}, {@code recall}) and of
 * tf.keras.metrics.AUC.
 *
 * <p>Each metric lives in the sub-scope {@code name} of {@code tf} (made unique if taken; a path
 * such as {@code prediction/mean} gives nested scopes) and keeps float32 local variables there,
 * e.g. {@code mean/total} and {@code mean/count}. They are created uninitialised and outside the
 * init scope, so {@code Session.initialize()} leaves them alone: run {@link Metric#initializer()}
 * to (re)set them. Values divide with div_no_nan: 0 before any data. {@code weights} may be null
 * (every weight 1) and is squeezed or expanded by one trailing dimension, then broadcast to the
 * values, as in Python.
 */
public final class Metrics {
  /** Number of thresholds of tf.keras.metrics.AUC by default. */
  public static final int DEFAULT_AUC_THRESHOLDS = 200;

  private Metrics() {}

  /**
   * The weighted mean of {@code values}: {@code total += sum(values·weights); count +=
   * sum(weights)}; value {@code total / count}. Java counterpart of tf.compat.v1.metrics.mean.
   */
  public static Metric mean(
      Ops tf, String name, Operand<? extends TType> values, Operand<? extends TType> weights) {
    return meanIn(MetricSupport.scope(tf, name), values, weights);
  }

  private static Metric meanIn(
      Ops m, Operand<? extends TType> values, Operand<? extends TType> weights) {
    MeanState s = MeanState.create(m, values, weights);
    Operand<TFloat32> value = m.withName("value").math.divNoNan(s.total(), s.count());
    Op update = m.withName("update_op").math.divNoNan(s.updateTotal(), s.updateCount());
    return s.metric(m, value, update);
  }

  /** The accumulators of a weighted mean: {@code total += sum(values·weights); count += ...}. */
  private record MeanState(
      Variable<TFloat32> total,
      Variable<TFloat32> count,
      Operand<TFloat32> updateTotal,
      Operand<TFloat32> updateCount) {
    static MeanState create(
        Ops m, Operand<? extends TType> values, Operand<? extends TType> weights) {
      Variable<TFloat32> total = accumulator(m, "total");
      Variable<TFloat32> count = accumulator(m, "count");
      Operand<TFloat32> v = m.dtypes.cast(values, TFloat32.class);
      Operand<TFloat32> numValues;
      if (weights == null) {
        numValues = m.dtypes.cast(m.size(v), TFloat32.class);
      } else {
        Operand<TFloat32> w = broadcastWeights(m, weights, v);
        v = m.math.mul(v, w);
        numValues = sumAll(m, w);
      }
      return new MeanState(
          total, count, m.assignAdd(total, sumAll(m, v)), m.assignAdd(count, numValues));
    }

    Metric metric(Ops m, Operand<TFloat32> value, Op update) {
      return MetricSupport.metric(m, value, update, List.of(total, count));
    }
  }

  /**
   * The accuracy of always predicting the more frequent class of binary {@code labels}: {@code
   * max(label_mean, 1 - label_mean)} with the weighted label mean, computed from the mean's {@code
   * total} and {@code count} as tf.estimator's BinaryClassHead does ({@code accuracy_baseline}).
   */
  public static Metric accuracyBaseline(
      Ops tf, String name, Operand<? extends TType> labels, Operand<? extends TType> weights) {
    Ops m = MetricSupport.scope(tf, name);
    MeanState s = MeanState.create(m, labels, weights);
    Operand<TFloat32> value =
        m.withName("value")
            .math
            .divNoNan(m.math.maximum(s.total(), m.math.sub(s.count(), s.total())), s.count());
    Op update =
        m.withName("update_op")
            .math
            .divNoNan(
                m.math.maximum(s.updateTotal(), m.math.sub(s.updateCount(), s.updateTotal())),
                s.updateCount());
    return s.metric(m, value, update);
  }

  /**
   * The area under the ROC curve with 200 thresholds, as tf.keras.metrics.AUC() computes it (the
   * {@code auc} metric of tf.estimator's heads). See {@link #auc(Ops, String, Operand, Operand,
   * Operand, AucCurve, int)}.
   */
  public static Metric auc(
      Ops tf,
      String name,
      Operand<? extends TType> labels,
      Operand<? extends TType> predictions,
      Operand<? extends TType> weights) {
    return auc(tf, name, labels, predictions, weights, AucCurve.ROC, DEFAULT_AUC_THRESHOLDS);
  }

  /**
   * The approximate area under a curve; Java counterpart of tf.keras.metrics.AUC with {@code
   * summation_method='interpolation'} (its default; tf.estimator's heads use it). Labels are cast
   * to bool (non-zero is positive); predictions, in [0, 1], count as positive at a threshold when
   * strictly greater than it. Weighted true/false positive/negative counts accumulate at {@code
   * numThresholds} thresholds {@code [-1e-7, 1/(n-1), ..., (n-2)/(n-1), 1+1e-7]} in the local
   * variables {@code <name>/true_positives} etc. The ROC area is the trapezoidal rule over (false
   * positive rate, recall); the PR area uses keras's {@code interpolate_pr_auc} (Davis and Goadrich
   * interpolation of precision). Both predictions and labels are flattened, so {@code [batch,
   * n_classes]} multi-label inputs give one micro-averaged AUC.
   *
   * @throws IllegalArgumentException if the static shapes are incompatible or {@code numThresholds
   *     < 2}
   */
  public static Metric auc(
      Ops tf,
      String name,
      Operand<? extends TType> labels,
      Operand<? extends TType> predictions,
      Operand<? extends TType> weights,
      AucCurve curve,
      int numThresholds) {
    return Auc.create(tf, name, labels, predictions, weights, curve, numThresholds);
  }

  /**
   * How often {@code predictions} equals {@code labels} (predictions are cast to the labels' type):
   * the weighted mean of {@code cast(equal(predictions, labels), float32)}. Java counterpart of
   * tf.compat.v1.metrics.accuracy.
   *
   * @throws IllegalArgumentException if the static shapes are incompatible
   */
  public static Metric accuracy(
      Ops tf,
      String name,
      Operand<? extends TType> labels,
      Operand<? extends TType> predictions,
      Operand<? extends TType> weights) {
    Ops m = MetricSupport.scope(tf, name);
    return meanIn(m, isCorrect(m, name, labels, predictions), weights);
  }

  /**
   * The weighted mean of {@code (labels - predictions)²}, both cast to float32. Java counterpart of
   * tf.compat.v1.metrics.mean_squared_error.
   *
   * @throws IllegalArgumentException if the static shapes are incompatible
   */
  public static Metric meanSquaredError(
      Ops tf,
      String name,
      Operand<? extends TType> labels,
      Operand<? extends TType> predictions,
      Operand<? extends TType> weights) {
    Ops m = MetricSupport.scope(tf, name);
    Aligned<TFloat32, TFloat32> a =
        align(
            m,
            name,
            m.dtypes.cast(labels, TFloat32.class),
            m.dtypes.cast(predictions, TFloat32.class));
    return meanIn(m, m.math.squaredDifference(a.labels(), a.predictions()), weights);
  }

  /**
   * Weighted {@code true_positives / (true_positives + false_positives)}, labels and predictions
   * cast to bool (non-zero is true). Java counterpart of tf.compat.v1.metrics.precision; local
   * variables {@code <name>/true_positives/count} and {@code <name>/false_positives/count}.
   */
  public static Metric precision(
      Ops tf,
      String name,
      Operand<? extends TType> labels,
      Operand<? extends TType> predictions,
      Operand<? extends TType> weights) {
    return ratio(tf, name, labels, predictions, weights, false);
  }

  /**
   * Weighted {@code true_positives / (true_positives + false_negatives)}, labels and predictions
   * cast to bool. Java counterpart of tf.compat.v1.metrics.recall; local variables {@code
   * <name>/true_positives/count} and {@code <name>/false_negatives/count}.
   */
  public static Metric recall(
      Ops tf,
      String name,
      Operand<? extends TType> labels,
      Operand<? extends TType> predictions,
      Operand<? extends TType> weights) {
    return ratio(tf, name, labels, predictions, weights, true);
  }

  private static Metric ratio(
      Ops tf,
      String name,
      Operand<? extends TType> labels,
      Operand<? extends TType> predictions,
      Operand<? extends TType> weights,
      boolean recall) {
    Ops m = MetricSupport.scope(tf, name);
    Aligned<TBool, TBool> a =
        align(m, name, m.dtypes.cast(labels, TBool.class), m.dtypes.cast(predictions, TBool.class));
    Operand<TBool> l = a.labels();
    Operand<TBool> p = a.predictions();
    Operand<TBool> truePositive = m.math.logicalAnd(l, p);
    Operand<TBool> other =
        recall
            ? m.math.logicalAnd(l, m.math.logicalNot(p))
            : m.math.logicalAnd(m.math.logicalNot(l), p);
    Counter tp = Counter.create(m.withSubScope("true_positives"), truePositive, weights);
    Counter fx =
        Counter.create(
            m.withSubScope(recall ? "false_negatives" : "false_positives"), other, weights);
    Operand<TFloat32> value =
        m.withName("value").math.divNoNan(tp.count(), m.math.add(tp.count(), fx.count()));
    Op update =
        m.withName("update_op").math.divNoNan(tp.update(), m.math.add(tp.update(), fx.update()));
    return MetricSupport.metric(m, value, update, List.of(tp.count(), fx.count()));
  }

  private static <L extends TType> Operand<TFloat32> isCorrect(
      Ops tf, String name, Operand<L> labels, Operand<? extends TType> predictions) {
    Aligned<L, L> a = align(tf, name, labels, tf.dtypes.cast(predictions, labels.type()));
    return tf.dtypes.cast(tf.math.equal(a.predictions(), a.labels()), TFloat32.class);
  }
}
