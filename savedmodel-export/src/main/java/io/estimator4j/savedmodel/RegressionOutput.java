package io.estimator4j.savedmodel;

import java.util.Map;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * The output of a regressor for the {@code tensorflow/serving/regress} method; Java counterpart of
 * tf.estimator.export.RegressionOutput.
 *
 * @param value float32 predicted values, e.g. {@code [batch, 1]}
 */
public record RegressionOutput(Operand<TFloat32> value) implements ExportOutput {

  /** Checks that the value is a float32 tensor. */
  public RegressionOutput {
    Objects.requireNonNull(value, "value");
    if (value.type() != TFloat32.class) {
      throw new IllegalArgumentException(
          "RegressionOutput value must be float32, found "
              + value.type().getSimpleName()
              + ". Fix: cast the value to float32.");
    }
  }

  @Override
  public String methodName() {
    return SignatureConstants.REGRESS_METHOD_NAME;
  }

  /** {@code outputs}: the value. */
  @Override
  public Map<String, Operand<?>> outputs() {
    return Map.of(SignatureConstants.REGRESS_OUTPUTS, value);
  }
}
