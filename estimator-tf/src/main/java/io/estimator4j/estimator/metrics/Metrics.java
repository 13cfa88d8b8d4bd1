package io.estimator4j.estimator.metrics;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/** Streaming metrics; Java counterpart of tf.compat.v1.metrics. */
public final class Metrics {
  private Metrics() {}

  /** Weighted mean of {@code values} across update calls: total / count (0 when count is 0). */
  public static Metric mean(
      Ops tf, String name, Operand<? extends TNumber> values, Operand<? extends TNumber> weights) {
    Ops s = tf.withSubScope(name);
    Variable<TFloat32> total = s.withName("total").variable(Shape.scalar(), TFloat32.class);
    Variable<TFloat32> count = s.withName("count").variable(Shape.scalar(), TFloat32.class);
    Operand<TFloat32> v = s.dtypes.cast(values, TFloat32.class);
    Operand<TFloat32> w = weights == null ? s.onesLike(v)
        : s.math.mul(s.onesLike(v), s.dtypes.cast(weights, TFloat32.class));
    Operand<TFloat32> sum = s.reduceSum(s.math.mul(v, w), s.range(s.constant(0), s.rank(v), s.constant(1)));
    Operand<TFloat32> n = s.reduceSum(w, s.range(s.constant(0), s.rank(w), s.constant(1)));
    Op update = s.withName("update_op").withControlDependencies(List.of(
        s.assignAdd(total, sum), s.assignAdd(count, n))).noOp();
    Op init = s.withName("init").withControlDependencies(List.of(
        s.assign(total, s.constant(0f)), s.assign(count, s.constant(0f)))).noOp();
    Operand<TFloat32> value = s.withName("value").math.divNoNan(total, count);
    return new Metric(value, update, init, List.of(total, count));
  }
}
