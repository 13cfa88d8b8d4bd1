package io.estimator4j.estimator.input;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;

/**
 * Features and labels produced by an {@link InputFn}; the {@code (features, labels)} pair of
 * tf.estimator.
 *
 * @param features feature tensors by name
 * @param labels label tensors by name (empty when there are none, e.g. for predict); a single
 *     labels tensor is keyed by {@link #LABELS_KEY}
 */
public record Input(Map<String, Operand<?>> features, Map<String, Operand<?>> labels) {
  /** Key of a single, unnamed labels tensor. */
  public static final String LABELS_KEY = "labels";

  public Input {
    features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    labels = labels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
  }

  /** Features with one labels tensor (which may be null). */
  public static Input of(Map<String, ? extends Operand<?>> features, Operand<?> labels) {
    return new Input(
        new LinkedHashMap<>(features), labels == null ? Map.of() : Map.of(LABELS_KEY, labels));
  }

  /** Features only (prediction). */
  public static Input featuresOnly(Map<String, ? extends Operand<?>> features) {
    return of(features, null);
  }
}
