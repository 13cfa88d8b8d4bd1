package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.head.Head;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.optimizer.Optimizer;
import io.estimator4j.featurecolumn.DenseColumn;
import io.estimator4j.graph.PartitionedVariable;
import java.util.List;
import org.tensorflow.op.Ops;

/**
 * Builder of the DNN canned estimators (DNNClassifier, DNNRegressor, DNNEstimator): hidden units,
 * feature columns, activation (relu), dropout rate, batch norm, and Adagrad by default: at 0.05 in
 * the TF1 flavour (dnn.py's _LEARNING_RATE), at Keras's default 0.001 in the TF2 flavour (the V2
 * classes' {@code get_optimizer_instance_v2(optimizer)}), as TensorFlow.
 */
public final class DnnBuilder extends CannedBuilder<DnnBuilder> {
  /** The learning rate of a named optimizer in the TF1 flavour. */
  public static final double DEFAULT_LEARNING_RATE = 0.05;

  private int[] hiddenUnits;
  private List<? extends DenseColumn> columns;
  private Activation activation = Activation.RELU;
  private Double dropout;
  private boolean batchNorm;
  private PartitionedVariable.Partitioner partitioner;
  private final OptimizerChoice optimizer =
      new OptimizerChoice("Adagrad", () -> DEFAULT_LEARNING_RATE, () -> Double.NaN);

  DnnBuilder(HeadChoice head) {
    super(head);
  }

  public DnnBuilder hiddenUnits(int... units) {
    this.hiddenUnits = units.clone();
    return this;
  }

  public DnnBuilder featureColumns(List<? extends DenseColumn> columns) {
    this.columns = List.copyOf(columns);
    return this;
  }

  public DnnBuilder activation(Activation activation) {
    this.activation = activation;
    return this;
  }

  /** Probability of dropping a unit in training (tf.estimator's {@code dropout}). */
  public DnnBuilder dropout(double rate) {
    this.dropout = rate;
    return this;
  }

  public DnnBuilder batchNorm(boolean batchNorm) {
    this.batchNorm = batchNorm;
    return this;
  }

  /**
   * Creates the input layer's variables (the embedding columns' weights) in parts as {@code
   * partitioner} decides, e.g. {@code PartitionedVariable.fixedSize(3)} or {@code
   * PartitionedVariable.minMax(numPs, 64 << 20)} (tf.estimator's {@code input_layer_partitioner}).
   * Each part is a variable {@code .../embedding_weights/part_i} of its own (so a replica device
   * setter spreads them over the ps tasks), lookups gather across the parts, and checkpoints hold
   * the joined variable under its full name in TensorFlow's sliced format, so checkpoints move
   * between partitioned and unpartitioned models. Default: none (whole variables).
   */
  public DnnBuilder inputLayerPartitioner(PartitionedVariable.Partitioner partitioner) {
    this.partitioner = partitioner;
    return this;
  }

  public DnnBuilder optimizer(Optimizer optimizer) {
    this.optimizer.set(optimizer);
    return this;
  }

  /**
   * "Adagrad", "Adam", "Ftrl", "RMSProp" or "SGD" at the default learning rate (TF1: 0.05; TF2:
   * Keras's default).
   */
  public DnnBuilder optimizer(String name) {
    this.optimizer.set(name);
    return this;
  }

  @Override
  ModelFn modelFn(Head head) {
    if (hiddenUnits == null || hiddenUnits.length == 0) {
      throw new IllegalArgumentException("hiddenUnits is required, e.g. hiddenUnits(10, 10)");
    }
    for (int u : hiddenUnits) {
      if (u <= 0) {
        throw new IllegalArgumentException("hidden units must be > 0, got " + u);
      }
    }
    if (columns == null || columns.isEmpty()) {
      throw new IllegalArgumentException("featureColumns is required and must not be empty");
    }
    int[] units = hiddenUnits.clone();
    List<? extends DenseColumn> cols = columns;
    Activation act = activation;
    Double drop = dropout;
    boolean bn = batchNorm;
    PartitionedVariable.Partitioner parts = partitioner;
    optimizer.get(); // validates now
    return ctx -> {
      Ops tf = ctx.tf();
      Networks.Logits l =
          Networks.dnn(ctx, tf, cols, units, act, drop, bn, head.logitsDimension(), parts);
      Optimizer opt = optimizer.get(ctx.tensorFlowFlavour());
      return head.createEstimatorSpec(
          ctx, l.logits(), loss -> TrainOps.single(ctx, opt, loss, l), null);
    };
  }
}
