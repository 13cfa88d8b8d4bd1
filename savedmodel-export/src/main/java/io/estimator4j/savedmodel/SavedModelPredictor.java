package io.estimator4j.savedmodel;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Tensor;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.SignatureDef;

/**
 * Serves predictions from a SavedModel loaded once, to any number of threads at a time; the Java
 * counterpart of a loaded {@code tf.saved_model} signature (or of TF Serving's Predict API).
 *
 * <p>Every call runs one signature in the shared session (TensorFlow sessions run concurrently).
 * {@link #close()} waits for the calls in flight, then releases the session and graph; a call after
 * that fails with {@link IllegalStateException}.
 *
 * <pre>{@code
 * try (SavedModelPredictor p = SavedModelPredictor.load(dir, Set.of("serve"));
 *     TFloat32 x = TFloat32.tensorOf(Shape.of(2, 1))) {
 *   Map<String, JavaArray> y = p.predictArrays("serving_default", Map.of("x", x));
 * }
 * }</pre>
 */
public final class SavedModelPredictor implements AutoCloseable {

  private final LoadedSavedModel model;
  // Calls share the read lock; close takes the write lock, so it waits for them.
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private boolean closed;

  private SavedModelPredictor(LoadedSavedModel model) {
    this.model = model;
  }

  /** Loads the meta graph of {@code dir} tagged {@code tags} (e.g. {@code Set.of("serve")}). */
  public static SavedModelPredictor load(Path dir, Set<String> tags) throws IOException {
    return load(dir, tags, null);
  }

  /** Like {@link #load(Path, Set)}, with a session configuration (null: TensorFlow's default). */
  public static SavedModelPredictor load(Path dir, Set<String> tags, ConfigProto config)
      throws IOException {
    return new SavedModelPredictor(SavedModelLoader.load(dir, tags, config));
  }

  /** The SavedModel directory. */
  public Path directory() {
    return model.directory();
  }

  /** The signatures by key, sorted, without the internal init-op signature. */
  public Map<String, SignatureDef> signatures() {
    return model.signatures();
  }

  /** The signature of that key; an unknown key fails with the keys available. */
  public SignatureDef signature(String key) {
    return model.signature(key);
  }

  /**
   * Runs signature {@code signatureKey} on {@code inputs} (by input key; they stay owned by the
   * caller) and returns every output by output key. The caller closes the returned tensors.
   *
   * @throws IllegalArgumentException for an unknown signature, a missing or unknown input key, or
   *     an input of the wrong dtype or shape (the message says which and what is expected)
   * @throws IllegalStateException after {@link #close()}
   */
  public Map<String, Tensor> predict(String signatureKey, Map<String, ? extends Tensor> inputs) {
    return predict(signatureKey, inputs, null);
  }

  /** Like {@link #predict(String, Map)}, fetching only {@code outputKeys} (null for all). */
  public Map<String, Tensor> predict(
      String signatureKey, Map<String, ? extends Tensor> inputs, List<String> outputKeys) {
    lock.readLock().lock();
    try {
      checkOpen();
      return model.run(signatureKey, inputs, outputKeys);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Like {@link #predict(String, Map, List)}, checking the inputs' dtypes but not their shapes
   * against the signature, as TF Serving does: the graph's placeholders decide (TF Serving's
   * half_plus_two declares x as (-1, 1) and serves [[1.0, 2.0], [3.0, 4.0]]); a shape the graph
   * cannot take fails with TensorFlow's error.
   */
  public Map<String, Tensor> predictAsServing(
      String signatureKey, Map<String, ? extends Tensor> inputs, List<String> outputKeys) {
    return predictAsServing(signatureKey, inputs, outputKeys, null);
  }

  /**
   * TensorFlow's per-run option {@code inter_op_thread_pool = -1}: the run's graph executes in the
   * calling thread instead of being handed to the session's inter-op pool and waited for.
   * TensorFlow documents it for simple graphs, "where the overhead of an additional context switch
   * is comparable with the overhead of Session::Run()"; a larger graph loses the pool's
   * parallelism.
   */
  public static final RunOptions IN_CALLER_THREAD =
      RunOptions.newBuilder().setInterOpThreadPool(-1).build();

  /**
   * Like {@link #predictAsServing(String, Map, List)}, with TensorFlow's per-run {@code options}
   * (null: none), e.g. {@link #IN_CALLER_THREAD}.
   */
  public Map<String, Tensor> predictAsServing(
      String signatureKey,
      Map<String, ? extends Tensor> inputs,
      List<String> outputKeys,
      RunOptions options) {
    lock.readLock().lock();
    try {
      checkOpen();
      return model.run(signatureKey, inputs, outputKeys, false, options);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Like {@link #predict(String, Map)}, but returns the outputs copied to Java arrays; nothing is
   * left for the caller to close.
   */
  public Map<String, JavaArray> predictArrays(
      String signatureKey, Map<String, ? extends Tensor> inputs) {
    Map<String, Tensor> out = predict(signatureKey, inputs);
    try {
      Map<String, JavaArray> arrays = new LinkedHashMap<>();
      out.forEach((k, t) -> arrays.put(k, JavaArray.of(t)));
      return arrays;
    } finally {
      closeAll(out.values());
    }
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    lock.readLock().lock();
    try {
      return closed;
    } finally {
      lock.readLock().unlock();
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException(
          "This SavedModelPredictor for "
              + model.directory()
              + " is closed; load the model again to predict.");
    }
  }

  /** Closes each distinct tensor once (two output keys may name one tensor). */
  public static void closeAll(Iterable<? extends Tensor> tensors) {
    Set<Tensor> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Tensor t : tensors) {
      if (t != null && seen.add(t)) {
        t.close();
      }
    }
  }

  /** Waits for the calls in flight, then releases the session and graph. Idempotent. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        model.close();
      }
    } finally {
      lock.writeLock().unlock();
    }
  }
}
