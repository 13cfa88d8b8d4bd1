package io.estimator4j.serving;

import com.google.protobuf.TextFormat;
import io.estimator4j.savedmodel.JavaArray;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.tensorflow.Tensor;
import tensorflow.serving.SessionBundleConfig.BatchingParameters;

/**
 * TF Serving's request batching ({@code --enable_batching}: a BatchingSession over a basic batch
 * scheduler): concurrent requests to the same version, signature and input layout are concatenated
 * along the 0th dimension, run as one session run, and the outputs split back, each request getting
 * its own rows.
 *
 * <p>A batch is run when it holds {@code max_batch_size} rows, when the next request does not fit
 * in it, or when its first request has waited {@code batch_timeout_micros}; {@code
 * num_batch_threads} threads run batches; at most {@code max_enqueued_batches} batches wait per
 * queue (more: UNAVAILABLE, as TF Serving). With {@code allowed_batch_sizes} a batch is padded
 * (with copies of its first row) to the next allowed size. Closing runs the batches still queued.
 */
final class BatchScheduler implements AutoCloseable {

  /** TF Serving's {@code BatchingParameters}, defaults as its BasicBatchScheduler's. */
  record Options(
      int maxBatchSize,
      long batchTimeoutMicros,
      int maxEnqueuedBatches,
      int numBatchThreads,
      List<Long> allowedBatchSizes) {
    Options {
      if (maxBatchSize < 1 || maxEnqueuedBatches < 1 || numBatchThreads < 1) {
        throw new IllegalArgumentException(
            "max_batch_size, max_enqueued_batches and num_batch_threads must be at least 1; got "
                + maxBatchSize
                + ", "
                + maxEnqueuedBatches
                + ", "
                + numBatchThreads
                + ".");
      }
      if (batchTimeoutMicros < 0) {
        throw new IllegalArgumentException("batch_timeout_micros must not be negative.");
      }
      allowedBatchSizes = List.copyOf(allowedBatchSizes);
      for (int i = 0; i < allowedBatchSizes.size(); i++) {
        if (i > 0 && allowedBatchSizes.get(i) <= allowedBatchSizes.get(i - 1)) {
          throw new IllegalArgumentException("allowed_batch_sizes entries must be increasing");
        }
      }
      if (!allowedBatchSizes.isEmpty()
          && allowedBatchSizes.get(allowedBatchSizes.size() - 1) != maxBatchSize) {
        throw new IllegalArgumentException(
            "final entry in allowed_batch_sizes must equal max_batch_size when enable_batching"
                + " is true");
      }
    }

    /** TF Serving's defaults: 1000 rows, no timeout, 10 queued batches, one thread per CPU. */
    static Options defaults() {
      return from(BatchingParameters.getDefaultInstance());
    }

    static Options from(BatchingParameters p) {
      return new Options(
          p.hasMaxBatchSize() ? Math.toIntExact(p.getMaxBatchSize().getValue()) : 1000,
          p.hasBatchTimeoutMicros() ? p.getBatchTimeoutMicros().getValue() : 0,
          p.hasMaxEnqueuedBatches() ? Math.toIntExact(p.getMaxEnqueuedBatches().getValue()) : 10,
          p.hasNumBatchThreads()
              ? Math.toIntExact(p.getNumBatchThreads().getValue())
              : Runtime.getRuntime().availableProcessors(),
          p.getAllowedBatchSizesList());
    }

    /** {@code --batching_parameters_file}: a {@code BatchingParameters} text proto. */
    static Options read(Path file) throws IOException {
      BatchingParameters.Builder b = BatchingParameters.newBuilder();
      try {
        TextFormat.merge(Files.readString(file, StandardCharsets.UTF_8), b);
      } catch (TextFormat.ParseException e) {
        throw new IllegalArgumentException(
            file + ": not a text BatchingParameters: " + e.getMessage(), e);
      }
      return from(b.build());
    }
  }

  private record Task(
      ServableVersion sv,
      String key,
      Map<String, JavaArray> inputs,
      List<String> filter,
      int rows,
      CompletableFuture<Map<String, JavaArray>> result) {}

  private static final class Batch {
    final List<Task> tasks = new ArrayList<>();
    final long createdNanos = System.nanoTime();
    int rows;
  }

  /** Requests that can share a session run: same version, signature, inputs (dtype, row shape). */
  private record QueueKey(ServableVersion sv, String key, String layout, List<String> filter) {}

  private final Options options;
  private final ReentrantLock lock = new ReentrantLock();

