package io.estimator4j.serving;

import io.estimator4j.savedmodel.JavaArray;
import io.estimator4j.savedmodel.SavedModelPredictor;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.proto.MetaGraphDef;

/**
 * One version of one model, through TF Serving's servable states (START, LOADING, AVAILABLE,
 * UNLOADING, END). Requests {@link #acquire} it; unloading waits for those in flight before the
 * session is closed, so a version swap fails no request.
 */
final class ServableVersion {

  /** TF Serving's {@code ModelVersionStatus.State}. */
  enum State {
    UNKNOWN,
    START,
    LOADING,
    AVAILABLE,
    UNLOADING,
    END
  }

  final String model;
  final long version;
  final Path dir;
  private State state = State.START;
  private ServingException.Code errorCode = ServingException.Code.OK;
  private String errorMessage = "";
  private SavedModelPredictor predictor;
  private MetaGraphDef metaGraph;
  private int inFlight;

  /** Whether this version's runs are cheap enough for the calling thread. */
  final RunCost cost = new RunCost();

  /** The requests in flight in the whole server, this version's among them. */
  private final AtomicInteger serverInFlight;

  /** The fingerprint of the directory when it was loaded (or failed to load). */
  String fingerprint;

  /** Merges concurrent runs when batching is on; null runs each request on its own. */
  private final BatchScheduler batcher;

  ServableVersion(
      String model, long version, Path dir, BatchScheduler batcher, AtomicInteger serverInFlight) {
    this.model = model;
    this.version = version;
    this.dir = dir;
    this.batcher = batcher;
    this.serverInFlight = serverInFlight;
  }

  /**
   * Runs signature {@code key} on {@code feeds} (owned by the caller), through the batch scheduler
   * when batching is on, and returns the outputs (those in {@code filter}, or all) by output key.
   * The one place requests reach the session.
   */
  Map<String, JavaArray> run(String key, Map<String, ? extends Tensor> feeds, List<String> filter) {
    return BatchScheduler.await(runAsync(key, feeds, filter));
  }

  /**
   * Like {@link #run}, without waiting for a batch: with batching on, the request is queued and the
   * future completes on a batch thread; with batching off the run is made now, in this thread.
   * {@code feeds} may be closed on return either way.
   */
  CompletableFuture<Map<String, JavaArray>> runAsync(
      String key, Map<String, ? extends Tensor> feeds, List<String> filter) {
    return batcher == null
        ? CompletableFuture.completedFuture(runNow(key, feeds, filter))
        : batcher.submit(this, key, feeds, filter);
  }

  /** One session run, TensorFlow's and the signature checks' errors as INVALID_ARGUMENT. */
  Map<String, JavaArray> runNow(
      String key, Map<String, ? extends Tensor> feeds, List<String> filter) {
    Map<String, Tensor> out;
    // idle: no request in flight in the server but this one (batched: a batch of one request)
    boolean inCaller = cost.inCaller(serverInFlight.get() <= 1);
    long t0 = System.nanoTime();
    try {
      out =
          predictor.predictAsServing(
              key, feeds, filter, inCaller ? SavedModelPredictor.IN_CALLER_THREAD : null);
    } catch (IllegalArgumentException | TensorFlowException e) {
      throw ServingException.invalid(e.getMessage());
    }
    if (inCaller) {
      cost.record(System.nanoTime() - t0);
    }
    Map<String, JavaArray> arrays = new TreeMap<>();
    try {
      out.forEach((k, t) -> arrays.put(k, JavaArray.of(t)));
    } finally {
      SavedModelPredictor.closeAll(out.values());
    }
    return arrays;
  }

  synchronized State state() {
    return state;
  }

  synchronized ServingException.Code errorCode() {
    return errorCode;
  }

  synchronized String errorMessage() {
    return errorMessage;
  }

  synchronized void loading() {
    state = State.LOADING;
  }

  synchronized void available(SavedModelPredictor p, MetaGraphDef meta) {
    predictor = p;
    metaGraph = meta;
    state = State.AVAILABLE;
  }

  synchronized void failed(ServingException.Code code, String message) {
    state = State.END;
    errorCode = code;
    errorMessage = message == null ? "" : message;
  }

  /** Counts one request in, or false when this version is not (or no longer) served. */
  synchronized boolean acquire() {
    if (state != State.AVAILABLE) {
      return false;
    }
    inFlight++;
    serverInFlight.incrementAndGet();
    return true;
  }

  synchronized int inFlight() {
    return inFlight;
  }

  synchronized void release() {
    inFlight--;
    serverInFlight.decrementAndGet();
    if (inFlight == 0) {
      notifyAll();
    }
  }

  SavedModelPredictor predictor() {
    return predictor;
  }

  MetaGraphDef metaGraph() {
    return metaGraph;
  }

  /**
   * Stops new requests, waits (at most {@code maxWaitMillis}) for those in flight, then closes the
   * session. Idempotent.
   */
  void unload(long maxWaitMillis) {
    SavedModelPredictor p;
    synchronized (this) {
      if (state != State.AVAILABLE) {
        return;
      }
      state = State.UNLOADING;
      long deadline = System.nanoTime() + maxWaitMillis * 1_000_000L;
      while (inFlight > 0) {
        long left = (deadline - System.nanoTime()) / 1_000_000L;
        if (left <= 0) {
          break;
        }
        try {
          wait(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      p = predictor;
    }
    // SavedModelPredictor.close itself waits for any run still in flight.
    p.close();
    synchronized (this) {
      state = State.END;
      predictor = null;
    }
  }
}
