package io.estimator4j.estimator.head;

import io.estimator4j.estimator.metrics.Metric;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The top of a model: turns logits into predictions, a loss, a train op, evaluation metrics and
 * export outputs; Java counterpart of tf.estimator.Head. Every canned estimator is a network that
 * computes logits plus one of these.
 *
 * <pre>{@code
 * Head head = MultiClassHead.builder(3).build();
 * ModelFn modelFn = ctx -> {
 *   DenseLayer logits = Dense.builder(head.logitsDimension()).build().apply(ctx.tf(), x);
 *   return head.createEstimatorSpec(ctx, logits.output(),
 *       loss -> optimizer.minimize(ctx.tf(), loss, logits.trainableVariables(), ctx.globalStep()),
 *       null);
 * };
 * }</pre>
 *
 * <p>Labels are read from the context: its single labels tensor, or, when the input has several,
 * the one keyed by {@link #name()}.
 */
public interface Head {

  /** Size of the last dimension of the logits: classes, labels or values per example. */
  int logitsDimension();

  /**
   * The head's name, or null. When set, metric and summary keys get the suffix {@code "/" + name}
   * and the ops go in the name scope {@code name} (otherwise {@code head}).
   */
  String name();

  /** How the training loss is reduced over the batch. */
  LossReduction lossReduction();

  /**
   * Builds the spec of {@code ctx.mode()}: predictions in every mode; in PREDICT the export
   * outputs; in EVAL the loss and the metrics; in TRAIN the loss, {@code trainOpFn.apply(loss)} and
   * the {@code loss}, {@code average_loss} (and {@code regularization_loss}) summaries.
   *
   * @param logits {@code [batch, logitsDimension()]} (or {@code [D0, ..., DN, logitsDimension()]})
   * @param trainOpFn builds the train op from the loss; required in TRAIN, ignored otherwise
   * @param regularizationLoss a scalar added to the loss, or null
   * @throws IllegalArgumentException if logits, labels or weights have the wrong static shape or
   *     dtype, or TRAIN has no trainOpFn
   */
  EstimatorSpec createEstimatorSpec(
      ModelFnContext ctx,
      Operand<TFloat32> logits,
      TrainOpFn trainOpFn,
      Operand<TFloat32> regularizationLoss);

  /**
   * The regularized training loss: the per-example losses times the weights, reduced by {@link
   * #lossReduction()}, plus {@code regularizationLoss} when given. Java counterpart of
   * Head.loss(labels, logits, features, mode, regularization_losses).
   *
   * @param labels the labels, as the input returned them (checked, reshaped, looked up)
   */
  Operand<TFloat32> loss(
      ModelFnContext ctx,
      Operand<?> labels,
      Operand<TFloat32> logits,
      Operand<TFloat32> regularizationLoss);

  /** Every prediction of the head, keyed by {@link PredictionKeys}, in the scope {@code tf}. */
  Map<String, Operand<?>> predictions(Ops tf, Operand<TFloat32> logits);

  /**
   * The head's streaming evaluation metrics, keyed by {@link MetricKeys} (plus the name suffix);
   * the Java form of Head.metrics() followed by update_metrics(...). The Estimator adds {@code
   * loss} itself.
   */
  Map<String, Metric> metrics(
      ModelFnContext ctx,
      Operand<?> labels,
      Operand<TFloat32> logits,
      Operand<TFloat32> regularizationLoss);
}
