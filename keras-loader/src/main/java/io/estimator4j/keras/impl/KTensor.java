package io.estimator4j.keras.impl;

import org.tensorflow.Operand;
import org.tensorflow.types.TBool;

/**
 * A Keras tensor in the graph being built: its value and, when a layer such as {@code
 * Embedding(mask_zero=True)} or {@code Masking} produced one, its mask ({@code [batch, time]}, true
 * = keep).
 */
public record KTensor(Operand<?> value, Operand<TBool> mask) {
  public static KTensor of(Operand<?> value) {
    return new KTensor(value, null);
  }
}
