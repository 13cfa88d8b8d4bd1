package io.estimator4j.estimator.optimizer;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * A gradient and the variable it belongs to; Java counterpart of the {@code (gradient, variable)}
 * pairs of tf.compat.v1.train.Optimizer.compute_gradients and apply_gradients.
 *
 * <p>With {@code rowIds}, the pair stands for Python's {@code IndexedSlices} gradient of a variable
 * that was looked up by row (a linear model's categorical weights, an embedding): optimizers whose
 * sparse update differs from the dense one (FTRL, Momentum, RMSProp; Keras's SGD and RMSprop only
 * with momentum) update only the rows in {@code rowIds} with the SparseApply ops, as Python's
 * {@code _apply_sparse_duplicate_indices} does; the gradient stays dense (its other rows are zero).
 * Gradient descent, Adagrad and Adam need no sparse form: with a zero gradient their dense update
 * leaves a row's variable where Python's sparse one does (Adam's sparse form decays m and v densely
 * too).
 *
 * @param gradient the gradient of the loss with respect to {@code variable}, same dtype and shape
 * @param variable the variable to update
 * @param rowIds the ids of the rows the step looked up (duplicates allowed), or null for a dense
 *     update
 * @param <T> the variable's element type
 */
public record GradAndVar<T extends TNumber>(
    Operand<T> gradient, Variable<T> variable, Operand<TInt64> rowIds) {
  /** Checks that the gradient and variable are present. */
  public GradAndVar {
    Objects.requireNonNull(gradient, "gradient");
    Objects.requireNonNull(variable, "variable");
  }

  /** A dense pair. */
  public GradAndVar(Operand<T> gradient, Variable<T> variable) {
    this(gradient, variable, null);
  }

  /** This pair with the ids of the looked-up rows (a sparse update). */
  public GradAndVar<T> withRowIds(Operand<TInt64> ids) {
    return new GradAndVar<>(gradient, variable, Objects.requireNonNull(ids, "ids"));
  }

  /** The variable's op name, e.g. {@code dnn/hiddenlayer_0/kernel}. */
  public String variableName() {
    return variable.op().name();
  }
}
