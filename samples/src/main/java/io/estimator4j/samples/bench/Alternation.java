package io.estimator4j.samples.bench;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import io.estimator4j.estimator.input.InputFn;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Times an Estimator's training steps and a hand-written loop's steps alternately on the same
 * thread: after every {@code block} Estimator steps, this hook runs {@code block} steps of the raw
 * loop. Both sides then share every disturbance of the machine (other processes, frequency changes,
 * TensorFlow's own threads) within a fraction of a second, where separate runs, even interleaved,
 * see different moments of a noisy 2-core machine (their ratio scattered ±10 % between runs).
 *
 * <p>An Estimator step is timed from the end of this hook's previous {@code afterRun} to the start
 * of its next one: the whole cycle of the training loop (the other hooks, the step bookkeeping, the
 * session run and its fetches). A raw block is timed around its {@code block} step calls. The first
 * {@code warmup} steps of both sides are untimed.
 */
public final class Alternation implements SessionRunHook {
  private final Runnable rawStep;
  private final long warmup;
  private final long steps;
  private final int block;
  private long count;
  private long mark;
  private long blockEstimatorNanos;
  private long estimatorNanos;
  private long rawNanos;
  private final List<Double> blockRatios = new ArrayList<>();

  /**
   * @param rawStep one step of the hand-written loop
   * @param warmup untimed steps per side, a multiple of {@code block}
   * @param steps timed steps per side, a multiple of {@code block}
   * @param block steps per side between switches
   */
  Alternation(Runnable rawStep, long warmup, long steps, int block) {
    checkBlocks(warmup, steps, block);
    this.rawStep = rawStep;
    this.warmup = warmup;
    this.steps = steps;
    this.block = block;
  }

  /**
   * Refuses a block that does not divide the warm-up and timed steps.
   *
   * @throws IllegalArgumentException naming the values
   */
  public static void checkBlocks(long warmup, long steps, int block) {
    if (block <= 0 || warmup <= 0 || steps <= 0 || warmup % block != 0 || steps % block != 0) {
      throw new IllegalArgumentException(
          "warmup and steps must be positive multiples of the block, got warmup="
              + warmup
              + ", steps="
              + steps
              + ", block="
              + block);
    }
  }

  /** The Estimator steps to train: warm-up and timed. */
  long totalSteps() {
    return warmup + steps;
  }

  @Override
  public void afterRun(SessionRunContext ctx, SessionRunValues values) {
    long now = System.nanoTime();
    count++;
    boolean timed = count > warmup && count <= warmup + steps;
    if (timed) {
      blockEstimatorNanos += now - mark;
    }
    if (count % block == 0 && count <= warmup + steps) {
      long t0 = System.nanoTime();
      for (int i = 0; i < block; i++) {
        rawStep.run();
      }
      long t1 = System.nanoTime();
      if (timed) {
        estimatorNanos += blockEstimatorNanos;
        rawNanos += t1 - t0;
        // Estimator speed over raw speed = raw time over Estimator time, for the same step count
        blockRatios.add((double) (t1 - t0) / blockEstimatorNanos);
        blockEstimatorNanos = 0;
      }
    }
    mark = System.nanoTime();
  }

  /** The measurement, once the Estimator has trained {@link #totalSteps()} steps. */
  Result result() {
    if (count < warmup + steps) {
      throw new IllegalStateException(
          "The train call stopped after " + count + " steps, before " + (warmup + steps));
    }
    return new Result(
        steps / (estimatorNanos / 1e9),
        steps / (rawNanos / 1e9),
        blockRatios.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /**
   * One alternating run.
   *
   * @param estimatorStepsPerSec the Estimator's timed steps over their summed time
   * @param rawStepsPerSec the raw loop's, likewise
   * @param blockRatios each block's Estimator / raw speed, in order
   */
  record Result(double estimatorStepsPerSec, double rawStepsPerSec, double[] blockRatios) {
    /** Estimator speed over raw speed, over the whole timed stretch. */
    double ratio() {
      return estimatorStepsPerSec / rawStepsPerSec;
    }
  }

  /**
   * One model of an alternating table: how to open its hand-written loop, how to build its
   * Estimator in a model_dir, and the input the Estimator trains on.
   */
  record Model(
      String label, Supplier<RawLoop> raw, Function<Path, Estimator> estimator, InputFn input) {}

  /**
   * Runs every model {@code repeats} times (a fresh raw loop and Estimator each run, in a temporary
   * model_dir) and prints one table, {@code what} naming the Estimator side; returns each model's
   * median ratio.
   */
  static List<Double> table(
      String what,
      List<Model> models,
      long warmup,
      long steps,
      int block,
      int repeats,
      double goal,
      PrintStream out) {
    out.println(Machine.describe());
    printHeader(what, warmup, steps, block, out);
    List<Double> medians = new ArrayList<>();
    for (Model m : models) {
      List<Result> runs = new ArrayList<>();
      for (int r = 0; r < repeats; r++) {
        runs.add(run(m, warmup, steps, block));
      }
      medians.add(printRow(m.label(), runs, goal, out));
    }
    out.println();
    out.println(Machine.loadAverage() + " (at the end)");
    return medians;
  }

  private static Result run(Model m, long warmup, long steps, int block) {
    Path dir = TrainBenchmark.tempDir();
    try (RawLoop loop = m.raw().get()) {
      Alternation timer = new Alternation(loop::step, warmup, steps, block);
      m.estimator().apply(dir).train(m.input(), StepLimit.steps(timer.totalSteps()), timer);
      return timer.result();
    } finally {
      TrainBenchmark.deleteRecursively(dir);
    }
  }

  /** Prints the header of {@link #printRow}'s table. */
  private static void printHeader(
      String what, long warmup, long steps, int block, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%nAlternating on one thread: %d %s steps, then %d raw steps, and so on; %d timed steps"
            + " per side after %d warm-up steps per run. Ratio = summed raw time / summed %s time"
            + " (speed ratio); p10 / p50 / p90 of the per-block ratios.%n%n",
        block,
        what,
        block,
        steps,
        warmup,
        what);
    out.printf(
        "| Model | raw steps/s (each run) | %s steps/s (each run) | %s / raw, each run"
            + " | median | blocks p10 / p50 / p90 |%n",
        what, what);
    out.println("|---|---|---|---|---:|---|");
  }

  /** One row: every run of one model, their median ratio and the spread of their blocks. */
  private static double printRow(String model, List<Result> runs, double goal, PrintStream out) {
    double[] ratios = runs.stream().mapToDouble(Result::ratio).toArray();
    double[] blocks =
        runs.stream().flatMapToDouble(r -> java.util.Arrays.stream(r.blockRatios())).toArray();
    double median = Stats.median(ratios);
    out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %s | **%s** (goal %.2f: %s) | %s / %s / %s |%n",
        model,
        Stats.list(runs.stream().mapToDouble(Result::rawStepsPerSec).toArray(), 1),
        Stats.list(runs.stream().mapToDouble(Result::estimatorStepsPerSec).toArray(), 1),
        Stats.list(ratios, 3),
        Stats.fixed(median, 3),
        goal,
        median >= goal ? "met" : "NOT met",
        Stats.fixed(Stats.percentile(blocks, 10), 3),
        Stats.fixed(Stats.percentile(blocks, 50), 3),
        Stats.fixed(Stats.percentile(blocks, 90), 3));
    return median;
  }
}
