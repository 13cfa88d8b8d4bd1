package io.estimator4j.estimator.distributed;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.Evaluator;
import io.estimator4j.estimator.Exporter;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.hook.CheckpointSaverListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Session;

/**
 * Trains and evaluates in one call, exporting after evaluations; Java counterpart of
 * tf.estimator.train_and_evaluate.
 *
 * <p><b>Local</b> (no TF_CONFIG cluster): evaluation follows checkpoints: after each save (but the
 * one at session start) once throttle_secs have passed, and once more at the end. The evaluation
 * graph is built once and reused for every evaluation.
 *
 * <p><b>Distributed</b> (the {@link RunConfig#cluster() cluster} of TF_CONFIG): every process runs
 * this same call and does what its task type says, with asynchronous between-graph replication over
 * parameter servers (see {@link io.estimator4j.estimator.distributed.DistributedTraining}):
 *
 * <ul>
 *   <li><b>ps</b>: starts its TensorFlow server (grpc) and serves the variables; the call blocks
 *       forever, like Python's {@code server.join()}. Tests start it with {@code
 *       DistributedTraining.startParameterServer}, which returns the server handle.
 *   <li><b>chief</b>: starts its server and trains to {@code TrainSpec.maxSteps} (required): its
 *       variables and global_step are placed round-robin on the ps tasks, everything else on {@code
 *       /job:chief/task:0}; it initialises or restores the variables and alone writes checkpoints
 *       and summaries and calls the saving listeners.
 *   <li><b>worker</b> i: starts its server, waits min(RunConfig.maxWorkerDelaySecs, (i + 1) * 5)
 *       seconds, waits until the chief has initialised the variables (at most
 *       RunConfig.sessionCreationTimeoutSecs), then trains the same variables until the shared
 *       global step reaches maxSteps.
 *   <li><b>evaluator</b> (index 0, outside the cluster, no server): after EvalSpec.startDelaySecs,
 *       evaluates the newest checkpoint it has not evaluated, runs the exporters and sleeps the
 *       rest of throttleSecs; it returns once a checkpoint's global step reaches maxSteps (that
 *       evaluation is the final export). A restarted evaluator reads the step of its last
 *       evaluation from the event files of its eval directory and goes on with newer checkpoints.
 *   <li><b>master</b> (legacy): a chief that also evaluates after checkpoint saves, as locally.
 * </ul>
 *
 * Sessions of chief, master and workers use TensorFlow's device filters ({@code /job:ps} and the
 * task itself) unless RunConfig's session config sets its own. Bad configurations (no chief,
 * several trainers without ps, evaluator index above 0, unknown task type) fail with an {@link
 * IllegalArgumentException} that names TF_CONFIG and the fix.
 */
public final class TrainAndEvaluate {
  private static final Logger LOG = LoggerFactory.getLogger(TrainAndEvaluate.class);

  private TrainAndEvaluate() {}

  /** Metrics of the last evaluation and the exports written, by exporter name. */
  public record Result(Map<String, Double> metrics, Map<String, List<Path>> exports) {}

  /** Runs this process's role (see the class comment); returns what it evaluated and exported. */
  public static Result run(Estimator estimator, TrainSpec train, EvalSpec eval) {
    ClusterConfig cluster = estimator.config().cluster();
    if (DistributedTraining.isDistributed(cluster)) {
      DistributedTraining.validate(cluster);
      if (!cluster.taskType().equals(ClusterConfig.MASTER)) {
        return DistributedTraining.run(estimator, train, eval);
      }
      DistributedTraining.startServer(estimator.config());
    }
    return trainAndEvaluateInProcess(estimator, train, eval);
  }

  private static Result trainAndEvaluateInProcess(
      Estimator estimator, TrainSpec train, EvalSpec eval) {
    try (Evaluator evaluator = estimator.evaluator(eval.inputFn(), eval.name())) {
      EvalListener listener = new EvalListener(estimator, evaluator, eval, train.maxSteps());
      List<CheckpointSaverListener> listeners = new ArrayList<>(train.savingListeners());
      listeners.add(listener);
      StepLimit limit =
          train.maxSteps() == null
              ? StepLimit.untilInputEnds()
              : StepLimit.maxSteps(train.maxSteps());
      estimator.train(train.inputFn(), limit, train.hooks(), listeners);
      String latest = estimator.requireCheckpoint();
      if (!latest.equals(listener.lastEvaluated)) {
        listener.evaluate(latest, true);
      }
      return new Result(listener.lastMetrics, listener.exports);
    }
  }

  /** Evaluates and exports after checkpoint saves. */
  private static final class EvalListener implements CheckpointSaverListener {
    private final Estimator estimator;
    private final Evaluator evaluator;
    private final EvalSpec spec;
    private final Map<String, List<Path>> exports = new LinkedHashMap<>();
    private long lastEvalNanos = System.nanoTime();
    private boolean sawFirstSave;
    private String lastEvaluated;
    private Map<String, Double> lastMetrics = Map.of();
    private final Long maxSteps;

    EvalListener(Estimator estimator, Evaluator evaluator, EvalSpec spec, Long maxSteps) {
      this.maxSteps = maxSteps;
      this.estimator = estimator;
      this.evaluator = evaluator;
      this.spec = spec;
      spec.exporters().forEach(e -> exports.put(e.name(), new ArrayList<>()));
    }

    @Override
    public boolean afterSave(Session session, long step, String path) {
      if (!sawFirstSave) {
        sawFirstSave = true; // the save at session start: nothing new to evaluate
        return false;
      }
      if ((System.nanoTime() - lastEvalNanos) / 1e9 < spec.throttleSecs()) {
        return false;
      }
      // the final export happens when the evaluated step reaches max_steps, as in TensorFlow
      evaluate(path, maxSteps != null && step >= maxSteps);
      return false;
    }

    void evaluate(String checkpoint, boolean isFinal) {
      lastMetrics = evaluator.evaluate(spec.steps(), checkpoint, spec.hooks());
      lastEvaluated = checkpoint;
      lastEvalNanos = System.nanoTime();
      export(checkpoint, lastMetrics, isFinal);
    }

    void export(String checkpoint, Map<String, Double> metrics, boolean isFinal) {
      for (Exporter e : spec.exporters()) {
        Path base = estimator.modelDir().resolve("export").resolve(e.name());
        Optional<Path> out = e.export(estimator, base, checkpoint, metrics, isFinal);
        out.ifPresent(
            p -> {
              exports.get(e.name()).add(p);
              LOG.info("Exporter {} wrote {}", e.name(), p);
            });
      }
    }
  }
}
