package io.estimator4j.keras;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The other losses of tf.keras 2.x's {@code keras.losses}, as {@code keras/losses.py} and {@code
 * backend.py} compute them (ε = 1e-7, the mean over the last axis per example, then Keras's {@code
 * SUM_OVER_BATCH_SIZE} mean over the batch), from ops with gradients in tensorflow-java.
 */
final class KerasMoreLosses {
  private KerasMoreLosses() {}

  static Operand<TFloat32> loss(
      Ops tf,
      KerasTrainingConfig.Loss loss,
      Operand<TFloat32> p,
      Operand<TFloat32> t,
      KerasLosses.Weighting w) {
    Operand<TFloat32> eps = tf.constant(KerasEstimators.EPSILON);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> zero = tf.constant(0f);
    return switch (loss.name()) {
      // 100 * mean(|(t - p) / max(|t|, eps)|)
      case "mean_absolute_percentage_error" ->
          w.mean(
              tf,
              tf.math.mul(
                  tf.constant(100f),
                  tf.math.abs(
                      tf.math.div(tf.math.sub(t, p), tf.math.maximum(tf.math.abs(t), eps)))));
      // mean((log(max(p, eps) + 1) - log(max(t, eps) + 1))²)
      case "mean_squared_logarithmic_error" ->
          w.mean(
              tf,
              tf.math.square(
                  tf.math.sub(
                      tf.math.log(tf.math.add(tf.math.maximum(p, eps), one)),
                      tf.math.log(tf.math.add(tf.math.maximum(t, eps), one)))));
      // mean(max(1 - t·p, 0)), t in {0, 1} turned into {-1, 1}
      case "hinge" -> w.mean(tf, tf.nn.relu(tf.math.sub(one, tf.math.mul(signed(tf, t), p))));
      case "squared_hinge" ->
          w.mean(tf, tf.math.square(tf.nn.relu(tf.math.sub(one, tf.math.mul(signed(tf, t), p)))));
      // max(0, max((1 - t)·p) - sum(t·p) + 1) per example
      case "categorical_hinge" -> {
        Operand<TFloat32> pos = tf.reduceSum(tf.math.mul(t, p), tf.constant(-1));
        Operand<TFloat32> neg = tf.reduceMax(tf.math.mul(tf.math.sub(one, t), p), tf.constant(-1));
        yield w.mean(tf, tf.math.maximum(zero, tf.math.add(tf.math.sub(neg, pos), one)));
      }
      // e = p - t: 0.5 e² where |e| <= delta, delta·|e| - 0.5 delta² elsewhere
      case "huber" -> {
        Operand<TFloat32> delta = tf.constant((float) loss.delta());
        Operand<TFloat32> e = tf.math.abs(tf.math.sub(p, t));
        Operand<TFloat32> quadratic = tf.math.mul(tf.constant(0.5f), tf.math.square(e));
        Operand<TFloat32> linear =
            tf.math.sub(
                tf.math.mul(delta, e), tf.math.mul(tf.constant(0.5f), tf.math.square(delta)));
        yield w.mean(tf, tf.select(tf.math.lessEqual(e, delta), quadratic, linear));
      }
      // x + softplus(-2x) - log 2, x = p - t
      case "log_cosh" -> {
        Operand<TFloat32> x = tf.math.sub(p, t);
        yield w.mean(
            tf,
            tf.math.sub(
                tf.math.add(x, tf.math.softplus(tf.math.mul(tf.constant(-2f), x))),
                tf.constant((float) Math.log(2))));
      }
      // sum(t·log(t / p)) per example, t and p clipped to [eps, 1]
      case "kl_divergence" -> {
        Operand<TFloat32> tc = tf.clipByValue(t, eps, one);
        Operand<TFloat32> pc = tf.clipByValue(p, eps, one);
        yield w.mean(
            tf, tf.reduceSum(tf.math.mul(tc, tf.math.log(tf.math.div(tc, pc))), tf.constant(-1)));
      }
      // mean(p - t·log(p + eps))
      case "poisson" ->
          w.mean(tf, tf.math.sub(p, tf.math.mul(t, tf.math.log(tf.math.add(p, eps)))));
      // -sum(l2_normalize(t)·l2_normalize(p)) per example
      case "cosine_similarity" ->
          w.mean(
              tf,
              tf.math.neg(
                  tf.reduceSum(
                      tf.math.mul(l2Normalize(tf, t), l2Normalize(tf, p)), tf.constant(-1))));
      default -> throw new IllegalArgumentException("Unsupported loss " + loss.name());
    };
  }

  /** Keras's _maybe_convert_labels: labels all in {0, 1} become {-1, 1}; others stay. */
  private static Operand<TFloat32> signed(Ops tf, Operand<TFloat32> t) {
    Operand<TBool> zeroOrOne =
        tf.math.logicalOr(tf.math.equal(t, tf.constant(0f)), tf.math.equal(t, tf.constant(1f)));
    Operand<TBool> all =
        tf.reduceAll(zeroOrOne, tf.range(tf.constant(0), tf.rank(t), tf.constant(1)));
    return tf.select(all, tf.math.sub(tf.math.mul(tf.constant(2f), t), tf.constant(1f)), t);
  }

  /** x / sqrt(max(sum(x², -1), 1e-12)), tf.math.l2_normalize over the last axis. */
  private static Operand<TFloat32> l2Normalize(Ops tf, Operand<TFloat32> x) {
    Operand<TFloat32> sq =
        tf.reduceSum(tf.math.square(x), tf.constant(-1), ReduceSum.keepDims(true));
    return tf.math.mul(x, tf.math.rsqrt(tf.math.maximum(sq, tf.constant(1e-12f))));
  }
}
