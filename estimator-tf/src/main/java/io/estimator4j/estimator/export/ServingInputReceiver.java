package io.estimator4j.estimator.export;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;

/**
 * What a serving input receiver function returns: the features handed to the model function, the
 * tensors a client feeds (signature inputs), and alternative sets of fed tensors (each gives extra
 * signatures named {@code <alternative>:<signature key>}); Java counterpart of
 * tf.estimator.export.ServingInputReceiver.
 *
 * @param features feature tensors by name, as the model function sees them
 * @param receiverTensors placeholders fed by clients, by signature input key
 * @param alternatives other receiver tensor sets by name
 * @param labels label tensors (only for TRAIN and EVAL exports, the supervised receivers of
 *     tf.estimator.experimental.build_raw_supervised_input_receiver_fn); empty for serving
 */
public record ServingInputReceiver(
    Map<String, Operand<?>> features,
    Map<String, Operand<?>> receiverTensors,
    Map<String, Map<String, Operand<?>>> alternatives,
    Map<String, Operand<?>> labels) {

  public ServingInputReceiver {
    if (features.isEmpty()) {
      throw new IllegalArgumentException("A ServingInputReceiver needs at least one feature");
    }
    if (receiverTensors.isEmpty()) {
      throw new IllegalArgumentException(
          "A ServingInputReceiver needs at least one receiver tensor");
    }
    features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    receiverTensors = Collections.unmodifiableMap(new LinkedHashMap<>(receiverTensors));
    Map<String, Map<String, Operand<?>>> alts = new LinkedHashMap<>();
    alternatives.forEach(
        (k, v) -> alts.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
    alternatives = Collections.unmodifiableMap(alts);
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  public static ServingInputReceiver of(
      Map<String, ? extends Operand<?>> features,
      Map<String, ? extends Operand<?>> receiverTensors) {
    return new ServingInputReceiver(
        new LinkedHashMap<>(features), new LinkedHashMap<>(receiverTensors), Map.of(), Map.of());
  }

  /** A copy with one more alternative set of receiver tensors. */
  public ServingInputReceiver withAlternative(
      String name, Map<String, ? extends Operand<?>> tensors) {
    Map<String, Map<String, Operand<?>>> alts = new LinkedHashMap<>(alternatives);
    alts.put(name, new LinkedHashMap<>(tensors));
    return new ServingInputReceiver(features, receiverTensors, alts, labels);
  }

  /** A copy with labels (for TRAIN and EVAL exports). */
  public ServingInputReceiver withLabels(Map<String, ? extends Operand<?>> labelTensors) {
    return new ServingInputReceiver(
        features, receiverTensors, alternatives, new LinkedHashMap<>(labelTensors));
  }
}
