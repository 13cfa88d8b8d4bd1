package io.estimator4j.estimator.layers;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The graph built by one {@link Dense#apply} call: its output and its variables; Java counterpart
 * of a built tf.keras.layers.Dense ({@code layer.kernel}, {@code layer.bias}).
 *
 * @param output the activated output, shape {@code [..., units]}
 * @param kernel the weight matrix {@code <scope>/kernel}, shape {@code [input_dim, units]}
 * @param bias the bias {@code <scope>/bias}, shape {@code [units]}; empty when {@code useBias} is
 *     false
 */
public record DenseLayer(
    Operand<TFloat32> output, Variable<TFloat32> kernel, Optional<Variable<TFloat32>> bias) {

  /** Checks that output, kernel and bias are present. */
  public DenseLayer {
    Objects.requireNonNull(output, "output");
    Objects.requireNonNull(kernel, "kernel");
    Objects.requireNonNull(bias, "bias");
  }

  /** The variables an optimizer should train, kernel first, as Keras lists them. */
  public List<Variable<TFloat32>> trainableVariables() {
    return bias.map(b -> List.of(kernel, b)).orElseGet(() -> List.of(kernel));
  }
}
