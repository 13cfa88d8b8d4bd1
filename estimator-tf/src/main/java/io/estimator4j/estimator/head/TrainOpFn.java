package io.estimator4j.estimator.head;

import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;

/**
 * Builds the train op from the head's scalar training loss; Java counterpart of the {@code
 * train_op_fn} argument of tf.estimator.Head.create_estimator_spec. The op should also increment
 * the global step, as {@code Optimizer.minimize(..., ctx.globalStep())} does.
 */
@FunctionalInterface
public interface TrainOpFn {
  /** Returns the op to run once per training step. */
  Op apply(Operand<TFloat32> loss);
}
