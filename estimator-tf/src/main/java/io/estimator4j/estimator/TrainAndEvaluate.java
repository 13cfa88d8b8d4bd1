package io.estimator4j.estimator;

import io.estimator4j.estimator.export.Exporter;
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
 * tf.estimator.train_and_evaluate (local mode). Evaluation follows checkpoints: after each save
 * (but the one at session start) once throttle_secs have passed, and once more at the end. The
 * evaluation graph is built once and reused for every evaluation.
 */
public final class TrainAndEvaluate {
  private static final Logger LOG = LoggerFactory.getLogger(TrainAndEvaluate.class);

  private TrainAndEvaluate() {}

  /** Metrics of the last evaluation and the exports written, by exporter name. */
  public record Result(Map<String, Double> metrics, Map<String, List<Path>> exports) {}

  public static Result run(Estimator estimator, TrainSpec train, EvalSpec eval) {
    try (Evaluator evaluator = estimator.evaluator(eval.inputFn(), eval.name())) {
      EvalListener listener = new EvalListener(estimator, evaluator, eval, train.maxSteps());
      List<CheckpointSaverListener> listeners = new ArrayList<>(train.savingListeners());
      listeners.add(listener);
      StepLimit limit = train.maxSteps() == null ? StepLimit.untilInputEnds()
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
        out.ifPresent(p -> {
          exports.get(e.name()).add(p);
          LOG.info("Exporter {} wrote {}", e.name(), p);
        });
      }
    }
  }
}
