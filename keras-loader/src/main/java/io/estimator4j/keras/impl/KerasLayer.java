package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.tensorflow.op.Ops;

/**
 * One Keras layer of the model being built, created once per layer (so that a shared layer keeps
 * its weights) and called once per node of the model.
 */
@FunctionalInterface
public interface KerasLayer {
  /**
   * Builds one call of the layer.
   *
   * @param scope the scope of this call (the layer's own scope for the first call)
   * @param inputs the call's input tensors, in Keras's order
   * @param kwargs the call's keyword arguments from the config (may be empty)
   * @return the output tensors
   */
  List<KTensor> call(Ops scope, List<KTensor> inputs, JsonNode kwargs);
}