  /**
   * Signalled when a batch may have become ready (a new one, a full one) or on close. A Condition
   * rather than Object.wait, whose timed wait rounds up to whole milliseconds: a batch with
   * batch_timeout_micros 100 then waited over 1 ms (BENCHMARKS.md, issue 15 point 7, session 8).
   */
  private final Condition changed = lock.newCondition();

  private final Map<QueueKey, Deque<Batch>> queues = new LinkedHashMap<>();
  private final List<Thread> threads = new ArrayList<>();
  private boolean closed;

  /** Session runs made and requests they served (tests and metrics read them). */
  final AtomicLong sessionRuns = new AtomicLong();

  final AtomicLong requestsRun = new AtomicLong();

  BatchScheduler(Options options) {
    this.options = options;
    for (int i = 0; i < options.numBatchThreads(); i++) {
      Thread t = new Thread(this::work, "e4j-serving-batch-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  Options options() {
    return options;
  }

  /** Waits for {@code f}; its failure is thrown as the exception it failed with. */
  static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServingException(ServingException.Code.CANCELLED, "Interrupted while batching.");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new ServingException(ServingException.Code.INTERNAL, e.getCause().toString());
    }
  }

  /**
   * Queues one request for a batch and returns at once: the future completes, on a batch thread,
   * with the request's rows of the outputs. {@code feeds} are copied: the caller may close them on
   * return. A request that cannot be queued (bad shapes, too many rows, a full queue, shutdown)
   * fails here, before anything is queued.
   */
  CompletableFuture<Map<String, JavaArray>> submit(
      ServableVersion sv, String key, Map<String, ? extends Tensor> feeds, List<String> filter) {
    Map<String, JavaArray> inputs = new TreeMap<>();
    StringBuilder layout = new StringBuilder();
    long rows = -1;
    for (Map.Entry<String, ? extends Tensor> e : feeds.entrySet()) {
      JavaArray a = JavaArray.of(e.getValue());
      if (a.shape().length == 0) {
        throw ServingException.invalid(
            "Batching Run() input tensors must have at least one dimension");
      }
      if (rows >= 0 && a.shape()[0] != rows) {
        throw ServingException.invalid(
            "Batching Run() input tensors must have equal 0th-dimension size");
      }
      rows = a.shape()[0];
      inputs.put(e.getKey(), a);
    }
    inputs.forEach(
        (k, a) ->
            layout
                .append(k)
                .append(a.dtype())
                .append(Arrays.toString(Arrays.copyOfRange(a.shape(), 1, a.shape().length))));
    if (rows > options.maxBatchSize()) {
      throw ServingException.invalid(
          "Task size "
              + rows
              + " is larger than maximum input batch size "
              + options.maxBatchSize());
    }
    Task task =
        new Task(
            sv,
            key,
            inputs,
            filter == null ? null : List.copyOf(filter),
            (int) Math.max(rows, 0),
            new CompletableFuture<>());
    lock.lock();
    try {
      if (closed) {
        throw new ServingException(ServingException.Code.UNAVAILABLE, "Server is shutting down.");
      }
      Deque<Batch> q =
          queues.computeIfAbsent(
              new QueueKey(sv, key, layout.toString(), task.filter()), k -> new ArrayDeque<>());
      Batch last = q.peekLast();
      boolean created = last == null || last.rows + task.rows() > options.maxBatchSize();
      if (created) {
        if (q.size() >= options.maxEnqueuedBatches()) {
          throw new ServingException(
              ServingException.Code.UNAVAILABLE,
              "The batch scheduling queue to which this task was submitted is full");
        }
        last = new Batch();
        q.addLast(last);
      }
      last.tasks.add(task);
      last.rows += task.rows();
      // Wake one batch thread when this changes what the threads wait for: a new batch (its
      // timeout starts; with batch_timeout_micros 0 it is ready now; behind another batch, it
      // makes that one ready) or a full one. A request joining a batch that is still filling
      // changes nothing: the threads wake at its timeout anyway.
      if (created || last.rows >= options.maxBatchSize()) {
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
    return task.result();
  }

  private void work() {
    while (true) {
      Batch b = next();
      if (b == null) {
        return;
      }
      try {
        runBatch(b);
      } catch (RuntimeException | Error e) {
        b.tasks.forEach(t -> t.result().completeExceptionally(e));
      }
    }
  }

  /** Requests waiting in a batch that has not started to run (tests). */
  int queuedRequests() {
    lock.lock();
    try {
      int n = 0;
      for (Deque<Batch> q : queues.values()) {
        for (Batch b : q) {
          n += b.tasks.size();
        }
      }
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** The next batch ready to run, or null once closed with nothing queued. */
  private Batch next() {
    long timeout = TimeUnit.MICROSECONDS.toNanos(options.batchTimeoutMicros());
    lock.lock();
    try {
      while (true) {
        long now = System.nanoTime();
        long wait = Long.MAX_VALUE;
        var it = queues.values().iterator();
        while (it.hasNext()) {
          Deque<Batch> q = it.next();
          Batch first = q.peekFirst();
          if (first == null) {
            it.remove();
            continue;
          }
          long left = first.createdNanos + timeout - now;
          if (closed || q.size() > 1 || first.rows >= options.maxBatchSize() || left <= 0) {
            q.pollFirst();
            if (q.isEmpty()) {
              it.remove();
            }
            if (!queues.isEmpty()) {
              // batches still wait: hand their timeouts to another thread, which may have been
              // waiting without one
              changed.signal();
            }
            return first;
          }
          wait = Math.min(wait, left);
        }
        if (closed) {
          return null;
        }
        try {
          if (wait == Long.MAX_VALUE) {
            changed.await();
          } else {
            changed.awaitNanos(wait);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return null;
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private void runBatch(Batch b) {
    Task first = b.tasks.get(0);
    int rows = b.rows;
    int padded = rows;
    for (long s : options.allowedBatchSizes()) {
      if (s >= rows) {
        padded = (int) s;
        break;
      }
    }
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    Map<String, JavaArray> out;
    try {
      for (String name : first.inputs().keySet()) {
        List<JavaArray> parts = new ArrayList<>();
        b.tasks.forEach(t -> parts.add(t.inputs().get(name)));
        feeds.put(name, concat(parts, padded).toTensor());
      }
      out = first.sv().runNow(first.key(), feeds, first.filter());
    } finally {
      feeds.values().forEach(Tensor::close);
    }
    sessionRuns.incrementAndGet();
    requestsRun.addAndGet(b.tasks.size());
    for (Map.Entry<String, JavaArray> e : out.entrySet()) {
      long[] shape = e.getValue().shape();
      if (shape.length == 0 || shape[0] != padded) {
        throw ServingException.invalid(
            "Batched output tensor's 0th dimension does not equal the sum of the 0th dimension"
                + " sizes of the input tensors");
      }
    }
    int start = 0;
    for (Task t : b.tasks) {
      Map<String, JavaArray> mine = new TreeMap<>();
      for (Map.Entry<String, JavaArray> e : out.entrySet()) {
        mine.put(e.getKey(), rows(e.getValue(), start, t.rows()));
      }
      start += t.rows();
      t.result().complete(mine);
    }
  }

  /** The arrays one after the other along dimension 0, padded to {@code rows} with row 0. */
  static JavaArray concat(List<JavaArray> parts, int rows) {
    JavaArray a0 = parts.get(0);
    long[] shape = a0.shape().clone();
    int rowSize = 1;
    for (int i = 1; i < shape.length; i++) {
      rowSize = Math.multiplyExact(rowSize, (int) shape[i]);
    }
    shape[0] = rows;
    Object values =
        java.lang.reflect.Array.newInstance(
            a0.values().getClass().getComponentType(), Math.multiplyExact(rows, rowSize));
    int at = 0;
    for (JavaArray p : parts) {
      int n = p.size();
      System.arraycopy(p.values(), 0, values, at, n);
      at += n;
    }
    while (at < rows * rowSize) {
      System.arraycopy(a0.values(), 0, values, at, rowSize);
      at += rowSize;
    }
    return new JavaArray(a0.dtype(), shape, values);
  }

  /** Rows {@code [start, start + n)} of {@code a}. */
  static JavaArray rows(JavaArray a, int start, int n) {
    long[] shape = a.shape().clone();
    int rowSize = a.shape()[0] == 0 ? 0 : a.size() / (int) a.shape()[0];
    shape[0] = n;
    Object values =
        java.lang.reflect.Array.newInstance(a.values().getClass().getComponentType(), n * rowSize);
    System.arraycopy(a.values(), start * rowSize, values, 0, n * rowSize);
    return new JavaArray(a.dtype(), shape, values);
  }

  /** Stops taking requests, runs the batches still queued, stops the threads. */
  @Override
  public void close() {
    lock.lock();
    try {
      closed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    for (Thread t : threads) {
      try {
        t.join(TimeUnit.MINUTES.toMillis(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
