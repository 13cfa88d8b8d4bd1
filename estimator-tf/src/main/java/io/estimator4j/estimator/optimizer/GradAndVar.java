package io.estimator4j.estimator.optimizer;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TNumber;

/**
 * A gradient and the variable it belongs to; Java counterpart of the {@code (gradient, variable)}
 * pairs of tf.compat.v1.train.Optimizer.compute_gradients and apply_gradients.
 *
 * @param gradient the gradient of the loss with respect to {@code variable}, same dtype and shape
 * @param variable the variable to update
 * @param <T> the variable's element type
 */
public record GradAndVar<T extends TNumber>(Operand<T> gradient, Variable<T> variable) {
  /** Checks that both parts are present. */
  public GradAndVar {
    Objects.requireNonNull(gradient, "gradient");
    Objects.requireNonNull(variable, "variable");
  }

  /** The variable's op name, e.g. {@code dnn/hiddenlayer_0/kernel}. */
  public String variableName() {
    return variable.op().name();
  }
}
