package io.estimator4j.estimator.layers;

import io.estimator4j.graph.GraphCollections;
import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Initializers;
import io.estimator4j.graph.Variables;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

/**
 * Batch normalization over the last axis of a [batch, features] input, with gamma, beta and moving
 * statistics named as tf.compat.v1.layers.batch_normalization names them; Java counterpart of
 * tf.keras.layers.BatchNormalization. In training the batch statistics normalise and the moving
 * averages are updated by {@link Result#updates()} (add them to the train op).
 */
public final class BatchNormalization {
  public static final float DEFAULT_MOMENTUM = 0.99f;
  public static final float DEFAULT_EPSILON = 1e-3f;
  private final float momentum;
  private final float epsilon;

  private BatchNormalization(float momentum, float epsilon) {
    this.momentum = momentum;
    this.epsilon = epsilon;
  }

  public static BatchNormalization of(double momentum, double epsilon) {
    return new BatchNormalization((float) momentum, (float) epsilon);
  }

  /** Output, trainable variables (gamma, beta) and the moving-average update ops. */
  public record Result(
      Operand<TFloat32> output, List<Variable<TFloat32>> trainableVariables, List<Op> updates) {}

  /**
   * Inference with given statistics, as tf.nn.batch_normalization computes it: {@code x * inv +
   * (beta - mean * inv)} with {@code inv = gamma / sqrt(variance + epsilon)}; the parameters (of
   * the size of axis {@code axis}) are broadcast along that axis. What tf.keras's
   * BatchNormalization computes outside training.
   *
   * @param gamma the scale, or null for none ({@code scale=False})
   * @param beta the offset, or null for none ({@code center=False})
   */
  public static Operand<TFloat32> normalize(
      Ops tf,
      Operand<TFloat32> x,
      int axis,
      Operand<TFloat32> gamma,
      Operand<TFloat32> beta,
      Operand<TFloat32> mean,
      Operand<TFloat32> variance,
      float epsilon) {
    int rank = Tensors.rank(x, "BatchNormalization");
    int a = Tensors.axis(axis, rank);
    Operand<TFloat32> inv = tf.math.rsqrt(tf.math.add(variance, tf.constant(epsilon)));
    if (gamma != null) {
      inv = tf.math.mul(inv, gamma);
    }
    Operand<TFloat32> shift =
        beta != null
            ? tf.math.sub(beta, tf.math.mul(mean, inv))
            : tf.math.neg(tf.math.mul(mean, inv));
    if (a != rank - 1) {
      long[] shape = new long[rank];
      java.util.Arrays.fill(shape, 1);
      shape[a] = -1;
      inv = tf.reshape(inv, tf.constant(shape));
      shift = tf.reshape(shift, tf.constant(shape));
    }
    return tf.math.add(tf.math.mul(x, inv), shift);
  }

  /**
   * Keras's BatchNormalization at inference over axis {@code axis}, asking {@code weights} for
   * gamma (if {@code scale}), beta (if {@code center}), moving_mean and moving_variance, in that
   * order.
   */
  public Operand<TFloat32> applyInference(
      Ops scope,
      Operand<TFloat32> x,
      int axis,
      boolean center,
      boolean scale,
      Weights weights,
      Initializer gammaInit,
      Initializer betaInit,
      Initializer meanInit,
      Initializer varianceInit) {
    Params p =
        params(scope, x, axis, center, scale, weights, gammaInit, betaInit, meanInit, varianceInit);
    return normalize(
        scope, x, axis, p.gamma(), p.beta(), p.movingMean(), p.movingVariance(), epsilon);
  }

  /** The layer's weights; gamma or beta null when not scaled or centred. */
  private record Params(
      Operand<TFloat32> gamma,
      Operand<TFloat32> beta,
      Operand<TFloat32> movingMean,
      Operand<TFloat32> movingVariance) {}

  /** Asks {@code weights} for gamma, beta, moving_mean and moving_variance, Keras's order. */
  private static Params params(
      Ops scope,
      Operand<TFloat32> x,
      int axis,
      boolean center,
      boolean scale,
      Weights weights,
      Initializer gammaInit,
      Initializer betaInit,
      Initializer meanInit,
      Initializer varianceInit) {
    int rank = Tensors.rank(x, "BatchNormalization");
    long n = x.shape().get(Tensors.axis(axis, rank));
    if (n < 0) {
      throw new IllegalArgumentException(
          "BatchNormalization needs the size of axis "
              + axis
              + " to be known; found shape "
              + x.shape()
              + ".");
    }
    Shape s = Shape.of(n);
    Operand<TFloat32> gamma = scale ? weights.get(scope, "gamma", s, gammaInit, true) : null;
    Operand<TFloat32> beta = center ? weights.get(scope, "beta", s, betaInit, true) : null;
    return new Params(
        gamma,
        beta,
        weights.get(scope, "moving_mean", s, meanInit, false),
        weights.get(scope, "moving_variance", s, varianceInit, false));
  }

