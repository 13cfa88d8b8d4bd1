package io.estimator4j.estimator.hook;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.Tensor;

/**
 * Evaluates tensors once when the loop ends; Java counterpart of tf.estimator.FinalOpsHook. The
 * values are read as doubles (scalars) and kept after the session closes.
 */
public final class FinalOpsHook implements SessionRunHook {
  private final Map<String, Operand<?>> finalOps;
  private final Map<String, Double> values = new LinkedHashMap<>();

  public FinalOpsHook(Map<String, ? extends Operand<?>> finalOps) {
    this.finalOps = new LinkedHashMap<>(finalOps);
  }

  @Override
  public void end(Session session) {
    Session.Runner r = session.runner();
    finalOps.values().forEach(r::fetch);
    try (var result = r.run()) {
      int i = 0;
      for (String name : finalOps.keySet()) {
        Tensor t = result.get(i++);
        values.put(name, SessionRunValues.scalarOf(t, name));
      }
    }
  }

  /** The values computed at end (empty before). */
  public Map<String, Double> finalOpsValues() {
    return Map.copyOf(values);
  }
}
