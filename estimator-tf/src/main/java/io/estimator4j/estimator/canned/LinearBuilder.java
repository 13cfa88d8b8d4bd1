package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.head.Head;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.optimizer.Optimizer;
import io.estimator4j.featurecolumn.FeatureColumn;
import io.estimator4j.graph.PartitionedVariable;
import java.util.List;
import org.tensorflow.op.Ops;

/**
 * Builder of the linear canned estimators (LinearClassifier, LinearRegressor, LinearEstimator):
 * feature columns, sparse combiner (sum), and Ftrl at 0.2 by default, as linear.py's default {@code
 * optimizer='Ftrl'} with {@code _LEARNING_RATE} (both flavours).
 */
public final class LinearBuilder extends CannedBuilder<LinearBuilder> {
  /** linear.py's {@code _LEARNING_RATE}: the learning rate of an optimizer given by name. */
  public static final double DEFAULT_LEARNING_RATE = 0.2;

  private List<? extends FeatureColumn> columns;
  private String sparseCombiner = "sum";
  private PartitionedVariable.Partitioner partitioner;
  private final OptimizerChoice optimizer =
      new OptimizerChoice("Ftrl", () -> DEFAULT_LEARNING_RATE);

  LinearBuilder(HeadChoice head) {
    super(head);
  }

  public LinearBuilder featureColumns(List<? extends FeatureColumn> columns) {
    this.columns = List.copyOf(columns);
    return this;
  }

  /** "sum", "mean" or "sqrtn": how a categorical column's several values combine. */
  public LinearBuilder sparseCombiner(String combiner) {
    if (!List.of("sum", "mean", "sqrtn").contains(combiner)) {
      throw new IllegalArgumentException(
          "sparseCombiner must be sum, mean or sqrtn, got " + combiner);
    }
    this.sparseCombiner = combiner;
    return this;
  }

  /**
   * Creates each categorical column's weights in parts as {@code partitioner} decides
   * (tf.estimator's Linear* {@code partitioner}, e.g. {@code PartitionedVariable.fixedSize(3)}):
   * variables {@code linear/linear_model/<col>/weights/part_i}, saved joined under {@code
   * .../weights} in TensorFlow's sliced format, each part updated at the rows looked up in it.
   * Dense columns' weights and the bias stay whole. Default: none.
   */
  public LinearBuilder partitioner(PartitionedVariable.Partitioner partitioner) {
    this.partitioner = partitioner;
    return this;
  }

  public LinearBuilder optimizer(Optimizer optimizer) {
    this.optimizer.set(optimizer);
    return this;
  }

  public LinearBuilder optimizer(String name) {
    this.optimizer.set(name);
    return this;
  }

  @Override
  ModelFn modelFn(Head head) {
    if (columns == null || columns.isEmpty()) {
      throw new IllegalArgumentException("featureColumns is required and must not be empty");
    }
    List<? extends FeatureColumn> cols = columns;
    String combiner = sparseCombiner;
    PartitionedVariable.Partitioner parts = partitioner;
    optimizer.get(); // validates now
    return ctx -> {
      Ops tf = ctx.tf();
      Networks.Logits l = Networks.linear(ctx, tf, cols, head.logitsDimension(), combiner, parts);
      Optimizer opt = optimizer.get(ctx.tensorFlowFlavour());
      return head.createEstimatorSpec(
          ctx, l.logits(), loss -> TrainOps.single(ctx, opt, loss, l), null);
    };
  }
}
