package io.estimator4j.estimator;

import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.testing.RawRestore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Result;
import org.tensorflow.Session;

/**
 * A hook that fetches variables by name right after the session started: their restored, warm
 * started or initial values, before any training step (float32 as float[], int64 as long[]).
 */
public final class VariablesAtStart implements SessionRunHook {
  private final List<String> names;
  private final Map<String, Object> values = new LinkedHashMap<>();

  public VariablesAtStart(Collection<String> names) {
    this.names = new ArrayList<>(names);
  }

  /** The fetched values by name. */
  public Map<String, Object> values() {
    return values;
  }

  /** A float32 variable's values. */
  public float[] floats(String name) {
    return (float[]) values.get(name);
  }

  @Override
  public void afterCreateSession(Session session) {
    Session.Runner r = session.runner();
    names.forEach(r::fetch);
    try (Result result = r.run()) {
      for (int i = 0; i < names.size(); i++) {
        values.put(names.get(i), RawRestore.values(result.get(i)));
      }
    }
  }
}
