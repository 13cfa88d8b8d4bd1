package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.head.Head;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.modelfn.ModelFnContext;
import io.estimator4j.estimator.optimizer.GradAndVar;
import io.estimator4j.estimator.optimizer.Optimizer;
import io.estimator4j.featurecolumn.DenseColumn;
import io.estimator4j.featurecolumn.FeatureColumn;
import io.estimator4j.graph.PartitionedVariable;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Builder of the wide-and-deep canned estimators (DNNLinearCombinedClassifier, -Regressor,
 * -Estimator): a linear model on the linear columns and a DNN on the dnn columns whose logits add
 * up; Ftrl at min(0.005, 1/sqrt(#linear columns)) and Adagrad at 0.001 by default, as TensorFlow.
 */
public final class CombinedBuilder extends CannedBuilder<CombinedBuilder> {
  public static final double DNN_LEARNING_RATE = 0.001;
  public static final double LINEAR_LEARNING_RATE = 0.005;
  private List<? extends FeatureColumn> linearColumns = List.of();
  private List<? extends DenseColumn> dnnColumns = List.of();
  private int[] hiddenUnits;
  private Activation activation = Activation.RELU;
  private Double dropout;
  private boolean batchNorm;
  private String sparseCombiner = "sum";
  private PartitionedVariable.Partitioner dnnInputLayerPartitioner;
  private PartitionedVariable.Partitioner linearPartitioner;
  private final OptimizerChoice linearOptimizer =
      new OptimizerChoice(
          "Ftrl",
          () -> Math.min(LINEAR_LEARNING_RATE, 1.0 / Math.sqrt(Math.max(1, linearColumns.size()))));
  private final OptimizerChoice dnnOptimizer =
      new OptimizerChoice("Adagrad", () -> DNN_LEARNING_RATE);

  CombinedBuilder(HeadChoice head) {
    super(head);
  }

  public CombinedBuilder linearFeatureColumns(List<? extends FeatureColumn> columns) {
    this.linearColumns = List.copyOf(columns);
    return this;
  }

  public CombinedBuilder dnnFeatureColumns(List<? extends DenseColumn> columns) {
    this.dnnColumns = List.copyOf(columns);
    return this;
  }

  public CombinedBuilder dnnHiddenUnits(int... units) {
    this.hiddenUnits = units.clone();
    return this;
  }

  public CombinedBuilder dnnActivation(Activation activation) {
    this.activation = activation;
    return this;
  }

  public CombinedBuilder dnnDropout(double rate) {
    this.dropout = rate;
    return this;
  }

  public CombinedBuilder batchNorm(boolean batchNorm) {
    this.batchNorm = batchNorm;
    return this;
  }

  public CombinedBuilder linearSparseCombiner(String combiner) {
    this.sparseCombiner = combiner;
    return this;
  }

  /**
   * Creates the dnn part's input-layer variables (embeddings) in parts as {@code partitioner}
   * decides (tf.estimator's DNNLinearCombined* {@code input_layer_partitioner}), as {@link
   * DnnBuilder#inputLayerPartitioner} does for the DNN estimators: the checkpoint holds each joined
   * variable under its full name in TensorFlow's sliced format. Default: none (whole variables).
   */
  public CombinedBuilder dnnInputLayerPartitioner(PartitionedVariable.Partitioner partitioner) {
    this.dnnInputLayerPartitioner = partitioner;
    return this;
  }

  /**
   * Creates the linear part's categorical weights in parts as {@code partitioner} decides, as
   * {@link LinearBuilder#partitioner} does for the Linear estimators (Python's combined estimators
   * apply their {@code input_layer_partitioner} to the linear model too; this sets it on its own).
   * Default: none.
   */
  public CombinedBuilder linearPartitioner(PartitionedVariable.Partitioner partitioner) {
    this.linearPartitioner = partitioner;
    return this;
  }

  public CombinedBuilder linearOptimizer(Optimizer optimizer) {
    this.linearOptimizer.set(optimizer);
    return this;
  }

  public CombinedBuilder linearOptimizer(String name) {
    this.linearOptimizer.set(name);
    return this;
  }

  public CombinedBuilder dnnOptimizer(Optimizer optimizer) {
    this.dnnOptimizer.set(optimizer);
    return this;
  }

  public CombinedBuilder dnnOptimizer(String name) {
    this.dnnOptimizer.set(name);
    return this;
  }

  @Override
  ModelFn modelFn(Head head) {
    if (linearColumns.isEmpty() && dnnColumns.isEmpty()) {
      throw new IllegalArgumentException(
          "Either linearFeatureColumns or dnnFeatureColumns must be given");
    }
    if (!dnnColumns.isEmpty() && (hiddenUnits == null || hiddenUnits.length == 0)) {
      throw new IllegalArgumentException(
          "dnnHiddenUnits is required when dnnFeatureColumns are given");
    }
    List<? extends FeatureColumn> lin = linearColumns;
    List<? extends DenseColumn> deep = dnnColumns;
    int[] units = hiddenUnits == null ? new int[0] : hiddenUnits.clone();
    Activation act = activation;
    Double drop = dropout;
    boolean bn = batchNorm;
    String combiner = sparseCombiner;
    PartitionedVariable.Partitioner dnnParts = dnnInputLayerPartitioner;
    PartitionedVariable.Partitioner linParts = linearPartitioner;
    linearOptimizer.get(); // validates now
    dnnOptimizer.get();
    return ctx -> {
      Optimizer linOpt = linearOptimizer.get(ctx.tensorFlowFlavour());
      Optimizer dnnOpt = dnnOptimizer.get(ctx.tensorFlowFlavour());
      Ops tf = ctx.tf();
      int dim = head.logitsDimension();
      Networks.Logits d =
          deep.isEmpty() ? null : Networks.dnn(ctx, tf, deep, units, act, drop, bn, dim, dnnParts);
      Networks.Logits l =
          lin.isEmpty() ? null : Networks.linear(ctx, tf, lin, dim, combiner, linParts);
      var logits =
          d == null
              ? l.logits()
              : l == null ? d.logits() : tf.withName("add").math.add(d.logits(), l.logits());
      return head.createEstimatorSpec(
          ctx,
          logits,
          loss -> {
            if (ctx.config().syncReplicasToAggregate().isPresent()) {
              throw new IllegalArgumentException(
                  "RunConfig.syncReplicas is not supported by the combined linear and DNN"
                      + " estimator: its two optimizers share one step increment, and synchronous"
                      + " replicas increment the global step per aggregated step. Fix: train it"
                      + " asynchronously, or use a single-optimizer estimator.");
            }
            if (TrainOps.isTf2(ctx)) {
              return tf2TrainOp(ctx, loss, d, dnnOpt, l, linOpt);
            }
            // one apply per part, then one global step increment, as dnn_linear_combined.py
            List<Op> ops = new ArrayList<>();
            if (d != null) {
              // embeddings (and their parts) get Python's IndexedSlices update: only the rows
              // looked up
              List<GradAndVar<?>> g = TrainOps.gradients(tf, dnnOpt, loss, d);
              ops.add(dnnOpt.applyGradientsAtStep(tf, g, ctx.globalStep()));
              ops.addAll(d.updates());
            }
            if (l != null) {
              List<GradAndVar<?>> g = TrainOps.gradients(tf, linOpt, loss, l);
              ops.add(linOpt.applyGradientsAtStep(tf, g, ctx.globalStep()));
            }
            return tf.withControlDependencies(ops)
                .withName("global_step_increment")
                .assignAdd(ctx.globalStep(), tf.constant(1L));
          },
          null);
    };
  }

  /**
   * _dnn_linear_combined_model_fn_v2's train op, under {@code training}: the DNN optimizer counts
   * in global_step, the linear optimizer in its own {@code iter} (or global_step without a DNN),
   * grouped with the batch-norm updates; no extra increment.
   */
  private static Op tf2TrainOp(
      ModelFnContext ctx,
      Operand<TFloat32> loss,
      Networks.Logits dnn,
      Optimizer dnnOpt,
      Networks.Logits linear,
      Optimizer linOpt) {
    Ops training = ctx.tf().withSubScope("training");
    List<Op> ops = new ArrayList<>();
    if (dnn != null) {
      ops.add(
          dnnOpt.applyGradientsV2(
              training, TrainOps.gradients(training, dnnOpt, loss, dnn), ctx.globalStep()));
      ops.addAll(dnn.updates());
    }
    if (linear != null) {
      ops.add(
          linOpt.applyGradientsV2(
              training,
              TrainOps.gradients(training, linOpt, loss, linear),
              dnn == null ? ctx.globalStep() : null));
    }
    return ops.size() == 1
        ? ops.get(0)
        : training.withControlDependencies(ops).withName("group_deps").noOp();
  }
}
