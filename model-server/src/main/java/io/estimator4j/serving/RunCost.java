package io.estimator4j.serving;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where a servable's session runs are made. A run made in the calling thread executes there
 * (TensorFlow's per-run {@code inter_op_thread_pool = -1}) rather than being handed to TensorFlow's
 * inter-op pool and waited for; a gRPC call of a quick model also stays on the transport thread
 * that received it rather than crossing to the call pool and back ({@link GrpcApi#dispatch}). Each
 * hand-off is a thread wake-up that costs more than a small graph's run on a small machine: on 2
 * cores a half_plus_two run took 8 µs in the caller and 16-22 µs through the pool back to back,
 * ~150 µs through a pool that had gone idle between requests, and a gRPC call 100 µs more through
 * the call pool than on the transport thread (BENCHMARKS.md, issue 15 point 7).
 *
 * <p>The cost of a run is the median of the last {@value #WINDOW} runs made in the calling thread.
 * Only those runs are measured, since a run through the pool also pays the wake-ups that running in
 * the caller saves. A run is made in the caller when its cost is
 *
 * <ul>
 *   <li>under {@link #QUICK_RUN_NANOS} (quick), always; quick gRPC calls stay on the transport
 *       thread;
 *   <li>under {@link #IDLE_RUN_NANOS}, when no other request is in flight in the server ({@code
 *       idle}): nothing else competes for the cores then, and the pool's wake-ups are the dearest
 *       (census: 180-190 µs in the caller, 270-400 µs through an idle pool). Under load such runs
 *       go to the pool, which takes turns fairly: 64 threads each running census in the caller had
 *       a p99 of 137-205 ms against 19-32 ms through the pool. Their gRPC calls stay on the call
 *       pool even when idle: a call running on the transport thread holds up the calls arriving on
 *       its connection (8 clients on one channel: census 4-30 % fewer requests/s when idle calls
 *       ran there).
 * </ul>
 *
 * <p>Otherwise one run in {@value #PROBE_EVERY} (the first included) is made in the calling thread
 * to measure it, so a model whose runs get cheaper (or were slow only while warming up) moves to
 * the caller, and one whose runs get dearer moves to the pool.
 */
final class RunCost {
  /**
   * TensorFlow advises the caller thread "ONLY for simple graphs"; this is the bound for simple.
   */
  static final long QUICK_RUN_NANOS = 100_000;

  /**
   * The bound for a run made in the caller while the server is otherwise idle: past about 1 ms, a
   * graph's own parallelism (independent ops run at once by the inter-op pool) can outweigh the
   * wake-ups saved.
   */
  static final long IDLE_RUN_NANOS = 1_000_000;

  static final int PROBE_EVERY = 64;
  private static final int WINDOW = 8;

  private final long[] samples = new long[WINDOW];
  private long count;
  private volatile long median = Long.MAX_VALUE;
  private final AtomicLong runs = new AtomicLong();

  /**
   * Whether the next run is made in the calling thread (and then {@link #record}ed), {@code idle}
   * when no other request is in flight.
   */
  boolean inCaller(boolean idle) {
    return inline(idle) || runs.getAndIncrement() % PROBE_EVERY == 0;
  }

  /**
   * Whether runs are known to be cheap enough for the calling thread ({@code idle} as in {@link
   * #inCaller}); false while their cost is unknown.
   */
  boolean inline(boolean idle) {
    long m = median;
    return m < QUICK_RUN_NANOS || (idle && m < IDLE_RUN_NANOS);
  }

  /** One run made in the calling thread took {@code nanos}. */
  synchronized void record(long nanos) {
    samples[(int) (count++ % WINDOW)] = nanos;
    long[] s = Arrays.copyOf(samples, (int) Math.min(count, WINDOW));
    Arrays.sort(s);
    median = s[(s.length - 1) / 2];
  }

  /** Whether runs are quick: made in the calling thread even under load. */
  boolean quick() {
    return inline(false);
  }

  /** How many runs have been {@link #record}ed. */
  synchronized long measured() {
    return count;
  }
}
