package io.estimator4j.cli;

import io.estimator4j.samples.bench.BenchmarksFile;
import io.estimator4j.samples.bench.Machine;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code e4j bench all}: runs the end-to-end benchmarks with their default (bounded) sizes, one
 * after the other, printing each table and writing it into its generated section of BENCHMARKS.md
 * with the machine, the load at its start, the command and the date.
 */
@Command(
    name = "all",
    description = {
      "Runs bench train, canned, scale and predict with their defaults and writes each one's"
          + " tables into BENCHMARKS.md (sections between '<!-- e4j bench all: NAME -->' markers,"
          + " replaced in place). JMH serving benchmarks: see BENCHMARKS.md."
    })
final class BenchAllCommand implements Callable<Integer> {

  /** A benchmark of {@code bench all}: its subcommand and the arguments it runs with. */
  private record Entry(String subcommand, Supplier<BenchRunCommand<?>> command, String... args) {
    /** The equivalent command line, e.g. {@code ./e4j bench train --model tiny}. */
    String commandLine() {
      return "./e4j bench " + subcommand + (args.length == 0 ? "" : " " + String.join(" ", args));
    }
  }

  /**
   * tiny's step is ~110 µs: 2,000 steps (0.2 s) end before the JIT has settled, and single runs of
   * it scatter by ±20 %, so more steps and repeats.
   */
  private static final String[] TINY = {
    "--model", "tiny", "--steps", "20000", "--warmup", "5000", "--repeats", "5"
  };

  private static String[] concat(String[] a, String... b) {
    return java.util.stream.Stream.concat(Arrays.stream(a), Arrays.stream(b))
        .toArray(String[]::new);
  }

  /** The benchmarks, in running order. */
  private static final Map<String, Entry> BENCHMARKS = benchmarks();

  private static Map<String, Entry> benchmarks() {
    Map<String, Entry> m = new LinkedHashMap<>();
    m.put("train", new Entry("train", BenchTrainCommand::new));
    m.put("train-tiny", new Entry("train", BenchTrainCommand::new, TINY));
    // the verdicts of issue 13's points 1 and 2: both sides alternating every 20 steps on one
    // thread share the machine's load moment by moment (separate runs scattered ±10 %)
    m.put(
        "train-alternating",
        new Entry(
            "train",
            BenchTrainCommand::new,
            "--alternate",
            "20",
            "--model",
            "small,medium",
            "--repeats",
            "5"));
    m.put(
        "train-tiny-alternating",
        new Entry("train", BenchTrainCommand::new, concat(TINY, "--alternate", "20")));
    m.put("canned", new Entry("canned", BenchCannedCommand::new));
    m.put(
        "canned-alternating",
        new Entry(
            "canned",
            BenchCannedCommand::new,
            "--alternate",
            "20",
            "--steps",
            "2000",
            "--warmup",
            "400",
            "--repeats",
            "5"));
    m.put("scale", new Entry("scale", BenchScaleCommand::new));
    m.put("predict", new Entry("predict", BenchPredictCommand::new));
    m.put("serve", new Entry("serve", BenchServeCommand::new, "--alternate", "20"));
    // the server and its in-process baseline with each request run in its receiving thread
    m.put(
        "serve-inline",
        new Entry("serve", BenchServeCommand::new, "--tensorflow_inter_op_parallelism", "-1"));
    m.put("soak", new Entry("soak", BenchSoakCommand::new));
    // issue 12's load goal: each Keras application loaded in fresh JVMs
    m.put("keras-load", new Entry("keras-apps", BenchKerasAppsCommand::new, "--fresh-jvm", "5"));
    return m;
  }

  @Spec private CommandSpec spec;

  @Option(
      names = "--file",
      paramLabel = "FILE",
      defaultValue = "BENCHMARKS.md",
      description = "The Markdown file to update (default: ${DEFAULT-VALUE}).")
  private Path file;

  @Option(
      names = "--only",
      paramLabel = "NAME",
      split = ",",
      description =
          "Run only these, comma-separated: train, train-tiny, train-alternating,"
              + " train-tiny-alternating, canned, canned-alternating, scale, predict, serve,"
              + " serve-inline, soak, keras-load.")
  private List<String> only;

  @Override
  public Integer call() {
    List<String> names = only == null ? List.copyOf(BENCHMARKS.keySet()) : only;
    for (String name : names) {
      if (!BENCHMARKS.containsKey(name)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "Unknown benchmark '" + name + "'; choose from " + BENCHMARKS.keySet());
      }
    }
    for (String name : names) {
      run(name);
    }
    return 0;
  }

  private <O> void run(String name) {
    @SuppressWarnings("unchecked")
    Entry entry = BENCHMARKS.get(name);
    BenchRunCommand<O> command = (BenchRunCommand<O>) entry.command().get();
    new CommandLine(command).parseArgs(entry.args()); // the defaults, or the entry's arguments
    String load = Machine.loadAverage();
    Instant start = Instant.now();
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(new Tee(System.out, captured), true, StandardCharsets.UTF_8);
    out.printf("%n## %s%n%n", entry.commandLine());
    command.run(command.options(), out);
    out.flush();
    String body =
        BenchmarksFile.header(
                "`./e4j bench all` (this section: `" + entry.commandLine() + "`)", start, load)
            + "\n"
            + captured.toString(StandardCharsets.UTF_8).strip().replaceFirst("^## [^\n]*\n", "");
    BenchmarksFile.write(file, name, "### Generated: `" + entry.commandLine() + "`\n\n" + body);
    System.err.println("e4j bench all: wrote section '" + name + "' of " + file);
  }

  /** Writes to two streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int x) throws java.io.IOException {
      a.write(x);
      b.write(x);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      a.flush();
      b.flush();
    }
  }
}
