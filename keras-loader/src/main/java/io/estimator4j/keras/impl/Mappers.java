package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  /**
   * The call's tensors by argument name: the positional ones take {@code names} in order, those
   * passed by keyword (which the model parser appended after them, in the keywords' order) their
   * keyword.
   *
   * @throws IllegalArgumentException naming the layer when there are more positional tensors than
   *     names
   */
  static Map<String, KTensor> callArguments(
      LayerConfig c, List<KTensor> inputs, JsonNode kwargs, String... names) {
    Map<String, KTensor> out = keywordTensors(inputs, kwargs);
    int positional = inputs.size() - keywordTensorCount(kwargs);
    if (positional > names.length) {
      throw new IllegalArgumentException(
          c.describe()
              + " takes at most "
              + names.length
              + " tensors "
              + List.of(names)
              + "; it was called with "
              + inputs.size()
              + ".");
    }
    for (int i = 0; i < positional; i++) {
      out.put(names[i], inputs.get(i));
    }
    return out;
  }

  /**
   * The tensors passed by keyword (every one that holds a single tensor), which the model parser
   * appended after the positional ones in the keywords' order; {@code mask} is not among them.
   */
  static Map<String, KTensor> keywordTensors(List<KTensor> inputs, JsonNode kwargs) {
    Map<String, KTensor> out = new HashMap<>();
    int next = inputs.size() - keywordTensorCount(kwargs);
    for (var f : kwargs.properties()) {
      if (Network.isTensorKeyword(f.getKey())) {
        int n = Network.tensorCount(f.getValue());
        if (n == 1) {
          out.put(f.getKey(), inputs.get(next));
        }
        next += n;
      }
    }
    return out;
  }

  /** How many of the call's tensors were passed by keyword (they follow the positional ones). */
  static int keywordTensorCount(JsonNode kwargs) {
    int n = 0;
    for (var f : kwargs.properties()) {
      if (Network.isTensorKeyword(f.getKey())) {
        n += Network.tensorCount(f.getValue());
      }
    }
    return n;
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
