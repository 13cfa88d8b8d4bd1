package io.estimator4j.estimator.optimizer;

import org.tensorflow.Operand;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Constant;
import org.tensorflow.op.dtypes.Cast;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.family.TNumber;

/** Scalar constants of a variable's float type, for hyper-parameters and slot initial values. */
final class TypedScalars {
  private TypedScalars() {}

  /** A constant of {@code type} (float32 or float64), built with one op. */
  @SuppressWarnings("unchecked")
  static <T extends TNumber> Operand<T> of(Scope scope, Class<T> type, double value) {
    if (type == TFloat32.class) {
      return (Operand<T>) Constant.scalarOf(scope, (float) value);
    }
    if (type == TFloat64.class) {
      return (Operand<T>) Constant.scalarOf(scope, value);
    }
    throw unsupported(type, "a constant");
  }

  /** {@code value} as {@code type}: itself when the types agree, else a Cast. */
  @SuppressWarnings("unchecked")
  static <T extends TNumber> Operand<T> as(Scope scope, Operand<?> value, Class<T> type) {
    return value.type() == type ? (Operand<T>) value : Cast.create(scope, value, type);
  }

  static boolean isSupported(Class<?> type) {
    return type == TFloat32.class || type == TFloat64.class;
  }

  static IllegalArgumentException unsupported(Class<?> type, String what) {
    return new IllegalArgumentException(
        "Optimizers update float32 and float64 variables only; found "
            + type.getSimpleName()
            + " for "
            + what
            + ".");
  }
}
