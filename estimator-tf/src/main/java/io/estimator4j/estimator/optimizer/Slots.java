package io.estimator4j.estimator.optimizer;

import io.estimator4j.estimator.layers.Names;
import io.estimator4j.graph.Variables;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Constant;
import org.tensorflow.op.core.Fill;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/** Optimizer slot variables named as Python names them: {@code <variable>/<slot name>}. */
final class Slots {
  private Slots() {}

  /**
   * Creates the global variable {@code <variable>/<slotName>} with the variable's shape and type,
   * every value {@code initialValue}; its initialiser ops are {@code <slot>/Initializer/...}.
   */
  static <T extends TNumber> Variable<T> create(
      Ops tf, Variable<T> variable, String slotName, double initialValue) {
    return createAt(tf, variable.op().name() + "/" + slotName, variable, initialValue);
  }

  /**
   * Creates the global variable {@code fullName} with the shape and type of {@code variable}, every
   * value {@code initialValue}: a Keras slot such as {@code
   * training/Adagrad/dnn/logits/bias/accumulator}.
   */
  static <T extends TNumber> Variable<T> createAt(
      Ops tf, String fullName, Variable<T> variable, double initialValue) {
    Shape shape = variable.shape();
    if (shape.isUnknown() || shape.hasUnknownDimension()) {
      throw new IllegalArgumentException(
          "Slot '" + fullName + "' needs the variable's fully defined shape; found " + shape + ".");
    }
    Scope init = tf.scope().withInitScope();
    String fill = fullName + "/Initializer/" + (initialValue == 0.0 ? "zeros" : "Const");
    Operand<TInt64> dims =
        Constant.vectorOf(Names.exact(init, fill + "/shape_as_tensor"), shape.asArray());
    Operand<T> value =
        TypedScalars.of(Names.exact(init, fill + "/Const"), variable.type(), initialValue);
    Operand<T> filled = Fill.create(Names.exact(init, fill), dims, value);
    return Variables.globalAt(tf, fullName, filled);
  }
}
