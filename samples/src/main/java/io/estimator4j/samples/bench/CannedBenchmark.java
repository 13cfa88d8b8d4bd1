package io.estimator4j.samples.bench;

import io.estimator4j.checkpoint.TensorFlowFlavour;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.canned.CombinedBuilder;
import io.estimator4j.estimator.canned.DnnBuilder;
import io.estimator4j.estimator.canned.LinearBuilder;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.hook.HookContext;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.estimator.input.InputContext;
import io.estimator4j.estimator.input.InputFn;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.layers.Dense;
import io.estimator4j.estimator.layers.DenseLayer;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.optimizer.Optimizer;
import io.estimator4j.estimator.optimizer.Optimizers;
import io.estimator4j.featurecolumn.DefaultStateManager;
import io.estimator4j.featurecolumn.InputLayer;
import io.estimator4j.featurecolumn.LinearModel;
import io.estimator4j.featurecolumn.TransformContext;
import io.estimator4j.graph.Variables;
import io.estimator4j.samples.Census;
import io.estimator4j.samples.CensusData;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.op.FrameworkOps;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Examples per second of the canned census estimators (LinearClassifier, DNNClassifier,
 * DNNLinearCombinedClassifier) against a hand-written tensorflow-java loop over the same
 * feature-column graph, fed by the same input pipeline ({@link CensusData#input}): the raw side
 * builds the input, {@link InputLayer} / {@link LinearModel}, the same {@link Dense} layers, a mean
 * sigmoid cross-entropy and the same optimizers at the same learning rates (TF1 flavour), then runs
 * {@code session.runner().addTarget(train).fetch(loss).run()} per step. Run it with {@code ./e4j
 * bench canned}; the sides alternate within each repeat so that load hits them alike.
 */
public final class CannedBenchmark {
  /** The goal: the canned estimator at this fraction of the raw loop's speed. */
  public static final double GOAL = 0.9;

  private CannedBenchmark() {}

  /**
   * One configuration to measure.
   *
   * @param model wide (LinearClassifier), deep (DNNClassifier) or wide_deep (combined)
   * @param hidden the DNN's hidden units
   * @param batch examples per step
   * @param bucketScale the census hash-bucket sizes times this (1: the sample's 1000)
   */
  public record Case(Census.Model model, int[] hidden, int batch, int bucketScale) {
    public Case {
      hidden = hidden.clone();
      if (batch <= 0 || bucketScale <= 0 || hidden.length == 0) {
        throw new IllegalArgumentException(
            "batch and bucketScale must be > 0 and hidden units given, got batch="
                + batch
                + ", bucketScale="
                + bucketScale);
      }
    }

    /** The census sample's model: hidden 100, 75, 50, 25, batch 40, hash buckets 1000. */
    public static Case census(Census.Model model) {
      return new Case(model, Census.hiddenUnits(), Census.BATCH_SIZE, 1);
    }

    @Override
    public int[] hidden() {
      return hidden.clone();
    }

    public String describe() {
      String name =
          switch (model) {
            case WIDE -> "LinearClassifier";
            case DEEP -> "DNNClassifier";
            case WIDE_DEEP -> "DNNLinearCombinedClassifier";
          };
      String h =
          model == Census.Model.WIDE
              ? ""
              : ", hidden "
                  + Arrays.stream(hidden)
                      .mapToObj(Integer::toString)
                      .collect(Collectors.joining("-"));
      return name + h + ", batch " + batch + ", hash buckets " + 1000 * bucketScale;
    }
  }

  /**
   * @param steps timed steps per run
   * @param repeats runs per side
   * @param warmup untimed steps before them (fills the shuffle buffer, warms the JIT)
   */
  public record Options(long steps, int repeats, long warmup) {
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
    }
  }

  /** Every run of both sides of one case. */
  public record CaseResult(Case c, List<Meter.Run> raw, List<Meter.Run> canned) {
    public double rawMedian() {
      return Stats.median(raw.stream().mapToDouble(Meter.Run::stepsPerSec).toArray());
    }

    public double cannedMedian() {
      return Stats.median(canned.stream().mapToDouble(Meter.Run::stepsPerSec).toArray());
    }

    public double ratio() {
      return cannedMedian() / rawMedian();
    }
  }

  /** Runs the census sample's three models and prints one Markdown table. */
  public static List<CaseResult> run(Options options, List<Census.Model> models, PrintStream out) {
    out.println(Machine.describe());
    List<Case> cases = models.stream().map(Case::census).toList();
    List<CaseResult> results = new ArrayList<>();
    printHeader(options, out);
    for (Case c : cases) {
      CaseResult r = measure(c, options);
      printRow(r, out);
      results.add(r);
    }
    out.println();
    out.println(Machine.loadAverage() + " (at the end)");
    return results;
  }

  static void printHeader(Options options, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "%n%d timed steps after %d warm-up steps, %d repeats, sides interleaved; medians.%n%n",
        options.steps(),
        options.warmup(),
        options.repeats());
    out.println(
        "| Model | raw steps/s | canned steps/s | raw examples/s | canned examples/s"
            + " | canned / raw | raw loop-thread µs/step | canned loop-thread µs/step |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
  }

  static void printRow(CaseResult r, PrintStream out) {
    int b = r.c().batch();
    out.printf(
        Locale.ROOT,
        "| %s | %s | %s | %s | %s | **%s** | %s | %s |%n",
        r.c().describe(),
        Stats.fixed(r.rawMedian(), 1),
        Stats.fixed(r.cannedMedian(), 1),
        Stats.fixed(r.rawMedian() * b, 0),
        Stats.fixed(r.cannedMedian() * b, 0),
        Stats.fixed(r.ratio(), 3),
        Stats.fixed(cpu(r.raw()), 1),
        Stats.fixed(cpu(r.canned()), 1));
  }

  private static double cpu(List<Meter.Run> runs) {
    return Stats.median(runs.stream().mapToDouble(Meter.Run::cpuMicrosPerStep).toArray());
  }

  /** Both sides of one case, interleaved, {@code repeats} times. */
  public static CaseResult measure(Case c, Options options) {
    List<Meter.Run> raw = new ArrayList<>();
    List<Meter.Run> canned = new ArrayList<>();
    for (int r = 0; r < options.repeats(); r++) {
      raw.add(raw(c, options));
      canned.add(canned(c, options));
    }
    return new CaseResult(c, raw, canned);
  }

  /** The census training input: shuffled, repeated without end, seed 42. */
  static InputFn input(Case c) {
    return CensusData.input(CensusData.trainFile(), true, null, c.batch(), 42);
  }

  /** The canned estimator, TF1 flavour, periodic checkpoints, summaries and logging off. */
  static Meter.Run canned(Case c, Options options) {
    return canned(c, options.warmup(), options.steps());
  }

  /** {@link #canned(Case, Options)} with explicit step counts. */
  static Meter.Run canned(Case c, long warmup, long steps) {
    Path dir = tempDir();
    try {
      Estimator est =
          Census.estimator(c.model(), quiet(dir), Census.columns(c.bucketScale()), c.hidden());
      TrainBenchmark.StepTimer timer = new TrainBenchmark.StepTimer(warmup, steps);
      est.train(input(c), StepLimit.steps(warmup + steps), timer);
      return timer.run();
    } finally {
      TrainBenchmark.deleteRecursively(dir);
    }
  }

  private static RunConfig quiet(Path dir) {
    return RunConfig.builder()
        .modelDir(dir)
        .randomSeed(42)
        .tensorFlowFlavour(TensorFlowFlavour.TF1)
        .noPeriodicCheckpoints()
        .saveSummarySteps(0)
        .logStepCountSteps(0)
        .build();
  }

  /** The raw side's graph: input, the same feature-column network, loss and train op. */
  record RawGraph(
      Op train,
      Operand<TFloat32> loss,
      List<InputContext.Initializer> inputInits,
      List<Op> tableInits) {}

  /** Builds the hand-written graph of {@code c} into {@code graph}. */
  @SuppressWarnings("unchecked")
  static RawGraph buildRaw(Graph graph, Case c) {
    Ops tf = Ops.create(graph);
    Variable<TInt64> globalStep =
        Variables.global(tf, EstimatorSpec.GLOBAL_STEP_KEY, init -> init.constant(0L));
    InputContext inputContext = new InputContext(tf, ModeKeys.TRAIN, 42L);
    Input in = input(c).build(inputContext);
    Operand<TInt32> labels = (Operand<TInt32>) in.labels().get(Input.LABELS_KEY);
    Census.Columns columns = Census.columns(c.bucketScale());
    DefaultStateManager state = new DefaultStateManager();
    TransformContext tc = new TransformContext(tf, in.features(), state);
    List<Variable<? extends TNumber>> dnnVars = new ArrayList<>();
    List<Variable<? extends TNumber>> linearVars = new ArrayList<>();
    Operand<TFloat32> logits = null;
    if (c.model() != Census.Model.WIDE) {
      Operand<TFloat32> net =
          InputLayer.build(tf.withSubScope("input"), tc, columns.deep()).output();
      dnnVars.addAll(state.trainableVariables());
      int layer = 0;
      for (int units : c.hidden()) {
        DenseLayer d =
            Dense.builder(units)
                .activation(Activation.RELU)
                .seed(42L + layer)
                .build()
                .apply(tf.withSubScope("hidden" + layer++), net);
        dnnVars.addAll(d.trainableVariables());
        net = d.output();
      }
      DenseLayer out = Dense.builder(1).seed(41L).build().apply(tf.withSubScope("logits"), net);
      dnnVars.addAll(out.trainableVariables());
      logits = out.output();
    }
    if (c.model() != Census.Model.DEEP) {
      int before = state.trainableVariables().size();
      Operand<TFloat32> linear =
          LinearModel.build(tf.withSubScope("linear"), tc, columns.wide(), 1, "sum").logits();
      linearVars.addAll(
          state.trainableVariables().subList(before, state.trainableVariables().size()));
      logits = logits == null ? linear : tf.math.add(logits, linear);
    }
    Operand<TFloat32> y =
        tf.dtypes.cast(tf.reshape(labels, tf.constant(new long[] {-1, 1})), TFloat32.class);
    // what a hand-written loop calls: tensorflow-framework's sigmoid cross-entropy, built like
    // TensorFlow's (selects, so that its gradient at logits 0 is exact: LinearClassifier starts
    // there). Until 7 December 2026 this side used max(x, 0) - x·y + log1p(exp(-|x|)): fewer
    // nodes, but a gradient of 1 - y instead of 0.5 - y at 0 (BENCHMARKS.md, issue 13).
    Operand<TFloat32> perExample =
        FrameworkOps.create(tf).nn.sigmoidCrossEntropyWithLogits(y, logits);
    Operand<TFloat32> loss = tf.math.mean(perExample, tf.constant(new int[] {0, 1}));
    Op train;
    switch (c.model()) {
      case WIDE -> {
        Optimizer ftrl = Optimizers.byName("Ftrl", LinearBuilder.DEFAULT_LEARNING_RATE);
        train = ftrl.applyGradients(tf, ftrl.computeGradients(tf, loss, linearVars), globalStep);
      }
      case DEEP -> {
        Optimizer adagrad = Optimizers.byName("Adagrad", DnnBuilder.DEFAULT_LEARNING_RATE);
        train = adagrad.applyGradients(tf, adagrad.computeGradients(tf, loss, dnnVars), globalStep);
      }
      default -> {
        Optimizer adagrad = Optimizers.byName("Adagrad", CombinedBuilder.DNN_LEARNING_RATE);
        Optimizer ftrl =
            Optimizers.byName(
                "Ftrl",
                Math.min(
                    CombinedBuilder.LINEAR_LEARNING_RATE, 1.0 / Math.sqrt(columns.wide().size())));
        Op dnnTrain =
            adagrad.applyGradientsAtStep(
                tf, adagrad.computeGradients(tf, loss, dnnVars), globalStep);
        Op linearTrain =
            ftrl.applyGradientsAtStep(tf, ftrl.computeGradients(tf, loss, linearVars), globalStep);
        // both updates, then one increment of the step
        train =
            tf.withControlDependencies(List.of(dnnTrain, linearTrain))
                .assignAdd(globalStep, tf.constant(1L));
      }
    }
    return new RawGraph(train, loss, inputContext.initializers(), state.tableInitializers());
  }

  /** Traced steps per side in {@link #trace}. */
  static final int TRACE_STEPS = 50;

  /**
   * Op-level timings (StepStats) of {@link #TRACE_STEPS} steps of both sides of {@code c} after
   * {@code warmup} steps, printed per op type; the steps are extra, untimed runs.
   */
  public static void trace(Case c, long warmup, PrintStream out) {
    OpTrace raw;
    try (Graph graph = new Graph()) {
      RawGraph g = buildRaw(graph, c);
      try (Session session = new Session(graph, false, RunConfig.defaultSessionConfig())) {
        initialize(session, g);
        for (long i = 0; i < warmup; i++) {
          step(session, g);
        }
        raw = OpTrace.trace(graph, session, TRACE_STEPS);
      }
    }
    OpTrace[] canned = new OpTrace[1];
    Path dir = tempDir();
    try {
      Estimator est =
          Census.estimator(c.model(), quiet(dir), Census.columns(c.bucketScale()), c.hidden());
      SessionRunHook tracer =
          new SessionRunHook() {
            private Graph graph;
            private long count;

            @Override
            public void begin(HookContext context) {
              graph = context.graph();
            }

            @Override
            public void afterRun(SessionRunContext ctx, SessionRunValues values) {
              if (++count == warmup) {
                canned[0] = OpTrace.trace(graph, ctx.session(), TRACE_STEPS);
                ctx.requestStop("traced");
              }
            }
          };
      est.train(input(c), StepLimit.steps(warmup + 1), tracer);
    } finally {
      TrainBenchmark.deleteRecursively(dir);
    }
    out.println("Op-level StepStats, " + c.describe() + ", " + TRACE_STEPS + " traced steps:");
    out.println("```");
    out.print(raw.describe("raw", 25));
    out.print(canned[0].describe("canned", 25));
    out.print(canned[0].diff(raw));
    out.println("```");
  }

  private static void initialize(Session session, RawGraph g) {
    session.initialize();
    for (InputContext.Initializer init : g.inputInits()) {
      init.run(session);
    }
    for (Op op : g.tableInits()) {
      session.runner().addTarget(op).run();
    }
  }

  /** The hand-written loop: a plain session, the initialisers, then train op + loss per step. */
  static Meter.Run raw(Case c, Options options) {
    return raw(c, options.warmup(), options.steps(), 0);
  }

  /**
   * The raw loop with explicit step counts; with {@code seconds > 0}, {@code steps} is only the
   * most: the steps run are those that fit in {@code seconds} at the warm-up's speed (at least 10).
   */
  static Meter.Run raw(Case c, long warmup, long steps, double seconds) {
    try (RawLoop loop = openRaw(c)) {
      long t0 = System.nanoTime();
      loop.steps(warmup);
      long n = steps;
      if (seconds > 0) {
        double perStep = (System.nanoTime() - t0) / 1e9 / warmup;
        n = Math.max(10, Math.min(steps, (long) (seconds / perStep)));
      }
      Meter meter = Meter.start();
      loop.steps(n);
      return meter.stop(n);
    }
  }

  /** {@link #raw}'s graph and initialised session, ready to step. */
  static RawLoop openRaw(Case c) {
    return RawLoop.open(
        graph -> {
          RawGraph g = buildRaw(graph, c);
          return session -> {
            initialize(session, g);
            return () -> step(session, g);
          };
        },
        RunConfig.defaultSessionConfig());
  }

  /**
   * The canned estimator and the raw loop alternating every {@code block} steps on one thread
   * ({@link Alternation}), {@code options.repeats()} runs per model; returns each model's median
   * ratio.
   */
  public static List<Double> alternate(
      Options options, int block, List<Census.Model> models, PrintStream out) {
    List<Alternation.Model> cases = new ArrayList<>();
    for (Census.Model model : models) {
      Case c = Case.census(model);
      cases.add(
          new Alternation.Model(
              c.describe(),
              () -> openRaw(c),
              dir ->
                  Census.estimator(
                      c.model(), quiet(dir), Census.columns(c.bucketScale()), c.hidden()),
              input(c)));
    }
    return Alternation.table(
        "canned", cases, options.warmup(), options.steps(), block, options.repeats(), GOAL, out);
  }

  private static void step(Session session, RawGraph g) {
    try (Result r = session.runner().addTarget(g.train()).fetch(g.loss()).run()) {
      Objects.requireNonNull(r.get(0));
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("e4j-bench-canned-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a temporary model_dir", e);
    }
  }
}
