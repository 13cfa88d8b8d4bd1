package io.estimator4j.estimator.metrics;

import static io.estimator4j.estimator.metrics.Counter.atThresholds;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * tf.keras.metrics.AUC with its default summation method 'interpolation': confusion counts at
 * {@code n} thresholds {@code [-1e-7, 1/(n-1), ..., (n-2)/(n-1), 1+1e-7]} (a prediction is positive
 * when it is strictly greater), then the trapezoidal rule on the ROC curve, or Davis and Goadrich's
 * interpolation on the PR curve (keras's {@code interpolate_pr_auc}).
 */
final class Auc {
  private static final float EPSILON = 1e-7f;

  private Auc() {}

  static Metric create(
      Ops tf,
      String name,
      Operand<? extends TType> labels,
      Operand<? extends TType> predictions,
      Operand<? extends TType> weights,
      AucCurve curve,
      int numThresholds) {
    if (numThresholds < 2) {
      throw new IllegalArgumentException(
          name + ": numThresholds must be > 1, got " + numThresholds + ".");
    }
    Ops m = MetricSupport.scope(tf, name);
    Operand<TFloat32> castPredictions = m.dtypes.cast(predictions, TFloat32.class);
    MetricSupport.Aligned<TBool, TFloat32> a =
        MetricSupport.align(m, name, m.dtypes.cast(labels, TBool.class), castPredictions);
    Operand<TFloat32> p = a.predictions();
    Operand<TBool> l = a.labels();
    Operand<TFloat32> w = weights == null ? null : MetricSupport.broadcastWeights(m, weights, p);
    // [1, N] rows against [n, 1] thresholds broadcast to [n, N]
    Operand<TBool> predPos = m.math.greater(row(m, p), m.constant(thresholds(numThresholds)));
    Operand<TBool> labelPos = row(m, l);
    Operand<TFloat32> weightRow = w == null ? null : row(m, w);
    Operand<TBool> predNeg = m.math.logicalNot(predPos);
    Operand<TBool> labelNeg = m.math.logicalNot(labelPos);
    int n = numThresholds;
    Counter tp =
        atThresholds(m, "true_positives", n, m.math.logicalAnd(labelPos, predPos), weightRow);
    Counter fp =
        atThresholds(m, "false_positives", n, m.math.logicalAnd(labelNeg, predPos), weightRow);
    Counter tn =
        atThresholds(m, "true_negatives", n, m.math.logicalAnd(labelNeg, predNeg), weightRow);
    Counter fn =
        atThresholds(m, "false_negatives", n, m.math.logicalAnd(labelPos, predNeg), weightRow);
    Operand<TFloat32> value =
        m.withName("value")
            .identity(area(m, curve, n, tp.count(), fp.count(), tn.count(), fn.count()));
    Op update =
        m.withName("update_op")
            .identity(area(m, curve, n, tp.update(), fp.update(), tn.update(), fn.update()));
    return MetricSupport.metric(
        m, value, update, List.of(tp.count(), fp.count(), tn.count(), fn.count()));
  }

  /** Keras's thresholds as a column {@code [n, 1]}. */
  static float[][] thresholds(int n) {
    float[][] t = new float[n][1];
    t[0][0] = -EPSILON;
    for (int i = 1; i < n - 1; i++) {
      t[i][0] = (float) (i * 1.0 / (n - 1));
    }
    t[n - 1][0] = 1f + EPSILON;
    return t;
  }

  private static <T extends TType> Operand<T> row(Ops m, Operand<T> x) {
    return m.reshape(x, m.constant(new int[] {1, -1}));
  }

  private static Operand<TFloat32> area(
      Ops m,
      AucCurve curve,
      int n,
      Operand<TFloat32> tp,
      Operand<TFloat32> fp,
      Operand<TFloat32> tn,
      Operand<TFloat32> fn) {
    if (curve == AucCurve.PR) {
      return interpolatePrAuc(m, n, tp, fp, fn);
    }
    Operand<TFloat32> recall = m.math.divNoNan(tp, m.math.add(tp, fn));
    Operand<TFloat32> fpRate = m.math.divNoNan(fp, m.math.add(fp, tn));
    Operand<TFloat32> heights =
        m.math.div(m.math.add(head(m, recall, n), tail(m, recall, n)), m.constant(2f));
    Operand<TFloat32> widths = m.math.sub(head(m, fpRate, n), tail(m, fpRate, n));
    return m.reduceSum(m.math.mul(widths, heights), m.constant(0));
  }

  /**
   * Keras's {@code interpolate_pr_auc}: precision is interpolated between thresholds by
   * interpolating true positives and predicted positives linearly (Davis and Goadrich 2006).
   */
  private static Operand<TFloat32> interpolatePrAuc(
      Ops m, int n, Operand<TFloat32> tp, Operand<TFloat32> fp, Operand<TFloat32> fn) {
    Operand<TFloat32> zero = m.constant(0f);
    Operand<TFloat32> dtp = m.math.sub(head(m, tp, n), tail(m, tp, n));
    Operand<TFloat32> p = m.math.add(tp, fp);
    Operand<TFloat32> pHead = head(m, p, n);
    Operand<TFloat32> pTail = tail(m, p, n);
    Operand<TFloat32> dp = m.math.sub(pHead, pTail);
    Operand<TFloat32> precSlope = m.math.divNoNan(dtp, m.math.maximum(dp, zero));
    Operand<TFloat32> intercept = m.math.sub(tail(m, tp, n), m.math.mul(precSlope, pTail));
    Operand<TBool> bothPositive =
        m.math.logicalAnd(m.math.greater(pHead, zero), m.math.greater(pTail, zero));
    Operand<TFloat32> safePRatio =
        m.select(
            bothPositive, m.math.divNoNan(pHead, m.math.maximum(pTail, zero)), m.onesLike(pTail));
    Operand<TFloat32> increment =
        m.math.divNoNan(
            m.math.mul(precSlope, m.math.add(dtp, m.math.mul(intercept, m.math.log(safePRatio)))),
            m.math.maximum(m.math.add(tail(m, tp, n), tail(m, fn, n)), zero));
    return m.reduceSum(increment, m.constant(0));
  }

  /** {@code x[:n-1]}. */
  private static Operand<TFloat32> head(Ops m, Operand<TFloat32> x, int n) {
    return m.slice(x, m.constant(new int[] {0}), m.constant(new int[] {n - 1}));
  }

  /** {@code x[1:]}. */
  private static Operand<TFloat32> tail(Ops m, Operand<TFloat32> x, int n) {
    return m.slice(x, m.constant(new int[] {1}), m.constant(new int[] {n - 1}));
  }
}
