package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.head.Head;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.optimizer.Optimizer;
import io.estimator4j.graph.GraphCollections;
import io.estimator4j.graph.Initializers;
import io.estimator4j.graph.Variables;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Builder of the baseline canned estimators (BaselineClassifier, BaselineRegressor,
 * BaselineEstimator): logits are one learned bias {@code baseline/bias}, ignoring the features;
 * Ftrl at 0.3 by default, as TensorFlow.
 */
public final class BaselineBuilder extends CannedBuilder<BaselineBuilder> {
  public static final double DEFAULT_LEARNING_RATE = 0.3;
  private final OptimizerChoice optimizer =
      new OptimizerChoice("Ftrl", () -> DEFAULT_LEARNING_RATE);

  BaselineBuilder(HeadChoice head) {
    super(head);
  }

  public BaselineBuilder optimizer(Optimizer optimizer) {
    this.optimizer.set(optimizer);
    return this;
  }

  public BaselineBuilder optimizer(String name) {
    this.optimizer.set(name);
    return this;
  }

  @Override
  ModelFn modelFn(Head head) {
    optimizer.get(); // validates now
    return ctx -> {
      Optimizer opt = optimizer.get(ctx.tensorFlowFlavour());
      Ops tf = ctx.tf();
      int dim = head.logitsDimension();
      if (ctx.features().isEmpty()) {
        throw new IllegalArgumentException(
            "A baseline estimator needs at least one feature to know the batch size");
      }
      Operand<?> any = ctx.features().values().iterator().next();
      Ops scope = tf.withSubScope("baseline");
      Variable<TFloat32> bias =
          Variables.global(scope, "bias", Shape.of(dim), Initializers.zeros());
      GraphCollections.add(scope.scope(), GraphCollections.TRAINABLE_VARIABLES, bias);
      Operand<TInt32> batch =
          tf.slice(tf.shape(any), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
      Operand<TFloat32> logits =
          tf.tile(
              tf.reshape(Variables.read(scope, bias), tf.constant(new long[] {1, dim})),
              tf.concat(List.of(batch, tf.constant(new int[] {1})), tf.constant(0)));
      ctx.scalarSummary("bias", tf.math.mean(Variables.read(scope, bias), tf.constant(0)));
      Networks.Logits l = new Networks.Logits(logits, List.of(bias), List.of());
      return head.createEstimatorSpec(
          ctx, logits, loss -> TrainOps.single(ctx, opt, loss, l), null);
    };
  }
}
