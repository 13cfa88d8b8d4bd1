package io.estimator4j.keras.impl;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/** Helpers shared by the layer mappers. */
final class Mappers {
  private Mappers() {}

  /** The value as float32 (integer inputs are cast, as Keras's autocasting does). */
  @SuppressWarnings("unchecked")
  static Operand<TFloat32> floats(Ops tf, KTensor t) {
    Operand<?> v = t.value();
    if (v.type() == TFloat32.class) {
      return (Operand<TFloat32>) v;
    }
    return tf.dtypes.cast((Operand<? extends TNumber>) v, TFloat32.class);
  }

  /** The only input of a single-input layer. */
  static KTensor single(LayerConfig c, List<KTensor> inputs) {
    if (inputs.isEmpty()) {
      throw new IllegalArgumentException(c.describe() + " was called without an input.");
    }
    return inputs.get(0);
  }

  static List<Operand<TFloat32>> allFloats(Ops tf, List<KTensor> inputs) {
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (KTensor t : inputs) {
      out.add(floats(tf, t));
    }
    return out;
  }

  /** One output that keeps the input's mask (element-wise layers). */
  static List<KTensor> sameMask(KTensor in, Operand<?> out) {
    return List.of(new KTensor(out, in.mask()));
  }

  /** One output without a mask. */
  static List<KTensor> noMask(Operand<?> out) {
    return List.of(KTensor.of(out));
  }
}
