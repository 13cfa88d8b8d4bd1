package io.estimator4j.board;

/**
 * TensorBoard's scalar smoothing: the debiased exponential moving average of its scalars dashboard
 * ({@code classicSmoothing} in tensorboard/webapp, formerly vz_line_chart's {@code
 * resmoothDataset}). The page's {@code board.js} computes the same numbers in the browser.
 *
 * <pre>
 *   last = 0, n = 0
 *   for each value v, in step order:
 *     if v is NaN or infinite: the smoothed value is v (it is not accumulated)
 *     else: last = last * w + (1 - w) * v;  n = n + 1;  smoothed = last / (1 - w^n)
 * </pre>
 *
 * <p>Dividing by {@code 1 - w^n} removes the bias towards the initial 0: for a constant series c
 * the moving average after n values is {@code c * (1 - w^n)}. A weight of 1 divides by 1. A series
 * whose values are all equal is returned as it is (TensorBoard issue #786). The weight is clamped
 * to [0, 1]; a non-finite weight counts as 0.
 */
public final class Smoothing {

  private Smoothing() {}

  /** The smoothed values of {@code values} with smoothing weight {@code weight}. */
  public static double[] smooth(double[] values, double weight) {
    double w = Double.isFinite(weight) ? Math.max(0, Math.min(weight, 1)) : 0;
    double[] out = values.clone();
    if (values.length == 0 || isConstant(values)) {
      return out;
    }
    double last = 0;
    int accumulated = 0;
    for (int i = 0; i < values.length; i++) {
      double v = values[i];
      if (!Double.isFinite(v)) {
        continue;
      }
      last = last * w + (1 - w) * v;
      accumulated++;
      double debias = w == 1 ? 1 : 1 - Math.pow(w, accumulated);
      out[i] = last / debias;
    }
    return out;
  }

  private static boolean isConstant(double[] values) {
    for (double v : values) {
      // JavaScript's ==: NaN differs from everything, so a series with a NaN is not constant.
      if (!(v == values[0])) {
        return false;
      }
    }
    return true;
  }
}