  /**
   * Keras's BatchNormalization in training over axis {@code axis}: normalises with the batch's mean
   * and (biased) variance over all other axes, and returns the updates {@code moving = moving -
   * (moving - batch) * (1 - momentum)} of moving_mean and moving_variance (what Keras's {@code
   * _assign_moving_average} builds), which the caller must run with every training step. The
   * weights are asked for as {@link #applyInference} asks for them, and the moving statistics are
   * updated through {@link Weights#assign}.
   *
   * @param unbiasedMovingVariance update the moving variance with the Bessel-corrected batch
   *     variance ({@code m / (m - 1)} times the biased one, m values per channel), as tf.keras 2
   *     does where it uses its fused kernel (4D and 5D inputs normalised over the channel axis);
   *     false for the biased variance of its other inputs and of Keras 3
   * @return the output, no trainable variables (the weights source holds them) and the two updates
   */
  public Result applyTraining(
      Ops scope,
      Operand<TFloat32> x,
      int axis,
      boolean center,
      boolean scale,
      Weights weights,
      Initializer gammaInit,
      Initializer betaInit,
      Initializer meanInit,
      Initializer varianceInit,
      boolean unbiasedMovingVariance) {
    Params p =
        params(scope, x, axis, center, scale, weights, gammaInit, betaInit, meanInit, varianceInit);
    int rank = x.shape().numDimensions();
    int a = Tensors.axis(axis, rank);
    long n = x.shape().get(a);
    Operand<TFloat32> gamma = p.gamma();
    Operand<TFloat32> beta = p.beta();
    Operand<TFloat32> movingMean = p.movingMean();
    Operand<TFloat32> movingVar = p.movingVariance();
    Ops tf = scope.withSubScope("moments");
    int[] reduce = new int[rank - 1];
    long[] broadcast = new long[rank];
    for (int i = 0, j = 0; i < rank; i++) {
      broadcast[i] = i == a ? -1 : 1;
      if (i != a) {
        reduce[j++] = i;
      }
    }
    Operand<TFloat32> mean = tf.math.mean(x, tf.constant(reduce));
    Operand<TFloat32> centered = tf.math.sub(x, tf.reshape(mean, tf.constant(broadcast)));
    Operand<TFloat32> variance = tf.math.mean(tf.math.square(centered), tf.constant(reduce));
    Operand<TFloat32> y = normalize(scope, x, axis, gamma, beta, mean, variance, epsilon);
    Operand<TFloat32> forUpdate = variance;
    if (unbiasedMovingVariance) {
      // m = values per channel = size(x) / n; variance * m / (m - 1)
      Operand<TFloat32> m =
          tf.math.div(tf.dtypes.cast(tf.size(x), TFloat32.class), tf.constant((float) n));
      forUpdate = tf.math.mul(variance, tf.math.div(m, tf.math.sub(m, tf.constant(1f))));
    }
    Ops upd = scope.withSubScope("AssignMovingAvg");
    Operand<TFloat32> decay = upd.constant(1f - momentum);
    Op updMean =
        weights.assign(
            upd,
            movingMean,
            upd.math.sub(movingMean, upd.math.mul(upd.math.sub(movingMean, mean), decay)));
    Op updVar =
        weights.assign(
            upd,
            movingVar,
            upd.math.sub(movingVar, upd.math.mul(upd.math.sub(movingVar, forUpdate), decay)));
    return new Result(y, List.of(), List.of(updMean, updVar));
  }

  /** Applies the layer; variables go under {@code scope} (e.g. dnn/hiddenlayer_0/batchnorm_0). */
  public Result apply(Ops scope, Operand<TFloat32> x, boolean training) {
    long n = x.shape().get(x.shape().numDimensions() - 1);
    if (x.shape().numDimensions() != 2 || n < 0) {
      throw new IllegalArgumentException(
          "BatchNormalization expects [batch, features] with known features, got " + x.shape());
    }
    Shape s = Shape.of(n);
    Variable<TFloat32> gamma = Variables.global(scope, "gamma", s, Initializers.ones());
    Variable<TFloat32> beta = Variables.global(scope, "beta", s, Initializers.zeros());
    Variable<TFloat32> mean = Variables.global(scope, "moving_mean", s, Initializers.zeros());
    Variable<TFloat32> var = Variables.global(scope, "moving_variance", s, Initializers.ones());
    GraphCollections.add(scope.scope(), GraphCollections.TRAINABLE_VARIABLES, gamma);
    GraphCollections.add(scope.scope(), GraphCollections.TRAINABLE_VARIABLES, beta);
    Ops tf = scope;
    Operand<TFloat32> x4 = tf.reshape(x, tf.constant(new long[] {-1, 1, 1, n}));
    if (!training) {
      FusedBatchNorm<TFloat32, TFloat32> bn =
          tf.nn.fusedBatchNorm(
              x4,
              Variables.read(tf, gamma),
              Variables.read(tf, beta),
              Variables.read(tf, mean),
              Variables.read(tf, var),
              FusedBatchNorm.epsilon(epsilon),
              FusedBatchNorm.isTraining(false));
      return new Result(
          tf.reshape(bn.y(), tf.constant(new long[] {-1, n})), List.of(gamma, beta), List.of());
    }
    Operand<TFloat32> empty = tf.constant(new float[0]);
    FusedBatchNorm<TFloat32, TFloat32> bn =
        tf.nn.fusedBatchNorm(
            x4,
            Variables.read(tf, gamma),
            Variables.read(tf, beta),
            empty,
            empty,
            FusedBatchNorm.epsilon(epsilon),
            FusedBatchNorm.isTraining(true));
    Operand<TFloat32> decay = tf.constant(1f - momentum);
    // moving -= (moving - batch) * (1 - momentum), as assign_moving_average does
    Op updMean =
        tf.assignSub(
            mean, tf.math.mul(tf.math.sub(Variables.read(tf, mean), bn.batchMean()), decay));
    Op updVar =
        tf.assignSub(
            var, tf.math.mul(tf.math.sub(Variables.read(tf, var), bn.batchVariance()), decay));
    return new Result(
        tf.reshape(bn.y(), tf.constant(new long[] {-1, n})),
        List.of(gamma, beta),
        List.of(updMean, updVar));
  }
}
