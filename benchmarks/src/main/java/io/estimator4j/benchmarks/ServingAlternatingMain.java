package io.estimator4j.benchmarks;

import io.estimator4j.samples.bench.BenchmarksFile;
import io.estimator4j.samples.bench.Machine;
import io.estimator4j.samples.bench.Stats;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The serving paths of {@link ServingBenchmark} against their bare-session baselines, call by call
 * in the same threads: each thread alternates one call of the path and one of its baseline (the
 * order flipped every iteration), so that whatever slows the machine slows both alike. JMH measures
 * one benchmark after another, minutes apart, and on a 2-core VM the same pair read 0.77 in one
 * round and 1.43 in the next; alternating removes that drift from the ratio.
 *
 * <p>Latency: one thread, batch 1 and 100, median µs per call of each side. Throughput: 1, 2, 4 and
 * 8 threads at batch 1, calls per second of each side (calls divided by the time spent in that
 * side's calls, summed over threads and scaled by the thread count). Arguments: {@code [seconds per
 * row, default 5] [--file BENCHMARKS.md]} (writes the generated section {@code
 * alternating-serving}).
 */
public final class ServingAlternatingMain {
  private static final String[][] PAIRS = {
    {"predictorTensors", "bareSavedModel"},
    {"predictorCopied", "bareSavedModel"},
    {"savedModelPredictor", "bareSavedModel"},
    {"kerasPredict", "bareKeras"},
  };

  private ServingAlternatingMain() {}

  public static void main(String[] argv) throws Exception {
    List<String> list = new ArrayList<>(List.of(argv));
    Path file = ServingBenchmarkMain.takeFileOption(list);
    double seconds = list.isEmpty() ? 5 : Double.parseDouble(list.get(0));
    String load = Machine.loadAverage();
    Instant started = Instant.now();
    Blackhole bh =
        new Blackhole(
            "Today's password is swordfish. I understand instantiating Blackholes directly is"
                + " dangerous.");
    StringBuilder out = new StringBuilder();
    out.append(Machine.loadAverage()).append(" (at the start)\n\n");
    out.append(
        String.format(
            "Each row: %.0f s after a %.0f s warm-up, the path and its bare call alternating in"
                + " every thread.%n%n",
            seconds, seconds / 2));
    out.append(
        "| Path | batch | threads | path µs/call (median) | bare µs/call (median) | ratio"
            + " (goal <= 1.1) |\n|---|---:|---:|---:|---:|---:|\n");
    List<String> throughputRows = new ArrayList<>();
    for (int batch : new int[] {1, 100}) {
      ServingBenchmark b = new ServingBenchmark();
      b.batch = batch;
      b.setUp();
      try {
        Map<String, Consumer<Blackhole>> calls = calls(b);
        for (String[] pair : PAIRS) {
          Side[] r = run(calls.get(pair[0]), calls.get(pair[1]), 1, seconds, bh);
          out.append(
              String.format(
                  "| %s (bare: %s) | %d | 1 | %.1f | %.1f | %.3f |%n",
                  pair[0],
                  pair[1],
                  batch,
                  r[0].medianMicros(),
                  r[1].medianMicros(),
                  r[0].medianMicros() / r[1].medianMicros()));
        }
        if (batch == 1) {
          for (int threads : new int[] {1, 2, 4, 8}) {
            for (String[] pair : PAIRS) {
              Side[] r = run(calls.get(pair[0]), calls.get(pair[1]), threads, seconds, bh);
              double path = r[0].callsPerSecond();
              double bare = r[1].callsPerSecond();
              throughputRows.add(
                  String.format(
                      "| %s (bare: %s) | %d | %.0f | %.0f | %.3f |",
                      pair[0], pair[1], threads, path, bare, path / bare));
            }
          }
        }
      } finally {
        b.tearDown();
      }
    }
    out.append(
        "\n| Path | threads | path calls/s | bare calls/s | ratio (goal >= 0.95) |\n"
            + "|---|---:|---:|---:|---:|\n");
    throughputRows.forEach(row -> out.append(row).append('\n'));
    out.append('\n').append(Machine.loadAverage()).append(" (at the end)\n");
    System.out.println(out);
    if (file != null) {
      String command =
          "`java -cp target/classes:$(cat /tmp/cp.txt) io.estimator4j.benchmarks.ServingAlternatingMain "
              + (list.isEmpty() ? "" : list.get(0) + " ")
              + "--file ../BENCHMARKS.md` (in `benchmarks/`)";
      BenchmarksFile.write(
          file,
          "alternating-serving",
          "### Generated: serving paths alternating with their bare calls\n\n"
              + BenchmarksFile.header(command, started, load)
              + "\n\n"
              + out.toString().strip());
      System.err.println("ServingAlternatingMain: wrote section 'alternating-serving' of " + file);
    }
  }

