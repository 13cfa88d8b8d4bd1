package io.estimator4j.savedmodel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;

/**
 * Any named tensors, for the {@code tensorflow/serving/predict} method; Java counterpart of
 * tf.estimator.export.PredictOutput. Heads put their whole predictions map here.
 *
 * @param outputs the tensors by output key, non-empty; copied, order kept
 */
public record PredictOutput(Map<String, Operand<?>> outputs) implements ExportOutput {

  /** Checks that there is at least one output and no null key or value, and copies the map. */
  public PredictOutput {
    if (outputs == null || outputs.isEmpty()) {
      throw new IllegalArgumentException(
          "PredictOutput needs at least one output tensor; got " + outputs + ".");
    }
    Map<String, Operand<?>> copy = new LinkedHashMap<>();
    outputs.forEach(
        (k, v) -> {
          if (k == null || k.isEmpty() || v == null) {
            throw new IllegalArgumentException(
                "PredictOutput keys must be non-empty strings and values non-null; found key '"
                    + k
                    + "' -> "
                    + v
                    + ".");
          }
          copy.put(k, v);
        });
    outputs = Collections.unmodifiableMap(copy);
  }

  @Override
  public String methodName() {
    return SignatureConstants.PREDICT_METHOD_NAME;
  }
}
