package io.estimator4j.estimator.metrics;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Python's {@code _count_condition}: a local {@code count} accumulating the weighted number of true
 * values.
 */
record Counter(Variable<TFloat32> count, Operand<TFloat32> update) {
  static Counter create(Ops scope, Operand<TBool> condition, Operand<? extends TType> weights) {
    Variable<TFloat32> count = MetricSupport.accumulator(scope, "count");
    Operand<TFloat32> values = scope.dtypes.cast(condition, TFloat32.class);
    if (weights != null) {
      values = scope.math.mul(values, MetricSupport.broadcastWeights(scope, weights, values));
    }
    return new Counter(count, scope.assignAdd(count, MetricSupport.sumAll(scope, values)));
  }
}
