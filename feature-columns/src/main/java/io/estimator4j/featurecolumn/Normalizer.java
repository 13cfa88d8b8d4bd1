package io.estimator4j.featurecolumn;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * A transformation applied to a numeric feature after its default value; Java counterpart of
 * numeric_column's {@code normalizer_fn}. Example: {@code (tf, x) -> tf.math.div(tf.math.sub(x,
 * tf.constant(3f)), tf.constant(4.2f))}.
 */
@FunctionalInterface
public interface Normalizer {
  /** Returns the normalized tensor, same shape as {@code input}. */
  Operand<TFloat32> apply(Ops tf, Operand<TFloat32> input);
}
