package io.estimator4j.estimator.modelfn;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Immutable hyper-parameters handed to a model function; Java counterpart of the {@code params}
 * dict of tf.estimator.Estimator.
 */
public final class Params {
  private static final Params EMPTY = new Params(Map.of());
  private final Map<String, Object> values;

  private Params(Map<String, Object> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** No parameters. */
  public static Params empty() {
    return EMPTY;
  }

  /** Parameters from a map (copied). */
  public static Params of(Map<String, ?> values) {
    Objects.requireNonNull(values, "values");
    values.forEach((k, v) -> Objects.requireNonNull(v, () -> "param '" + k + "' is null"));
    return new Params(new LinkedHashMap<>(values));
  }

  /** Returns a copy with one more (or a replaced) parameter. */
  public Params with(String key, Object value) {
    Map<String, Object> copy = new LinkedHashMap<>(values);
    copy.put(key, Objects.requireNonNull(value, key));
    return new Params(copy);
  }

  /** All parameters, read-only. */
  public Map<String, Object> asMap() {
    return values;
  }

  public boolean contains(String key) {
    return values.containsKey(key);
  }

  /** The parameter, or an exception that lists the known keys. */
  public Object get(String key) {
    Object v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "No param '"
              + key
              + "'. Params present: "
              + values.keySet()
              + ". Pass it with Params.of(...) or Params.with(\""
              + key
              + "\", value).");
    }
    return v;
  }

  public int getInt(String key, int defaultValue) {
    return values.containsKey(key) ? ((Number) values.get(key)).intValue() : defaultValue;
  }

  public double getDouble(String key, double defaultValue) {
    return values.containsKey(key) ? ((Number) values.get(key)).doubleValue() : defaultValue;
  }

  public String getString(String key, String defaultValue) {
    return values.containsKey(key) ? values.get(key).toString() : defaultValue;
  }

  /** A list-of-ints parameter such as hidden_units, given as {@code int[]} or a List of numbers. */
  public int[] getIntArray(String key, int[] defaultValue) {
    if (!values.containsKey(key)) {
      return defaultValue;
    }
    Object v = values.get(key);
    if (v instanceof int[] a) {
      return a.clone();
    }
    if (v instanceof java.util.List<?> l) {
      return l.stream().mapToInt(x -> ((Number) x).intValue()).toArray();
    }
    throw new IllegalArgumentException(
        "param '" + key + "' must be an int[] or a List of numbers, found " + v.getClass());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Params p && p.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  @Override
  public String toString() {
    return "Params" + values;
  }
}
