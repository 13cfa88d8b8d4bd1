package io.estimator4j.estimator.metrics;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * A local accumulator of the weighted number of true values of a condition and the op that adds one
 * batch: Python's {@code _count_condition}, or keras's confusion counts at thresholds.
 */
record Counter(Variable<TFloat32> count, Operand<TFloat32> update) {
  /** Python's {@code _count_condition}: a scalar {@code count} in {@code scope}. */
  static Counter create(Ops scope, Operand<TBool> condition, Operand<? extends TType> weights) {
    Variable<TFloat32> count = MetricSupport.accumulator(scope, "count");
    Operand<TFloat32> values = scope.dtypes.cast(condition, TFloat32.class);
    if (weights != null) {
      values = scope.math.mul(values, MetricSupport.broadcastWeights(scope, weights, values));
    }
    return new Counter(count, scope.assignAdd(count, MetricSupport.sumAll(scope, values)));
  }

  /**
   * Keras's confusion counts at {@code n} thresholds: a vector {@code name} in {@code scope} adding
   * up each row of {@code condition} {@code [n, N]} over the batch, weighted by {@code weightRow}
   * {@code [1, N]} when not null.
   */
  static Counter atThresholds(
      Ops scope, String name, int n, Operand<TBool> condition, Operand<TFloat32> weightRow) {
    Variable<TFloat32> counts = MetricSupport.vectorAccumulator(scope, name, n);
    Operand<TFloat32> hits = scope.dtypes.cast(condition, TFloat32.class);
    if (weightRow != null) {
      hits = scope.math.mul(hits, weightRow);
    }
    return new Counter(counts, scope.assignAdd(counts, scope.reduceSum(hits, scope.constant(1))));
  }
}
