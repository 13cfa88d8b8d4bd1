package io.estimator4j.estimator.distributed;

import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.Evaluator;
import io.estimator4j.estimator.Exporter;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.impl.ClusterProbe;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.summary.EventFileReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.ConfigProto;

/**
 * The distributed roles of {@link TrainAndEvaluate}, one method per TF_CONFIG task type; the
 * counterpart of tf.estimator's {@code _TrainingExecutor} (run_chief, run_worker, run_ps,
 * run_evaluator) with asynchronous between-graph replication over parameter servers.
 *
 * <ul>
 *   <li>chief: starts its server, trains (variables on the ps, see {@link ReplicaDeviceSetter}),
 *       initialises or restores them, and owns checkpoints, summaries and saving listeners;
 *   <li>worker i: starts its server, sleeps min(maxWorkerDelaySecs, (i + 1) * 5) s, waits until the
 *       chief has initialised the variables, then trains the same variables;
 *   <li>ps: starts its server; the returned {@link TaskServer} is what the process waits on;
 *   <li>evaluator (index 0, outside the cluster): evaluates each new checkpoint of model_dir, runs
 *       the exporters, and stops once a checkpoint's global step reaches max_steps; restarted, it
 *       goes on after the last step evaluated in its eval directory.
 * </ul>
 *
 * <p>The legacy master role is run by {@link TrainAndEvaluate}: a chief that also evaluates.
 */
public final class DistributedTraining {
  private static final Logger LOG = LoggerFactory.getLogger(DistributedTraining.class);
  private static final Set<String> TASK_TYPES =
      Set.of(
          ClusterConfig.CHIEF,
          ClusterConfig.WORKER,
          ClusterConfig.PS,
          ClusterConfig.EVALUATOR,
          ClusterConfig.MASTER);

  /** Seconds a worker's start is delayed per index (TensorFlow's _DELAY_SECS_PER_WORKER). */
  public static final int DELAY_SECS_PER_WORKER = 5;

  /** The evaluator looks for a new checkpoint at least this often, even with throttle 0. */
  static final long MIN_EVAL_POLL_MILLIS = 200;

  private DistributedTraining() {}

  /** True when the task runs in a cluster (or is the evaluator of one), i.e. not locally. */
  public static boolean isDistributed(ClusterConfig cluster) {
    return !cluster.clusterSpec().isEmpty() || cluster.taskType().equals(ClusterConfig.EVALUATOR);
  }

  /**
   * Checks that the task can run: a known type, a chief (or master) in the cluster, this task in
   * it, parameter servers when several tasks train, evaluator index 0.
   *
   * @throws IllegalArgumentException naming TF_CONFIG and the fix
   */
  public static void validate(ClusterConfig c) {
    String type = c.taskType();
    if (!TASK_TYPES.contains(type)) {
      throw new IllegalArgumentException(
          "Unknown task type '"
              + type
              + "' in TF_CONFIG "
              + "task.type; expected one of chief, worker, ps, evaluator, master. Fix: set "
              + "task.type to one of them (and name the job the same way in \"cluster\").");
    }
    if (type.equals(ClusterConfig.EVALUATOR)) {
      if (c.taskId() != 0) {
        throw new IllegalArgumentException(
            "TF_CONFIG task is evaluator/"
                + c.taskId()
                + ", but only one evaluator (index 0) is supported. Fix: set task.index to 0 and run"
                + " a single evaluator process.");
      }
      return;
    }
    Map<String, List<String>> spec = c.clusterSpec();
    if (spec.isEmpty()) {
      return;
    }
    if (!spec.containsKey(ClusterConfig.CHIEF) && !spec.containsKey(ClusterConfig.MASTER)) {
      throw new IllegalArgumentException(
          "TF_CONFIG cluster has no 'chief' job (found jobs "
              + spec.keySet()
              + "); one task must initialise the variables and write checkpoints. "
              + "Fix: add \"chief\": [\"host:port\"] to \"cluster\" (or rename worker 0 to chief).");
    }
    List<String> tasks = spec.get(type);
    if (tasks == null || c.taskId() < 0 || c.taskId() >= tasks.size()) {
      throw new IllegalArgumentException(
          "TF_CONFIG task "
              + type
              + "/"
              + c.taskId()
              + " is not in the cluster "
              + spec
              + ". Fix: set task.index below the size of the '"
              + type
              + "' job, or add the task's address to it.");
    }
    if (!type.equals(ClusterConfig.PS) && c.numWorkerReplicas() > 1 && c.numPsReplicas() == 0) {
      throw new IllegalArgumentException(
          "TF_CONFIG cluster has "
              + c.numWorkerReplicas()
              + " training tasks but no 'ps' job, so task "
              + type
              + "/"
              + c.taskId()
              + " would not share variables with the others. Fix: add \"ps\": [\"host:port\"] to "
              + "\"cluster\" and start a ps process.");
    }
  }

