package io.estimator4j.samples;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The samples' last output line: metrics as one JSON object. */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}

  /**
   * Metrics rounded to 4 decimals, global_step and training_tasks as integers, in the given key
   * order.
   */
  public static String metrics(Map<String, Double> metrics) {
    Map<String, Object> out = new LinkedHashMap<>();
    metrics.forEach(
        (k, v) ->
            out.put(
                k,
                k.equals(EstimatorSpec.GLOBAL_STEP_KEY) || k.equals(Census.TRAINING_TASKS_KEY)
                    ? (Object) Math.round(v)
                    : (Object) (Math.round(v * 10000) / 10000.0)));
    try {
      return MAPPER.writeValueAsString(out);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
