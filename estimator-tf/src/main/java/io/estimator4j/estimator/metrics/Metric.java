package io.estimator4j.estimator.metrics;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TNumber;

/**
 * A streaming evaluation metric: the {@code (value, update_op)} pair of tf.compat.v1.metrics plus
 * what resets it; Java counterpart of an entry of tf.estimator's {@code eval_metric_ops}.
 *
 * <p>Run {@link #initializer()} once before an evaluation, {@link #update()} once per batch, then
 * fetch {@link #value()}. The {@link #localVariables()} are uninitialised local variables: they
 * belong in no checkpoint.
 *
 * @param value the metric over every batch seen since the last reset
 * @param update accumulates one batch; as in Python it is also a tensor holding the updated value
 * @param initializer sets every local variable back to zero
 * @param localVariables the accumulators, e.g. {@code mean/total} and {@code mean/count}
 */
public record Metric(
    Operand<? extends TNumber> value, Op update, Op initializer, List<Variable<?>> localVariables) {

  /** Checks that every part is present and copies the variable list. */
  public Metric {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(update, "update");
    Objects.requireNonNull(initializer, "initializer");
    localVariables = List.copyOf(localVariables);
  }
}
