package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.head.Head;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.optimizer.Optimizer;
import io.estimator4j.featurecolumn.DenseColumn;
import java.util.List;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;

/**
 * Builder of the DNN canned estimators (DNNClassifier, DNNRegressor, DNNEstimator): hidden units,
 * feature columns, activation (relu), dropout rate, batch norm, and Adagrad at 0.05 by default.
 */
public final class DnnBuilder extends CannedBuilder<DnnBuilder> {
  public static final double DEFAULT_LEARNING_RATE = 0.05;
  private int[] hiddenUnits;
  private List<? extends DenseColumn> columns;
  private Activation activation = Activation.RELU;
  private Double dropout;
  private boolean batchNorm;
  private final OptimizerChoice optimizer =
      new OptimizerChoice("Adagrad", () -> DEFAULT_LEARNING_RATE);

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

  public DnnBuilder optimizer(Optimizer optimizer) {
    this.optimizer.set(optimizer);
    return this;
  }

  /** "Adagrad", "Adam", "Ftrl", "RMSProp" or "SGD" at the default learning rate. */
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
    Optimizer opt = optimizer.get();
    return ctx -> {
      Ops tf = ctx.tf();
      Networks.Logits l = Networks.dnn(ctx, tf, cols, units, act, drop, bn, head.logitsDimension());
      return head.createEstimatorSpec(
          ctx,
          l.logits(),
          loss -> {
            Op train = opt.minimize(tf, loss, l.trainable(), ctx.globalStep());
            if (l.updates().isEmpty()) {
              return train;
            }
            List<Op> all = new java.util.ArrayList<>(l.updates());
            all.add(train);
            return tf.withControlDependencies(all).withName("train_op").noOp();
          },
          null);
    };
  }
}