  /**
   * TensorFlow's device filters for a task: chief [/job:ps, /job:chief], master [/job:ps,
   * /job:master], worker i [/job:ps, /job:worker/task:i], ps [/job:ps, /job:worker, /job:chief,
   * /job:master]; none for the evaluator or a single process.
   */
  public static List<String> deviceFilters(ClusterConfig c) {
    return c.deviceFilters();
  }

  /** The run config's session config with the task's device filters, unless it sets its own. */
  public static ConfigProto sessionConfig(RunConfig config) {
    return config.effectiveSessionConfig();
  }

  /** Start delay of a worker in seconds: min(maxWorkerDelaySecs, (index + 1) * 5); 0 otherwise. */
  public static int workerDelaySecs(RunConfig config) {
    ClusterConfig c = config.cluster();
    if (!c.taskType().equals(ClusterConfig.WORKER)) {
      return 0;
    }
    return Math.min(config.maxWorkerDelaySecs(), (c.taskId() + 1) * DELAY_SECS_PER_WORKER);
  }

  /** Starts the in-process server of this task (every role but the evaluator has one). */
  public static TaskServer startServer(RunConfig config) {
    validate(config.cluster());
    return TaskServer.start(config.cluster(), sessionConfig(config));
  }

  /**
   * Starts the server of a ps task and returns it; a ps process then waits on {@link
   * TaskServer#join} (Python's {@code server.join()}).
   */
  public static TaskServer startParameterServer(RunConfig config) {
    requireRole(config, ClusterConfig.PS);
    return startServer(config);
  }

  /**
   * Runs this process's role: chief and worker train, ps serves (and blocks in join, as TF),
   * evaluator evaluates. The legacy master is run by {@link TrainAndEvaluate#run}.
   */
  public static TrainAndEvaluate.Result run(Estimator estimator, TrainSpec train, EvalSpec eval) {
    RunConfig config = estimator.config();
    validate(config.cluster());
    return switch (config.cluster().taskType()) {
      case ClusterConfig.CHIEF, ClusterConfig.WORKER -> runTrainer(estimator, train);
      case ClusterConfig.EVALUATOR -> runEvaluator(estimator, train, eval);
      case ClusterConfig.PS -> {
        TaskServer server = startParameterServer(config);
        try {
          server.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          LOG.info("Interrupted while serving as {}", server);
        }
        yield new TrainAndEvaluate.Result(Map.of(), Map.of());
      }
      default ->
          throw new IllegalArgumentException(
              "Task type "
                  + config.cluster().taskType()
                  + " is run by TrainAndEvaluate.run, not DistributedTraining.run.");
    };
  }

  /**
   * Chief or worker: starts the server, delays a worker's start, trains to max_steps. The chief
   * writes checkpoints and summaries and calls the saving listeners; workers only train.
   */
  public static TrainAndEvaluate.Result runTrainer(Estimator estimator, TrainSpec train) {
    RunConfig config = estimator.config();
    String type = config.cluster().taskType();
    if (!type.equals(ClusterConfig.CHIEF) && !type.equals(ClusterConfig.WORKER)) {
      throw new IllegalArgumentException(
          "runTrainer needs a chief or worker task, got "
              + type
              + " from TF_CONFIG. Fix: run this role with TrainAndEvaluate.run.");
    }
    requireMaxSteps(train);
    startServer(config);
    awaitParameterServers(config);
    int delay = workerDelaySecs(config);
    if (delay > 0) {
      LOG.info("Waiting {} secs before starting training.", delay);
      sleepMillis(delay * 1000L);
    }
    estimator.train(
        train.inputFn(),
        StepLimit.maxSteps(train.maxSteps()),
        train.hooks(),
        config.isChief() ? train.savingListeners() : List.of());
    return new TrainAndEvaluate.Result(Map.of(), Map.of());
  }

