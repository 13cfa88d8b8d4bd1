package io.estimator4j.estimator.hook;

import java.util.Map;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * The values a hook asked for in beforeRun, plus the global step reached by this run; Java
 * counterpart of tf.estimator.SessionRunValues. Tensors are only valid during afterRun.
 *
 * @param results fetched tensors keyed by the names the hook gave
 * @param globalStep the global step after this run
 */
public record SessionRunValues(Map<String, Tensor> results, long globalStep) {

  /** The fetched tensor of that name. */
  public Tensor get(String name) {
    Tensor t = results.get(name);
    if (t == null) {
      throw new IllegalArgumentException(
          "No fetched value named '" + name + "'; this hook fetched " + results.keySet());
    }
    return t;
  }

  /** A fetched numeric scalar as a double. */
  public double scalar(String name) {
    return scalarOf(get(name), name);
  }

  /** Reads a numeric scalar (or one-element) tensor as a double. */
  public static double scalarOf(Tensor t, String name) {
    if (t.shape().size() != 1) {
      throw new IllegalArgumentException(
          "'" + name + "' must be a scalar, found shape " + t.shape());
    }
    if (t instanceof TFloat32 f) {
      return t.shape().numDimensions() == 0 ? f.getFloat() : f.getFloat(0);
    }
    if (t instanceof TFloat64 d) {
      return t.shape().numDimensions() == 0 ? d.getDouble() : d.getDouble(0);
    }
    if (t instanceof TInt64 l) {
      return t.shape().numDimensions() == 0 ? l.getLong() : l.getLong(0);
    }
    if (t instanceof TInt32 i) {
      return t.shape().numDimensions() == 0 ? i.getInt() : i.getInt(0);
    }
    throw new IllegalArgumentException(
        "'" + name + "' must be a float, double, int32 or int64 scalar, found " + t.dataType());
  }
}
