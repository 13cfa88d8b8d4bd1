package io.estimator4j.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link ServingBenchmark} in JMH and prints the BENCHMARKS.md tables: per-call latency at
 * batch 1 and 100 (one thread), and throughput at batch 1 with 1, 2, 4 and 8 threads, each serving
 * path as a ratio to its bare-session baseline from the same run, with machine, load, command and
 * date.
 *
 * <p>Arguments: {@code [measurement iterations, default 3] [seconds each, default 1] [latency|all]
 * [forks, default 1] [--file BENCHMARKS.md]} ({@code latency}: skip the throughput runs; {@code
 * --file}: also write the tables into that file's generated section {@code jmh-serving}). System
 * property {@code e4j.testdata} (default {@code ../testdata}) locates the Keras file.
 */
public final class ServingBenchmarkMain {
  private static final Map<String, String> BASELINE = new LinkedHashMap<>();

  static {
    BASELINE.put("predictorTensors", "bareSavedModel");
    BASELINE.put("predictorCopied", "bareSavedModel");
    BASELINE.put("savedModelPredictor", "bareSavedModel");
    BASELINE.put("kerasPredict", "bareKeras");
  }

  private ServingBenchmarkMain() {}

  public static void main(String[] argv) throws Exception {
    // "--file F" (anywhere): also write the tables into F's generated section "jmh-serving"
    List<String> list = new ArrayList<>(List.of(argv));
    Path file = takeFileOption(list);
    String[] args = list.toArray(new String[0]);
    String loadAtStart = io.estimator4j.samples.bench.Machine.loadAverage();
    Instant started = Instant.now();
    int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 1;
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    String testdata =
        Paths.get(System.getProperty("e4j.testdata", "../testdata")).toAbsolutePath().toString();
    String start = header();
    boolean latencyOnly = args.length > 2 && args[2].equals("latency");
    int[] threadCounts = latencyOnly ? new int[0] : new int[] {1, 2, 4, 8};

    // Each round runs every benchmark once (one fork each), so that a path and its bare baseline
    // are measured minutes apart at most; JMH's own forks run one benchmark's forks back to back,
    // and a drift of the machine between benchmarks then reads as a ratio. Ratios are taken
    // within a round; the tables give the median over the rounds and each round's ratio.
    List<Map<String, Double>> latency = new ArrayList<>();
    Map<Integer, List<Map<String, Double>>> throughput = new LinkedHashMap<>();
    for (int round = 0; round < rounds; round++) {
      latency.add(
          scores(run(Mode.AverageTime, 1, List.of("1", "100"), iterations, seconds, testdata)));
      for (int threads : threadCounts) {
        throughput
            .computeIfAbsent(threads, k -> new ArrayList<>())
            .add(
                scores(run(Mode.Throughput, threads, List.of("1"), iterations, seconds, testdata)));
      }
    }

    StringBuilder out = new StringBuilder();
    out.append("### Serving per call, JMH (").append(start).append(")\n\n");
    out.append(rounds)
        .append(" round(s); in each, every benchmark in one fork of ")
        .append(iterations)
        .append(" measured iterations of ")
        .append(seconds)
        .append(" s after 2 warm-up iterations. Values: medians over the rounds.\n\n");
    out.append(
        "| Path | batch | µs/call | bare µs/call | ratio to bare, each round | ratio to bare,"
            + " median (goal <= 1.1) |\n"
            + "|---|---:|---:|---:|---|---:|\n");
    for (String batch : List.of("1", "100")) {
      for (Map.Entry<String, String> e : BASELINE.entrySet()) {
        table(out, e, batch, batch, latency, false);
      }
    }
    out.append(
        "\n| Path | threads | calls/s | bare calls/s | ratio to bare, each round | ratio to bare,"
            + " median (goal >= 0.95) |\n"
            + "|---|---:|---:|---:|---|---:|\n");
    for (Map.Entry<Integer, List<Map<String, Double>>> th : throughput.entrySet()) {
      for (Map.Entry<String, String> e : BASELINE.entrySet()) {
        table(out, e, "1", String.valueOf(th.getKey()), th.getValue(), true);
      }
    }
    out.append("\nEnd: ").append(header()).append('\n');
    System.out.println(out);
    if (file != null) {
      String command =
          "`java -cp target/classes:$(cat /tmp/cp.txt) io.estimator4j.benchmarks.ServingBenchmarkMain "
              + String.join(" ", args)
              + "` (run by `./mvnw -B -Pbenchmarks,bench-all -pl benchmarks -am verify -DskipTests`)";
      io.estimator4j.samples.bench.BenchmarksFile.write(
          file,
          "jmh-serving",
          "### Generated: JMH `ServingBenchmark`\n\n"
              + io.estimator4j.samples.bench.BenchmarksFile.header(command, started, loadAtStart)
              + "\n\n"
              + out.toString().strip());
      System.err.println("ServingBenchmarkMain: wrote section 'jmh-serving' of " + file);
    }
  }

  private static Collection<RunResult> run(
      Mode mode, int threads, List<String> batches, int iterations, int seconds, String testdata)
      throws Exception {
    Options o =
        new OptionsBuilder()
            .include(ServingBenchmark.class.getName() + "\\.")
            .mode(mode)
            .timeUnit(mode == Mode.Throughput ? TimeUnit.SECONDS : TimeUnit.MICROSECONDS)
            .threads(threads)
            .param("batch", batches.toArray(new String[0]))
            .warmupIterations(2)
            .warmupTime(TimeValue.seconds(seconds))
            .measurementIterations(iterations)
            .measurementTime(TimeValue.seconds(seconds))
            .forks(1)
            .jvmArgsAppend(
                "-De4j.testdata=" + testdata, "-Xmx1g", "-Dorg.bytedeco.javacpp.maxPhysicalBytes=0")
            .build();
    return new Runner(o).run();
  }

  /**
   * Removes {@code --file F} (anywhere) from {@code args} and returns F, or null when absent: the
   * BENCHMARKS.md whose generated section the serving mains write.
   */
  static Path takeFileOption(List<String> args) {
    int f = args.indexOf("--file");
    if (f < 0) {
      return null;
    }
    if (f + 1 >= args.size()) {
      throw new IllegalArgumentException("--file needs a path, e.g. --file ../BENCHMARKS.md");
    }
    Path file = Paths.get(args.get(f + 1));
    args.subList(f, f + 2).clear();
    return file;
  }

  private static Map<String, Double> scores(Collection<RunResult> results) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (RunResult r : results) {
      m.put(key(r), r.getPrimaryResult().getScore());
    }
    return m;
  }

  /** One row: the path and its baseline over the rounds, and the ratio within each round. */
  private static void table(
      StringBuilder out,
      Map.Entry<String, String> pair,
      String batch,
      String column,
      List<Map<String, Double>> rounds,
      boolean throughput) {
    List<Double> path = new ArrayList<>();
    List<Double> bare = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    for (Map<String, Double> round : rounds) {
      Double t = round.get(pair.getKey() + "/" + batch);
      Double b = round.get(pair.getValue() + "/" + batch);
      if (t != null && b != null) {
        path.add(t);
        bare.add(b);
        ratios.add(t / b);
      }
    }
    if (ratios.isEmpty()) {
      return;
    }
    out.append(
        String.format(
            throughput
                ? "| %s (bare: %s) | %s | %.0f | %.0f | %s | %.3f |%n"
                : "| %s (bare: %s) | %s | %.1f | %.1f | %s | %.3f |%n",
            pair.getKey(),
            pair.getValue(),
            column,
            median(path),
            median(bare),
            String.join(", ", ratios.stream().map(r -> String.format("%.3f", r)).toList()),
            median(ratios)));
  }

  private static double median(List<Double> values) {
    return io.estimator4j.samples.bench.Stats.median(
        values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  private static String key(RunResult r) {
    String label = r.getParams().getBenchmark();
    String method = label.substring(label.lastIndexOf('.') + 1);
    return method + "/" + r.getParams().getParam("batch");
  }

  private static String header() throws Exception {
    List<String> parts = new ArrayList<>();
    parts.add(Instant.now().toString());
    parts.add(Runtime.getRuntime().availableProcessors() + " cores");
    parts.add(System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
    Path loadavg = Paths.get("/proc/loadavg");
    if (Files.exists(loadavg)) {
      parts.add("loadavg " + Files.readString(loadavg).trim());
    }
    parts.add(
        "command: java -cp target/classes:$(cat /tmp/cp.txt)"
            + " io.estimator4j.benchmarks.ServingBenchmarkMain");
    return String.join(", ", parts);
  }
}