  /**
   * Evaluator: after start_delay_secs, evaluates the newest checkpoint it has not evaluated, runs
   * the exporters and sleeps the rest of throttle_secs; returns once a checkpoint's global step
   * reaches max_steps (with the last metrics and all exports).
   *
   * <p>A restarted evaluator does not evaluate a checkpoint twice: on start it reads the global
   * step of the last evaluation written to its evaluation directory ({@code eval} or {@code
   * eval_<name>}) and skips checkpoints at or below that step. When that step already reached
   * max_steps, the final evaluation was done before the restart: it returns the metrics read from
   * the event files at once, without evaluating or exporting again.
   */
  public static TrainAndEvaluate.Result runEvaluator(
      Estimator estimator, TrainSpec train, EvalSpec eval) {
    requireRole(estimator.config(), ClusterConfig.EVALUATOR);
    requireMaxSteps(train);
    long maxSteps = train.maxSteps();
    Map<String, List<Path>> exports = new LinkedHashMap<>();
    eval.exporters().forEach(e -> exports.put(e.name(), new ArrayList<>()));
    Path evalDir = estimator.evalDir(eval.name());
    Optional<Map.Entry<Long, Map<String, Double>>> previous = lastEvaluation(evalDir);
    long evaluatedStep = previous.map(Map.Entry::getKey).orElse(-1L);
    if (previous.isPresent()) {
      Map<String, Double> recorded = new LinkedHashMap<>(previous.get().getValue());
      recorded.put(EstimatorSpec.GLOBAL_STEP_KEY, (double) evaluatedStep);
      if (evaluatedStep >= maxSteps) {
        LOG.info(
            "The evaluation at global_step={} >= train max_steps={} is already in {}; not"
                + " evaluating again.",
            evaluatedStep,
            maxSteps,
            evalDir);
        return new TrainAndEvaluate.Result(recorded, exports);
      }
      LOG.info(
          "Checkpoints up to global_step={} were evaluated before (events in {}); continuing"
              + " with newer ones.",
          evaluatedStep,
          evalDir);
    }
    Map<String, Double> metrics = Map.of();
    sleepMillis(eval.startDelaySecs() * 1000L);
    try (Evaluator evaluator = estimator.evaluator(eval.inputFn(), eval.name())) {
      String lastEvaluated = null;
      while (true) {
        long started = System.nanoTime();
        Optional<String> latest = estimator.latestCheckpoint();
        // a checkpoint is named after the step the chief read before saving; in asynchronous
        // training the step it holds (the one evaluated) may be a few higher, so a newer
        // checkpoint is only skipped when fewer steps than that lie between two saves
        if (latest.isEmpty()
            || latest.get().equals(lastEvaluated)
            || (evaluatedStep >= 0 && CheckpointState.stepOf(latest.get()) <= evaluatedStep)) {
          LOG.info("No new checkpoint ready for evaluation; skipping this evaluation pass.");
        } else if (!Files.exists(Path.of(latest.get() + ".index"))) {
          LOG.warn(
              "Checkpoint {} was deleted before evaluation; waiting for the next one.",
              latest.get());
        } else {
          String ckpt = latest.get();
          metrics = evaluator.evaluate(eval.steps(), ckpt, eval.hooks());
          lastEvaluated = ckpt;
          long step = Math.round(metrics.get(EstimatorSpec.GLOBAL_STEP_KEY));
          boolean isFinal = step >= maxSteps;
          for (Exporter e : eval.exporters()) {
            Path base = estimator.modelDir().resolve("export").resolve(e.name());
            e.export(estimator, base, ckpt, metrics, isFinal)
                .ifPresent(
                    p -> {
                      exports.get(e.name()).add(p);
                      LOG.info("Exporter {} wrote {}", e.name(), p);
                    });
          }
          if (isFinal) {
            LOG.info("Exiting evaluation, global_step={} >= train max_steps={}", step, maxSteps);
            return new TrainAndEvaluate.Result(metrics, exports);
          }
        }
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        sleepMillis(Math.max(MIN_EVAL_POLL_MILLIS, eval.throttleSecs() * 1000L - elapsedMillis));
      }
    }
  }

  /**
   * The last evaluation recorded in an evaluation directory: the highest global step at which an
   * evaluator wrote its loss, with the scalars written there; empty when there is none.
   */
  static Optional<Map.Entry<Long, Map<String, Double>>> lastEvaluation(Path evalDir) {
    if (!Files.isDirectory(evalDir)) {
      return Optional.empty();
    }
    try {
      return EventFileReader.scalarsByStep(evalDir).entrySet().stream()
          .filter(e -> e.getValue().containsKey(EstimatorSpec.LOSS_KEY))
          .reduce((a, b) -> b); // sorted by step: the last one
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot read the evaluation events in "
              + evalDir
              + " that tell which checkpoints were evaluated. Fix: remove the damaged"
              + " events.out.tfevents.* file named above, or the whole directory to evaluate every"
              + " checkpoint again.",
          e);
    }
  }

  /**
   * Waits until every ps task of the cluster accepts connections, at most
   * RunConfig.sessionCreationTimeoutSecs: TensorFlow's CreateSession would otherwise wait forever
   * for a ps that never comes up.
   *
   * @throws IllegalStateException naming the address that was not reached and the TF_CONFIG
   */
  public static void awaitParameterServers(RunConfig config) {
    ClusterProbe.awaitParameterServers(config);
  }

  private static void requireRole(RunConfig config, String role) {
    ClusterConfig c = config.cluster();
    if (!c.taskType().equals(role)) {
      throw new IllegalArgumentException(
          "This method runs the "
              + role
              + " role, but TF_CONFIG "
              + "says this task is "
              + c.taskType()
              + "/"
              + c.taskId()
              + ". Fix: call "
              + "TrainAndEvaluate.run, which picks the method by task type.");
    }
    validate(c);
  }

  private static void requireMaxSteps(TrainSpec train) {
    if (train.maxSteps() == null) {
      throw new IllegalArgumentException(
          "Distributed training stops at TrainSpec maxSteps, but it"
              + " is null: the end of one worker's input does not stop the others, and the evaluator"
              + " would never finish. Fix: set TrainSpec.of(inputFn, maxSteps).");
    }
  }

  private static void sleepMillis(long millis) {
    if (millis <= 0) {
      return;
    }
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting", e);
    }
  }
}
