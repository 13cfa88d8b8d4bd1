package io.estimator4j.estimator.canned;

import io.estimator4j.checkpoint.TensorFlowFlavour;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.estimator.optimizer.GradAndVar;
import io.estimator4j.estimator.optimizer.Optimizer;
import io.estimator4j.estimator.optimizer.SyncReplicas;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The train ops of the canned estimators in both flavours (see {@link
 * ModelFnContext#tensorFlowFlavour()}).
 *
 * <ul>
 *   <li>TF2, as tf.estimator's V2 canned model functions: under the name scope {@code training}
 *       (base_head's {@code name_scope('training')}), Keras optimizers ({@link
 *       Optimizer#applyGradientsV2}) whose {@code iterations} is global_step, then {@code
 *       tf.group(train_op, *update_ops)}.
 *   <li>TF1, as tf.compat.v1's: {@link Optimizer#applyGradients} incrementing global_step, after
 *       the batch-norm updates.
 * </ul>
 */
final class TrainOps {
  private TrainOps() {}

  /** True when the model function builds TF2 (Keras) optimizer state. */
  static boolean isTf2(ModelFnContext ctx) {
    return ctx.tensorFlowFlavour() == TensorFlowFlavour.TF2;
  }

  /** The train op of a model with one optimizer over {@code logits}' trainable variables. */
  static Op single(
      ModelFnContext ctx, Optimizer optimizer, Operand<TFloat32> loss, Networks.Logits logits) {
    optimizer = synchronous(ctx, optimizer);
    Ops tf = ctx.tf();
    if (isTf2(ctx)) {
      Ops training = tf.withSubScope("training");
      Op train =
          optimizer.applyGradientsV2(
              training, gradients(training, optimizer, loss, logits), ctx.globalStep());
      return group(training, train, logits.updates());
    }
    Op train =
        optimizer.applyGradients(tf, gradients(tf, optimizer, loss, logits), ctx.globalStep());
    if (logits.updates().isEmpty()) {
      return train;
    }
    List<Op> all = new ArrayList<>(logits.updates());
    all.add(train);
    return tf.withControlDependencies(all).withName("train_op").noOp();
  }

  /**
   * {@code optimizer} wrapped in {@link SyncReplicas} (over the cluster's training tasks) with its
   * hook added when the config asks for synchronous training ({@code
   * RunConfig.syncReplicasToAggregate}), else {@code optimizer}.
   */
  static Optimizer synchronous(ModelFnContext ctx, Optimizer optimizer) {
    var replicas = ctx.config().syncReplicasToAggregate();
    if (replicas.isEmpty()) {
      return optimizer;
    }
    int total = Math.max(1, ctx.config().cluster().numWorkerReplicas());
    SyncReplicas sync = new SyncReplicas(optimizer, replicas.get(), total);
    ctx.addTrainingHook(sync.hook(ctx.config().isChief()));
    return sync;
  }

  /**
   * The gradients of {@code loss} over the trainable variables of {@code logits}, sparse (with the
   * looked-up rows) where the network recorded them.
   */
  static List<GradAndVar<?>> gradients(
      Ops tf, Optimizer optimizer, Operand<TFloat32> loss, Networks.Logits logits) {
    List<GradAndVar<?>> result = new ArrayList<>();
    for (GradAndVar<?> gv : optimizer.computeGradients(tf, loss, logits.trainable())) {
      var rows = logits.lookedUpRows().get(gv.variableName());
      result.add(rows == null ? gv : gv.withRowIds(rows));
    }
    return result;
  }

  /** Python's {@code tf.group(train_op, *update_ops)}: the train op alone without updates. */
  static Op group(Ops tf, Op train, List<Op> updates) {
    if (updates.isEmpty()) {
      return train;
    }
    List<Op> all = new ArrayList<>();
    all.add(train);
    all.addAll(updates);
    return tf.withControlDependencies(all).withName("group_deps").noOp();
  }
}
