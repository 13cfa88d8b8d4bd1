package io.estimator4j.keras;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The Keras losses model_to_estimator supports, each averaged over the batch as Keras's {@code
 * SUM_OVER_BATCH_SIZE} does, built only from ops that have gradients in tensorflow-java (sparse
 * labels are one-hot encoded; a softmax or sigmoid output is undone to reach its logits, as the
 * Keras TensorFlow backend does).
 */
final class KerasLosses {
  private KerasLosses() {}

  static Operand<TFloat32> loss(
      Ops tf,
      KerasTrainingConfig.Loss loss,
      Operand<TFloat32> pred,
      Operand<?> labels,
      String output) {
    return loss(tf, loss, pred, labels, output, null);
  }

  /**
   * The loss of one output, each example's loss weighted by {@code sampleWeights} ({@code [batch]},
   * or null for none): Keras's {@code SUM_OVER_BATCH_SIZE} with sample weights, {@code sum(w_i *
   * loss_i) / n} over the n per-example (per-step, for sequence outputs) losses.
   */
  static Operand<TFloat32> loss(
      Ops tf,
      KerasTrainingConfig.Loss loss,
      Operand<TFloat32> pred,
      Operand<?> labels,
      String output,
      Operand<TFloat32> sampleWeights) {
    Ops l = tf.withSubScope(output);
    Weighting w = new Weighting(sampleWeights);
    return switch (loss.name()) {
      case "categorical_crossentropy" ->
          categorical(
              l,
              pred,
              l.dtypes.cast(KerasEstimators.castable(labels), TFloat32.class),
              loss.fromLogits(),
              w);
      case "sparse_categorical_crossentropy" -> {
        long last = pred.shape().size(pred.shape().numDimensions() - 1);
        if (last < 1) {
          throw new IllegalArgumentException(
              "Output '"
                  + output
                  + "' has shape "
                  + pred.shape()
                  + "; sparse_categorical_crossentropy needs a known number of classes.");
        }
        Operand<TFloat32> oneHot =
            l.oneHot(
                KerasEstimators.classIds(l, labels),
                l.constant((int) last),
                l.constant(1f),
                l.constant(0f));
        yield categorical(l, pred, oneHot, loss.fromLogits(), w);
      }
      case "binary_crossentropy" ->
          binary(l, pred, floatLike(l, labels, pred), loss.fromLogits(), w);
      case "mean_squared_error" ->
          w.mean(l, l.math.square(l.math.sub(pred, floatLike(l, labels, pred))));
      case "mean_absolute_error" ->
          w.mean(l, l.math.abs(l.math.sub(pred, floatLike(l, labels, pred))));
      default -> KerasMoreLosses.loss(l, loss, pred, floatLike(l, labels, pred), w);
    };
  }

  /**
   * How per-element losses become the loss: the mean over every element, each example's elements
   * first multiplied by its sample weight when there are weights.
   */
  static final class Weighting {
    private final Operand<TFloat32> weights;

    Weighting(Operand<TFloat32> weights) {
      this.weights = weights;
    }

    /** mean(values * w) with w of shape [batch, 1, ...] (values: batch first). */
    Operand<TFloat32> mean(Ops tf, Operand<TFloat32> values) {
      Operand<TFloat32> v = values;
      if (weights != null) {
        int rank = values.shape().numDimensions();
        long[] dims = new long[Math.max(rank, 1)];
        java.util.Arrays.fill(dims, 1);
        dims[0] = -1;
        v = tf.math.mul(values, tf.reshape(weights, tf.constant(dims)));
      }
      return KerasLosses.mean(tf, v);
    }
  }

  private static Operand<TFloat32> categorical(
      Ops tf, Operand<TFloat32> pred, Operand<TFloat32> oneHot, boolean fromLogits, Weighting w) {
    Operand<TFloat32> logits = fromLogits ? pred : KerasEstimators.inputOf(pred, "Softmax");
    if (logits != null) {
      return w.mean(tf, tf.nn.softmaxCrossEntropyWithLogits(logits, oneHot).loss());
    }
    // -sum(y * log(clip(p, eps, 1 - eps)), -1), Keras's formula on probabilities
    Operand<TFloat32> p = clip(tf, pred);
    Operand<TFloat32> perExample =
        tf.math.neg(tf.reduceSum(tf.math.mul(oneHot, tf.math.log(p)), tf.constant(-1)));
    return w.mean(tf, perExample);
  }

  private static Operand<TFloat32> binary(
      Ops tf, Operand<TFloat32> pred, Operand<TFloat32> z, boolean fromLogits, Weighting w) {
    Operand<TFloat32> x = fromLogits ? pred : KerasEstimators.inputOf(pred, "Sigmoid");
    if (x != null) {
      // max(x, 0) - x * z + log(1 + exp(-|x|)), sigmoid cross-entropy on logits
      Operand<TFloat32> perElement =
          tf.math.add(
              tf.math.sub(tf.math.maximum(x, tf.constant(0f)), tf.math.mul(x, z)),
              tf.math.log1p(tf.math.exp(tf.math.neg(tf.math.abs(x)))));
      return w.mean(tf, perElement);
    }
    Operand<TFloat32> p = clip(tf, pred);
    Operand<TFloat32> one = tf.constant(1f);
    Operand<TFloat32> perElement =
        tf.math.neg(
            tf.math.add(
                tf.math.mul(z, tf.math.log(p)),
                tf.math.mul(tf.math.sub(one, z), tf.math.log(tf.math.sub(one, p)))));
    return w.mean(tf, perElement);
  }

  static Operand<TFloat32> clip(Ops tf, Operand<TFloat32> p) {
    return tf.clipByValue(
        p, tf.constant(KerasEstimators.EPSILON), tf.constant(1f - KerasEstimators.EPSILON));
  }

  /** The mean over every element (batch and, for element-wise losses, the last axis). */
  static Operand<TFloat32> mean(Ops tf, Operand<TFloat32> values) {
    return tf.math.mean(tf.reshape(values, tf.constant(new int[] {-1})), tf.constant(0));
  }

  /**
   * Labels as float32 of the shape of {@code pred} (e.g. [batch] labels for a [batch, 1] output).
   */
  static Operand<TFloat32> floatLike(Ops tf, Operand<?> labels, Operand<TFloat32> pred) {
    Operand<TFloat32> f = tf.dtypes.cast(KerasEstimators.castable(labels), TFloat32.class);
    return tf.reshape(f, tf.shape(pred));
  }
}
