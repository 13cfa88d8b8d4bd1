package io.estimator4j.estimator.head;

import io.estimator4j.estimator.modelfn.ModelFnContext;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The per-example first and second derivatives of a head's training loss with respect to its
 * logits, in closed form: what gradient-boosted trees grow on. Java counterpart of
 * boosted_trees.py's {@code closed_form_grad_and_hess_fn} ({@code _grad_and_hess_for_logloss}),
 * extended to what boosted_trees.py takes from {@code tf.gradients} twice: example weights, label
 * vocabularies, the multi-class softmax with its full hessian ({@code _compute_full_hessian}) and
 * squared error. The derivatives are those of the head's own reduced loss (its weights and its
 * {@link LossReduction}), so {@code SUM_OVER_BATCH_SIZE} divides both by the loss's element count.
 *
 * <p>TensorFlow's C++ gradient registry cannot differentiate the loss twice (no gradients for the
 * gradient ops of sigmoid and softmax cross-entropy), hence the closed forms.
 */
public final class LossDerivatives {
  private LossDerivatives() {}

  /**
   * Gradients {@code [batch, k]} and hessians: {@code [batch, k]} for binary classification and
   * regression (each logit independent), {@code [batch, k * k]} row-major for multi-class (the full
   * hessian of the softmax).
   */
  public record Derivatives(Operand<TFloat32> gradients, Operand<TFloat32> hessians) {}

  /**
   * The derivatives of {@code head}'s training loss at {@code logits} ({@code [batch,
   * logitsDimension]}) for the labels (and weights) of {@code ctx}, built in the head's {@code
   * losses} scope with the head's label checks.
   *
   * @throws IllegalArgumentException for a head other than BinaryClassHead, MultiClassHead or a
   *     squared-error RegressionHead, or labels of the wrong shape or type
   */
  public static Derivatives of(Head head, ModelFnContext ctx, Operand<TFloat32> logits) {
    boolean supported =
        head instanceof BinaryClassHead
            || head instanceof MultiClassHead
            || (head instanceof RegressionHead r && r.isSquaredError());
    if (!supported) {
      throw new IllegalArgumentException(
          "No closed-form loss derivatives for "
              + head
              + ". Gradient boosting supports BinaryClassHead, MultiClassHead and RegressionHead"
              + " (squared error). Fix: use one of those heads.");
    }
    BaseHead base = (BaseHead) head;
    Ops tf =
        ctx.tf()
            .withSubScope(head.name() != null ? head.name() : "head")
            .withSubScope("loss_derivatives");
    Operand<TFloat32> checkedLogits = HeadSupport.checkLogits(tf, logits, head.logitsDimension());
    BaseHead.LossParts parts =
        base.lossParts(tf, ctx, Labels.labelsOf(ctx, head.name()), checkedLogits);
    // what the reduction divides the weighted loss by: its element count, or 1 for SUM
    Operand<TFloat32> count =
        head.lossReduction() == LossReduction.SUM
            ? tf.constant(1f)
            : tf.dtypes.cast(tf.size(parts.unweighted()), TFloat32.class);
    Operand<TFloat32> scale =
        parts.weights() == null
            ? tf.math.div(tf.onesLike(parts.unweighted()), count)
            : tf.math.div(tf.math.mul(parts.weights(), tf.onesLike(parts.unweighted())), count);
    if (head instanceof BinaryClassHead) {
      // loss = sigmoid_cross_entropy(y, z): dl/dz = p - y, d2l/dz2 = p (1 - p), p = sigmoid(z)
      Operand<TFloat32> y = HeadSupport.typed(parts.labels(), TFloat32.class);
      Operand<TFloat32> p = tf.math.sigmoid(checkedLogits);
      return new Derivatives(
          tf.withName("gradients").math.mul(tf.math.sub(p, y), scale),
          tf.withName("hessians").math.mul(tf.math.mul(p, tf.math.sub(tf.constant(1f), p)), scale));
    }
    if (head instanceof MultiClassHead m) {
      // loss = softmax_cross_entropy(onehot(y), z): dl/dz_k = p_k - y_k,
      // d2l/dz_k dz_l = p_k (delta_kl - p_l), p = softmax(z)
      int k = m.logitsDimension();
      Operand<TInt64> ids =
          tf.dtypes.cast(
              tf.squeeze(
                  tf.reshape(parts.labels(), tf.constant(new long[] {-1, 1})), Squeeze.axis(-1L)),
              TInt64.class);
      Operand<TFloat32> y = tf.oneHot(ids, tf.constant(k), tf.constant(1f), tf.constant(0f));
      Operand<TFloat32> z = tf.reshape(checkedLogits, tf.constant(new long[] {-1, k}));
      Operand<TFloat32> p = tf.nn.softmax(z);
      Operand<TFloat32> s = tf.reshape(scale, tf.constant(new long[] {-1, 1}));
      float[][] eye = new float[k][k];
      for (int i = 0; i < k; i++) {
        eye[i][i] = 1f;
      }
      // [batch, k, k]: p_k (delta_kl - p_l)
      Operand<TFloat32> hessian =
          tf.math.mul(
              tf.expandDims(p, tf.constant(2)),
              tf.math.sub(tf.constant(eye), tf.expandDims(p, tf.constant(1))));
      return new Derivatives(
          tf.withName("gradients").math.mul(tf.math.sub(p, y), s),
          tf.withName("hessians")
              .math
              .mul(tf.reshape(hessian, tf.constant(new long[] {-1, (long) k * k})), s));
    }
    // loss = (y - z)^2: dl/dz = 2 (z - y), d2l/dz2 = 2
    Operand<TFloat32> y = HeadSupport.typed(parts.labels(), TFloat32.class);
    Operand<TFloat32> two = tf.constant(2f);
    return new Derivatives(
        tf.withName("gradients").math.mul(tf.math.mul(two, tf.math.sub(checkedLogits, y)), scale),
        tf.withName("hessians").math.mul(two, scale));
  }
}