  private static Map<String, Consumer<Blackhole>> calls(ServingBenchmark b) {
    Map<String, Consumer<Blackhole>> m = new LinkedHashMap<>();
    m.put("bareSavedModel", b::bareSavedModel);
    m.put("predictorTensors", b::predictorTensors);
    m.put("predictorCopied", b::predictorCopied);
    m.put("savedModelPredictor", b::savedModelPredictor);
    m.put("bareKeras", b::bareKeras);
    m.put("kerasPredict", b::kerasPredict);
    return m;
  }

  /** The measured calls of one side. */
  private record Side(long[] nanos, long totalNanos) {
    double medianMicros() {
      return Stats.median(Arrays.stream(nanos).asDoubleStream().toArray()) / 1e3;
    }

    /**
     * Calls per second of this side at this concurrency: its calls over the time the threads spent
     * in them ({@code totalNanos} is that time summed over the threads, divided by their count).
     */
    double callsPerSecond() {
      return nanos.length / (totalNanos / 1e9);
    }
  }

  /** Alternates {@code path} and {@code bare} in {@code threads} threads; warm-up, then timed. */
  private static Side[] run(
      Consumer<Blackhole> path, Consumer<Blackhole> bare, int threads, double seconds, Blackhole bh)
      throws Exception {
    alternate(path, bare, threads, seconds / 2, bh);
    return alternate(path, bare, threads, seconds, bh);
  }

  private static Side[] alternate(
      Consumer<Blackhole> path, Consumer<Blackhole> bare, int threads, double seconds, Blackhole bh)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      long end = System.nanoTime() + (long) (seconds * 1e9);
      List<Future<long[][]>> parts = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        parts.add(
            pool.submit(
                () -> {
                  long[] a = new long[1 << 16];
                  long[] b = new long[1 << 16];
                  int n = 0;
                  boolean pathFirst = true;
                  while (System.nanoTime() < end) {
                    if (n == a.length) {
                      a = Arrays.copyOf(a, n * 2);
                      b = Arrays.copyOf(b, n * 2);
                    }
                    long t0 = System.nanoTime();
                    (pathFirst ? path : bare).accept(bh);
                    long t1 = System.nanoTime();
                    (pathFirst ? bare : path).accept(bh);
                    long t2 = System.nanoTime();
                    a[n] = pathFirst ? t1 - t0 : t2 - t1;
                    b[n] = pathFirst ? t2 - t1 : t1 - t0;
                    n++;
                    pathFirst = !pathFirst;
                  }
                  return new long[][] {Arrays.copyOf(a, n), Arrays.copyOf(b, n)};
                }));
      }
      List<long[]> pathTimes = new ArrayList<>();
      List<long[]> bareTimes = new ArrayList<>();
      for (Future<long[][]> p : parts) {
        long[][] r = p.get();
        pathTimes.add(r[0]);
        bareTimes.add(r[1]);
      }
      return new Side[] {side(pathTimes, threads), side(bareTimes, threads)};
    } finally {
      pool.shutdownNow();
    }
  }

  /** All threads' calls; total time = the summed call times divided by the thread count. */
  private static Side side(List<long[]> perThread, int threads) {
    long[] all = perThread.stream().flatMapToLong(Arrays::stream).toArray();
    long sum = Arrays.stream(all).sum();
    return new Side(all, sum / threads);
  }
}
