package io.estimator4j.samples.bench;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.estimator.input.InputContext;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.graph.Variables;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Steps per second of {@link Estimator#train} against a hand-written Session loop over the same
 * graph and the same data. Not a timed test: run it with {@code ./e4j bench train} and record the
 * results in BENCHMARKS.md.
 *
 * <p>Each run builds a fresh graph and session, runs {@code warmup} steps untimed, then times
 * {@code steps} steps; the sides alternate within each repeat so that a busy machine slows them
 * alike. The Estimator side is timed by a hook between the afterRun of step {@code warmup} and of
 * step {@code warmup + steps}: every hook's per-step work is inside the window, graph building,
 * session start and the checkpoints at start and end are outside it.
 */
public final class TrainBenchmark {
  public static final long DEFAULT_STEPS = 2000;
  public static final int DEFAULT_REPEATS = 3;
  public static final long DEFAULT_WARMUP = 200;

  /**
   * The goal of issue 13, point 2: the Estimator loop reaches this fraction of the raw loop's speed
   * on tiny, small and medium.
   */
  public static final double GOAL = 0.97;

  /** What one run measures. */
  public enum Side {
    RAW("raw Session loop (train op + loss)"),
    RAW_WITH_STEP("raw loop + global-step fetch"),
    ESTIMATOR("Estimator.train, hooks off"),
    ESTIMATOR_DEFAULTS("Estimator.train, default RunConfig");

    private final String label;

    Side(String label) {
      this.label = label;
    }

    public String label() {
      return label;
    }
  }

  /**
   * @param steps timed steps per run
   * @param repeats runs per side
   * @param warmup untimed steps before the timed ones, in the same session (at least 1: the
   *     Estimator side starts its clock at the end of the last warm-up step)
   * @param models the models to measure
   */
  public record Options(long steps, int repeats, long warmup, List<BenchModel> models) {
    public Options {
      if (steps <= 0 || repeats <= 0 || warmup <= 0) {
        throw new IllegalArgumentException(
            "steps, repeats and warmup must be > 0, got steps="
                + steps
                + ", repeats="
                + repeats
                + ", warmup="
                + warmup);
      }
      models = List.copyOf(models);
      if (models.isEmpty()) {
        throw new IllegalArgumentException("Name at least one model: tiny, small or medium.");
      }
    }

    public static Options defaults() {
      return new Options(
          DEFAULT_STEPS,
          DEFAULT_REPEATS,
          DEFAULT_WARMUP,
          List.of(BenchModel.SMALL, BenchModel.MEDIUM));
    }
  }

  /** Every run of every side of one model. */
  public record ModelResult(BenchModel model, Map<Side, List<Meter.Run>> runs) {
    /** Steps/sec of each run of a side, in run order. */
    public double[] stepsPerSec(Side side) {
      return runs.get(side).stream().mapToDouble(Meter.Run::stepsPerSec).toArray();
    }

    public double median(Side side) {
      return Stats.median(stepsPerSec(side));
    }

    /** The fastest run of a side: the least disturbed by other work on the machine. */
    public double best(Side side) {
      return Arrays.stream(stepsPerSec(side)).max().orElseThrow();
    }

    /** Median of a side over the median of the raw loop. */
    public double ratio(Side side) {
      return median(side) / median(Side.RAW);
    }

    /** Best run of a side over the best run of the raw loop. */
    public double bestRatio(Side side) {
      return best(side) / best(Side.RAW);
    }

    /** Median CPU time of the loop's thread per step, in microseconds. */
    public double cpuMicrosPerStep(Side side) {
      return Stats.median(
          runs.get(side).stream().mapToDouble(Meter.Run::cpuMicrosPerStep).toArray());
    }

    /** Median bytes allocated by the loop's thread per step. */
    public double bytesPerStep(Side side) {
      return Stats.median(runs.get(side).stream().mapToDouble(Meter.Run::bytesPerStep).toArray());
    }
  }

  private TrainBenchmark() {}

  /** Runs with the defaults, or {@code --steps N --repeats R}; prefer {@code ./e4j bench train}. */
  public static void main(String[] args) {
    long steps = DEFAULT_STEPS;
    int repeats = DEFAULT_REPEATS;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--steps" -> steps = Long.parseLong(args[i + 1]);
        case "--repeats" -> repeats = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("Unknown option " + args[i]);
      }
    }
    Options d = Options.defaults();
    run(new Options(steps, repeats, d.warmup(), d.models()), System.out);
  }

  /** Runs every model and prints a Markdown table per model to {@code out}. */
  public static List<ModelResult> run(Options options, PrintStream out) {
    out.println(Machine.describe());
    List<ModelResult> results = new ArrayList<>();
    for (BenchModel model : options.models()) {
      ModelResult r = measure(model, options);
      print(r, options, out);
      results.add(r);
    }
    return results;
  }

  static ModelResult measure(BenchModel model, Options options) {
    ArrayInput input = model.input();
    Map<Side, List<Meter.Run>> runs = new EnumMap<>(Side.class);
    for (Side side : Side.values()) {
      runs.put(side, new ArrayList<>());
    }
    for (int r = 0; r < options.repeats(); r++) {
      for (Side side : Side.values()) {
        runs.get(side)
            .add(
                switch (side) {
                  case RAW -> raw(model, input, options, false);
                  case RAW_WITH_STEP -> raw(model, input, options, true);
                  case ESTIMATOR -> estimator(model, input, options, isolated());
                  case ESTIMATOR_DEFAULTS -> estimator(model, input, options, RunConfig.builder());
                });
      }
    }
    return new ModelResult(model, runs);
  }

  /** Periodic checkpoints, summaries and step logging off: only the loop and its core hooks. */
  private static RunConfig.Builder isolated() {
    return RunConfig.builder().noPeriodicCheckpoints().saveSummarySteps(0).logStepCountSteps(0);
  }

  /** One Estimator.train call of warmup + steps steps in a fresh model_dir; timed by a hook. */
  static Meter.Run estimator(
      BenchModel model, ArrayInput input, Options options, RunConfig.Builder config) {
    Path dir = tempDir();
    try {
      Estimator est =
          Estimator.builder(model.modelFn()).config(config.modelDir(dir).build()).build();
      StepTimer timer = new StepTimer(options.warmup(), options.steps());
      est.train(input, StepLimit.steps(options.warmup() + options.steps()), timer);
      return timer.run();
    } finally {
      deleteRecursively(dir);
    }
  }

  /**
   * The hand-written loop: the graph ModelGraph builds for TRAIN (global_step, the input, the
   * model, global_step_after), a session initialised like SessionStarter does, then {@code
   * runner().addTarget(trainOp).fetch(loss).run()} per step.
   */
  static Meter.Run raw(BenchModel model, ArrayInput input, Options options, boolean fetchStep) {
    try (RawLoop loop = openRaw(model, input, fetchStep)) {
      loop.steps(options.warmup());
      Meter meter = Meter.start();
      loop.steps(options.steps());
      return meter.stop(options.steps());
    }
  }

  /** {@link #raw}'s graph and initialised session, ready to step. */
  @SuppressWarnings("unchecked")
  static RawLoop openRaw(BenchModel model, ArrayInput input, boolean fetchStep) {
    return RawLoop.open(
        graph -> {
          Ops tf = Ops.create(graph);
          Variable<TInt64> globalStep =
              Variables.global(
                  tf, EstimatorSpec.GLOBAL_STEP_KEY, init -> init.withName("zeros").constant(0L));
          InputContext inputContext = new InputContext(tf, ModeKeys.TRAIN, null);
          Input in = input.build(inputContext);
          Operand<?> x = in.features().get(BenchModel.FEATURE);
          Operand<?> labels = in.labels().get(Input.LABELS_KEY);
          if (x.type() != TFloat32.class || labels.type() != TInt32.class) {
            throw new IllegalStateException(
                "Expected float32 features and int32 labels from the input");
          }
          BenchModel.Network net =
              model.build(tf, (Operand<TFloat32>) x, (Operand<TInt32>) labels, globalStep);
          Operand<TInt64> stepAfterTrain =
              tf.withSubScope("global_step_after")
                  .withControlDependencies(List.of(net.trainOp()))
                  .identity(globalStep);
          return session -> {
            session.initialize();
            for (InputContext.Initializer init : inputContext.initializers()) {
              init.run(session);
            }
            return fetchStep
                ? () -> {
                  try (Result r =
                      session
                          .runner()
                          .addTarget(net.trainOp())
                          .fetch(net.loss())
                          .fetch(stepAfterTrain)
                          .run()) {
                    Objects.requireNonNull(r.get(1));
                  }
                }
                : () -> {
                  try (Result r =
                      session.runner().addTarget(net.trainOp()).fetch(net.loss()).run()) {
                    Objects.requireNonNull(r.get(0));
                  }
                };
          };
        },
        RunConfig.defaultSessionConfig());
  }

  /**
   * Estimator.train (hooks off) and the raw loop alternating every {@code block} steps on one
   * thread ({@link Alternation}), {@code options.repeats()} runs per model, one table row per
   * model; returns each model's median ratio.
   */
  public static List<Double> alternate(Options options, int block, PrintStream out) {
    List<Alternation.Model> models = new ArrayList<>();
    for (BenchModel model : options.models()) {
      ArrayInput input = model.input();
      models.add(
          new Alternation.Model(
              model.name() + " (" + model.describe() + ")",
              () -> openRaw(model, input, false),
              dir ->
                  Estimator.builder(model.modelFn())
                      .config(isolated().modelDir(dir).build())
                      .build(),
              input));
    }
    return Alternation.table(
        "Estimator",
        models,
        options.warmup(),
        options.steps(),
        block,
        options.repeats(),
        GOAL,
        out);
  }

  static void print(ModelResult r, Options options, PrintStream out) {
    out.printf(
        "%n### Train: %s (%s), %d timed steps after %d warm-up, %d repeats%n%n",
        r.model().name(),
        r.model().describe(),
        options.steps(),
        options.warmup(),
        options.repeats());
    out.println(
        "| Loop | steps/sec median | steps/sec best | each repeat | ratio to raw, median "
            + "| ratio to raw, best | loop-thread CPU µs/step | allocated B/step |");
    out.println("|---|---:|---:|---|---:|---:|---:|---:|");
    for (Side side : Side.values()) {
      out.printf(
          "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
          side.label(),
          Stats.fixed(r.median(side), 1),
          Stats.fixed(r.best(side), 1),
          Stats.list(r.stepsPerSec(side), 1),
          Stats.fixed(r.ratio(side), 3),
          Stats.fixed(r.bestRatio(side), 3),
          Stats.fixed(r.cpuMicrosPerStep(side), 1),
          Stats.fixed(r.bytesPerStep(side), 0));
    }
    double ratio = r.ratio(Side.ESTIMATOR);
    out.printf(
        "%nEstimator (hooks off) / raw, medians = %s: the %.2f goal is %s. %s%n",
        Stats.fixed(ratio, 3), GOAL, ratio >= GOAL ? "met" : "NOT met", Machine.loadAverage());
  }

  /**
   * Measures the steps between afterRun of step {@code warmup} and of step {@code warmup + steps};
   * hooks run on the loop's thread, so the thread's CPU time and allocations are the loop's.
   */
  static final class StepTimer implements SessionRunHook {
    private final long warmup;
    private final long steps;
    private long count;
    private Meter meter;
    private Meter.Run run;

    StepTimer(long warmup, long steps) {
      this.warmup = warmup;
      this.steps = steps;
    }

    @Override
    public void afterRun(SessionRunContext ctx, SessionRunValues values) {
      count++;
      if (count == warmup) {
        meter = Meter.start();
      } else if (count == warmup + steps) {
        run = meter.stop(steps);
      }
    }

    Meter.Run run() {
      if (run == null) {
        throw new IllegalStateException(
            "The train call stopped after " + count + " steps, before " + (warmup + steps));
      }
      return run;
    }
  }

  static Path tempDir() {
    try {
      return Files.createTempDirectory("e4j-bench-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary model_dir", e);
    }
  }

  static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete " + dir, e);
    }
  }
}
