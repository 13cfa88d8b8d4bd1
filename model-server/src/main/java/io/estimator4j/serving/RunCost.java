package io.estimator4j.serving;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a servable's session runs are quick: a quick run executes in the calling thread
 * (TensorFlow's per-run {@code inter_op_thread_pool = -1}) rather than being handed to TensorFlow's
 * inter-op pool and waited for, and a gRPC call of it stays on the transport thread that received
 * it rather than crossing to the call pool and back ({@link GrpcApi#dispatch}). Each hand-off is a
 * thread wake-up that costs more than a small graph's run on a small machine: on 2 cores a
 * half_plus_two run took 8 µs in the caller and 16-22 µs through the pool back to back, ~150 µs
 * through a pool that had gone idle between requests, and a gRPC call 100 µs more through the call
 * pool than on the transport thread (BENCHMARKS.md, issue 15 point 7).
 *
 * <p>Quick means: the median of the last {@value #WINDOW} runs made in the calling thread took less
 * than {@link #QUICK_RUN_NANOS}. Only those runs are measured, since a run through the pool also
 * pays the wake-ups that running in the caller saves. While not quick, one run in {@value
 * #PROBE_EVERY} (the first included) is made in the calling thread to measure it, so a model whose
 * runs get cheaper (or were slow only while warming up) becomes quick, and one whose runs get
 * dearer stops being quick.
 */
final class RunCost {
  /**
   * TensorFlow advises the caller thread "ONLY for simple graphs"; this is the bound for simple.
   */
  static final long QUICK_RUN_NANOS = 100_000;

  static final int PROBE_EVERY = 64;
  private static final int WINDOW = 8;

  private final long[] samples = new long[WINDOW];
  private long count;
  private volatile boolean quick;
  private final AtomicLong runs = new AtomicLong();

  /** Whether the next run is made in the calling thread (and then {@link #record}ed). */
  boolean inCaller() {
    return quick || runs.getAndIncrement() % PROBE_EVERY == 0;
  }

  /** One run made in the calling thread took {@code nanos}. */
  synchronized void record(long nanos) {
    samples[(int) (count++ % WINDOW)] = nanos;
    long[] s = Arrays.copyOf(samples, (int) Math.min(count, WINDOW));
    Arrays.sort(s);
    quick = s[(s.length - 1) / 2] < QUICK_RUN_NANOS;
  }

  /** False until a run has been measured quick: a model of unknown cost is not. */
  boolean quick() {
    return quick;
  }
}
