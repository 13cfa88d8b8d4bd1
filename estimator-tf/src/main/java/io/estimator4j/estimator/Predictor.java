package io.estimator4j.estimator;

import io.estimator4j.estimator.impl.ModelGraph;
import io.estimator4j.estimator.impl.SessionStarter;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.savedmodel.TensorSpec;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.family.TType;

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
  private final String[] outputNames;
  private final Output<?>[] outputs;
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
    Map<String, Operand<?>> preds = mg.spec.predictions();
    this.outputNames = preds.keySet().toArray(new String[0]);
    this.outputs = preds.values().stream().map(Operand::asOutput).toArray(Output<?>[]::new);
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
    return predict(features, null);
  }

  /**
   * Like {@link #predict(Map)}, but fetches and copies only the predictions named in {@code keys}
   * (null for all): an output the caller does not ask for is neither fetched nor copied.
   *
   * @throws IllegalArgumentException for an unknown prediction key (the message lists them)
   */
  public Prediction predict(Map<String, ? extends Tensor> features, Collection<String> keys) {
    Map<String, Tensor> out = predictTensors(features, keys);
    try {
      Map<String, NdArray<?>> copies = new LinkedHashMap<>();
      out.forEach((k, t) -> copies.put(k, Prediction.copyOf(t)));
      return new Prediction(copies);
    } finally {
      closeAll(out.values());
    }
  }

  /**
   * Runs the model and returns the predictions named in {@code keys} (null for all) as the tensors
   * the session produced, without a copy. The caller owns and closes them (a key that names the
   * same tensor as an earlier key gets its own copy, so each returned tensor is closed once).
   *
   * @throws IllegalArgumentException for a missing or unknown feature or prediction key
   */
  public Map<String, Tensor> predictTensors(
      Map<String, ? extends Tensor> features, Collection<String> keys) {
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
    String[] names;
    Output<?>[] fetches;
    if (keys == null) {
      names = outputNames;
      fetches = outputs;
    } else {
      Set<String> wanted = new LinkedHashSet<>(keys);
      names = new String[wanted.size()];
      fetches = new Output<?>[wanted.size()];
      int i = 0;
      for (String k : wanted) {
        Operand<?> o = mg.spec.predictions().get(k);
        if (o == null) {
          throw new IllegalArgumentException(
              "Unknown prediction '" + k + "'; the model predicts " + Arrays.asList(outputNames));
        }
        names[i] = k;
        fetches[i++] = o.asOutput();
      }
    }
    lock.readLock().lock();
    try {
      if (closed) {
        throw new IllegalStateException("Predictor is closed");
      }
      Session.Runner r = session.runner();
      features.forEach((k, t) -> r.feed(inputs.get(k), t));
      // Result rejects a tensor fetched twice: fetch each output once
      int[] slotOf = new int[fetches.length];
      int distinct = 0;
      for (int i = 0; i < fetches.length; i++) {
        int slot = -1;
        for (int j = 0; j < i && slot < 0; j++) {
          if (fetches[j].equals(fetches[i])) {
            slot = slotOf[j];
          }
        }
        if (slot < 0) {
          slot = distinct++;
          r.fetch(fetches[i]);
        }
        slotOf[i] = slot;
      }
      // The Result is not closed: its tensors go to the caller, who closes them.
      Result result = r.run();
      Map<String, Tensor> out = new LinkedHashMap<>();
      boolean[] handedOut = new boolean[distinct];
      for (int i = 0; i < names.length; i++) {
        Tensor t = result.get(slotOf[i]);
        out.put(names[i], handedOut[slotOf[i]] ? copy(t) : t);
        handedOut[slotOf[i]] = true;
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  private static Tensor copy(Tensor t) {
    return copyOf(((TType) t).type(), t);
  }

  private static <T extends TType> T copyOf(Class<T> type, Tensor t) {
    return Tensor.of(type, t.shape(), t.asRawTensor().data());
  }

  private static void closeAll(Collection<Tensor> tensors) {
    Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Tensor t : tensors) {
      if (seen.add(t)) {
        t.close();
      }
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
