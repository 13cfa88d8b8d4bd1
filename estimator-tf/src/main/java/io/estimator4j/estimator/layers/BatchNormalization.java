package io.estimator4j.estimator.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.nn.FusedBatchNorm;
import org.tensorflow.types.TFloat32;

/**
 * Batch normalization over the last axis of a [batch, features] input, with gamma, beta and
 * moving statistics named as tf.compat.v1.layers.batch_normalization names them; Java counterpart
 * of tf.keras.layers.BatchNormalization. In training the batch statistics normalise and the
 * moving averages are updated by {@link Result#updates()} (add them to the train op).
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

  /** Applies the layer; variables go under {@code scope} (e.g. dnn/hiddenlayer_0/batchnorm_0). */
  public Result apply(Ops scope, Operand<TFloat32> x, boolean training) {
    long n = x.shape().get(x.shape().numDimensions() - 1);
    if (x.shape().numDimensions() != 2 || n < 0) {
      throw new IllegalArgumentException(
          "BatchNormalization expects [batch, features] with known features, got " + x.shape());
    }
    Shape s = Shape.of(n);
    Variable<TFloat32> gamma = Names.globalVariable(scope, "gamma", tf -> tf.fill(tf.constant(s), tf.constant(1f)));
    Variable<TFloat32> beta = Names.globalVariable(scope, "beta", tf -> tf.fill(tf.constant(s), tf.constant(0f)));
    Variable<TFloat32> mean = Names.globalVariable(scope, "moving_mean", tf -> tf.fill(tf.constant(s), tf.constant(0f)));
    Variable<TFloat32> var = Names.globalVariable(scope, "moving_variance", tf -> tf.fill(tf.constant(s), tf.constant(1f)));
    Ops tf = scope;
    Operand<TFloat32> x4 = tf.reshape(x, tf.constant(new long[] {-1, 1, 1, n}));
    if (!training) {
      FusedBatchNorm<TFloat32, TFloat32> bn = tf.nn.fusedBatchNorm(x4, Names.read(tf, gamma),
          Names.read(tf, beta), Names.read(tf, mean), Names.read(tf, var),
          FusedBatchNorm.epsilon(epsilon), FusedBatchNorm.isTraining(false));
      return new Result(tf.reshape(bn.y(), tf.constant(new long[] {-1, n})),
          List.of(gamma, beta), List.of());
    }
    Operand<TFloat32> empty = tf.constant(new float[0]);
    FusedBatchNorm<TFloat32, TFloat32> bn = tf.nn.fusedBatchNorm(x4, Names.read(tf, gamma),
        Names.read(tf, beta), empty, empty,
        FusedBatchNorm.epsilon(epsilon), FusedBatchNorm.isTraining(true));
    Operand<TFloat32> decay = tf.constant(1f - momentum);
    // moving -= (moving - batch) * (1 - momentum), as assign_moving_average does
    Op updMean = tf.assignSub(mean, tf.math.mul(tf.math.sub(Names.read(tf, mean), bn.batchMean()), decay));
    Op updVar = tf.assignSub(var, tf.math.mul(tf.math.sub(Names.read(tf, var), bn.batchVariance()), decay));
    return new Result(tf.reshape(bn.y(), tf.constant(new long[] {-1, n})),
        List.of(gamma, beta), List.of(updMean, updVar));
  }
}
