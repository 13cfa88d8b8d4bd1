package io.estimator4j.estimator;

import io.estimator4j.estimator.impl.ModelGraph;
import io.estimator4j.estimator.impl.SessionStarter;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.savedmodel.TensorSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;

/**
 * A warm predictor: the PREDICT graph of an estimator, restored once from a checkpoint and fed
 * through placeholders, answering repeated calls without rebuilding anything (tf.estimator's
 * predict rebuilt the graph on every call). Safe for concurrent calls from many threads.
 */
public final class Predictor implements AutoCloseable {
  private final ModelGraph mg;
  private final Session session;
  private final Map<String, Placeholder<?>> inputs = new LinkedHashMap<>();
  private final Map<String, TensorSpec> specs;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final String checkpoint;
  private boolean closed;

  Predictor(Estimator est, Map<String, TensorSpec> featureSpecs, String checkpoint) {
    if (featureSpecs.isEmpty()) {
      throw new IllegalArgumentException("A Predictor needs at least one feature spec");
    }
    this.specs = new LinkedHashMap<>(featureSpecs);
    this.checkpoint = checkpoint;
    this.mg =
        est.buildGraph(
            ModeKeys.PREDICT,
            ctx -> {
              var tf = ctx.tf().withSubScope("features");
              Map<String, Operand<?>> feats = new LinkedHashMap<>();
              specs.forEach(
                  (k, s) -> {
                    Placeholder<?> p =
                        tf.withName(safeName(k))
                            .placeholder(s.dtype(), Placeholder.shape(s.shape()));
                    inputs.put(k, p);
                    feats.put(k, p);
                  });
              return Input.featuresOnly(feats);
            });
    try {
      this.session = SessionStarter.start(mg, est.config(), checkpoint, null);
    } catch (RuntimeException e) {
      mg.close();
      throw e;
    }
  }

  /** The checkpoint this predictor was restored from. */
  public String checkpoint() {
    return checkpoint;
  }

  /** The input specs by feature name. */
  public Map<String, TensorSpec> inputSpecs() {
    return Map.copyOf(specs);
  }

  /**
   * Runs the model on one batch of features (tensors stay owned by the caller) and returns every
   * prediction for the batch, copied into Java memory.
   */
  public Prediction predict(Map<String, ? extends Tensor> features) {
    for (String k : specs.keySet()) {
      if (!features.containsKey(k)) {
        throw new IllegalArgumentException(
            "Missing feature '"
                + k
                + "'. The predictor needs "
                + specs.keySet()
                + ", got "
                + features.keySet()
                + ".");
      }
    }
    for (Map.Entry<String, ? extends Tensor> e : features.entrySet()) {
      TensorSpec s = specs.get(e.getKey());
      if (s == null) {
        throw new IllegalArgumentException(
            "Unknown feature '" + e.getKey() + "'; the predictor takes " + specs.keySet());
      }
      check(e.getKey(), s, e.getValue());
    }
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("Predictor is closed");
      }
      Session.Runner r = session.runner();
      features.forEach((k, t) -> r.feed(inputs.get(k), t));
      Map<String, Operand<?>> outs = mg.spec.predictions();
      outs.values().forEach(r::fetch);
      Map<String, NdArray<?>> copies = new LinkedHashMap<>();
      try (Result result = r.run()) {
        int i = 0;
        for (String k : outs.keySet()) {
          copies.put(k, Prediction.copyOf(result.get(i++)));
        }
      }
      return new Prediction(copies);
    } finally {
      lock.readLock().unlock();
    }
  }

  private static void check(String key, TensorSpec spec, Tensor t) {
    if (!spec.dtype().isInstance(t)) {
      throw new IllegalArgumentException(
          "Feature '"
              + key
              + "' must be "
              + spec.dtype().getSimpleName()
              + ", got "
              + t.dataType()
              + ". Fix: build the tensor with "
              + spec.dtype().getSimpleName()
              + ".");
    }
    Shape want = spec.shape();
    Shape got = t.shape();
    boolean ok = want.numDimensions() == got.numDimensions();
    for (int i = 0; ok && i < want.numDimensions(); i++) {
      ok = want.size(i) < 0 || want.size(i) == got.size(i);
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "Feature '" + key + "' must have shape " + want + " (-1 = any), got " + got + ".");
    }
  }

  private static String safeName(String key) {
    return key.replaceAll("[^A-Za-z0-9_.\\-]", "_");
  }

  /** Waits for running calls, then releases the session and graph. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        session.close();
      } finally {
        mg.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
