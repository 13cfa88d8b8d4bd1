package io.estimator4j.estimator.optimizer;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Unique;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * The rows of a sparse update: the distinct looked-up ids and the gradient's rows at them; Java
 * counterpart of Python's deduplicated {@code IndexedSlices} (Unique, then the per-id sum, which
 * the dense gradient's rows already are).
 *
 * @param ids the distinct row ids, int64 {@code [n]}
 * @param gradient the gradient's rows at {@code ids}, {@code [n, ...]}
 */
record SparseRows<T extends TNumber>(Operand<TInt64> ids, Operand<T> gradient) {
  static <T extends TNumber> SparseRows<T> of(Ops tf, GradAndVar<T> gv) {
    Unique<TInt64, TInt32> unique = tf.unique(gv.rowIds(), tf.constant(new int[] {0}));
    Operand<TInt64> ids = unique.y();
    return new SparseRows<>(ids, tf.gather(gv.gradient(), ids, tf.constant(0)));
  }
}
