package io.estimator4j.samples.bench;

import java.lang.management.ManagementFactory;

/**
 * Measures a stretch of steps on the current thread: wall time, and the thread's CPU time and
 * allocated bytes. The last two do not grow when other work slows the machine down, so they show a
 * loop's own cost where wall time on a shared machine is too noisy.
 */
final class Meter {
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final long nanos;
  private final long cpuNanos;
  private final long bytes;

  private Meter() {
    this.nanos = System.nanoTime();
    this.cpuNanos =
        THREADS.isCurrentThreadCpuTimeSupported() ? THREADS.getCurrentThreadCpuTime() : 0;
    this.bytes =
        THREADS.isThreadAllocatedMemorySupported() ? THREADS.getCurrentThreadAllocatedBytes() : 0;
  }

  /** Starts measuring on the calling thread. */
  static Meter start() {
    return new Meter();
  }

  /** Ends the measurement of {@code steps} steps; call on the thread that started it. */
  Run stop(long steps) {
    Meter end = new Meter();
    return new Run(
        steps / ((end.nanos - nanos) / 1e9),
        (end.cpuNanos - cpuNanos) / 1e3 / steps,
        (double) (end.bytes - bytes) / steps,
        steps);
  }

  /**
   * One timed run.
   *
   * @param stepsPerSec steps per wall-clock second
   * @param cpuMicrosPerStep CPU time of the loop's thread per step, in microseconds (TensorFlow's
   *     own threads not included)
   * @param bytesPerStep bytes allocated by the loop's thread per step
   * @param steps the steps timed
   */
  record Run(double stepsPerSec, double cpuMicrosPerStep, double bytesPerStep, long steps) {}
}
