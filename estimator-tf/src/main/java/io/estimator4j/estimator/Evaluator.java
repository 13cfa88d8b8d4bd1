package io.estimator4j.estimator;

import io.estimator4j.estimator.config.WarmStartSettings;
import io.estimator4j.estimator.hook.FinalOpsHook;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import io.estimator4j.estimator.impl.ModelGraph;
import io.estimator4j.estimator.impl.RunLoop;
import io.estimator4j.estimator.impl.SessionStarter;
import io.estimator4j.estimator.input.InputFn;
import io.estimator4j.estimator.metrics.Metric;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.summary.SummaryWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;

/**
 * Evaluates checkpoints of an {@link Estimator} with one evaluation graph and session, built once
 * and reused: each evaluation restores the checkpoint, restarts the input and resets the metrics.
 * tf.estimator rebuilt the graph for every evaluation; this is the fix. Not thread-safe.
 */
public final class Evaluator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);
  private final Estimator estimator;
  private final String name;
  private final ModelGraph mg;
  private Session session;
  private SummaryWriter writer;
  private boolean closed;

  Evaluator(Estimator estimator, InputFn inputFn, String name) {
    this.estimator = estimator;
    this.name = name;
    this.mg = estimator.buildGraph(ModeKeys.EVAL, inputFn::build);
  }

  /**
   * Evaluates a checkpoint (null: the latest) over {@code steps} batches (null: until the input
   * ends), returns the metrics with {@code loss} and {@code global_step}, and writes them to the
   * evaluation directory at the checkpoint's global step.
   *
   * @throws IllegalArgumentException when the input yields no batch (there are no metrics)
   */
  public synchronized Map<String, Double> evaluate(
      Long steps, String checkpointPath, List<SessionRunHook> extraHooks) {
    if (closed) {
      throw new IllegalStateException("Evaluator is closed");
    }
    String ckpt =
        checkpointPath != null ? checkpointPath : estimator.latestCheckpoint().orElse(null);
    // before the first checkpoint, warm-start settings give the starting variables (as training
    // would start from them); without them the variables are freshly initialised
    WarmStartSettings ws = ckpt == null ? estimator.warmStartSettings().orElse(null) : null;
    if (ckpt == null) {
      LOG.warn(
          "No checkpoint in {}; evaluating {}.",
          estimator.modelDir(),
          ws == null
              ? "freshly initialised variables"
              : "the variables warm-started from " + ws.checkpoint());
    }
    if (session == null) {
      session = SessionStarter.start(mg, estimator.config(), ckpt, ws);
    } else {
      if (ckpt != null) {
        SessionStarter.checkCompatible(mg, ckpt);
        mg.saver.restore(session, ckpt);
      }
      mg.runLocalInitializers(session);
    }
    LOG.info("Starting evaluation{}", ckpt == null ? "" : " of " + ckpt);
    List<Op> updates = new ArrayList<>();
    Map<String, Operand<?>> values = new LinkedHashMap<>();
    for (Map.Entry<String, Metric> e : mg.spec.evalMetrics().entrySet()) {
      updates.add(e.getValue().update());
      values.put(e.getKey(), e.getValue().value());
    }
    updates.add(mg.lossMetric.update());
    values.put(EstimatorSpec.LOSS_KEY, mg.lossMetric.value());
    values.put(EstimatorSpec.GLOBAL_STEP_KEY, mg.globalStep);
    FinalOpsHook finalOps = new FinalOpsHook(values);
    List<SessionRunHook> hooks = new ArrayList<>(mg.spec.evaluationHooks());
    hooks.addAll(extraHooks);
    if (steps != null) {
      hooks.add(stopAfter(steps));
    }
    hooks.add(finalOps);
    SessionRunContext ctx = new SessionRunContext(session);
    RunLoop.Outcome out = RunLoop.run(session, updates, mg.globalStep, hooks, ctx);
    if (out.steps() == 0 && out.inputEnded()) {
      // metrics of 0 batches would read as loss 0 and accuracy 0: report no metrics at all
      throw new IllegalArgumentException(
          "Evaluation"
              + (name == null ? "" : " '" + name + "'")
              + " read no batch: its input ended before the first one, so there are no metrics."
              + " Fix: give an evaluation input that yields data (files that hold rows or"
              + " records).");
    }
    Map<String, Double> result = new LinkedHashMap<>(finalOps.finalOpsValues());
    Map<String, Double> ordered = new LinkedHashMap<>();
    values.keySet().forEach(k -> ordered.put(k, result.get(k)));
    long step = Math.round(ordered.get(EstimatorSpec.GLOBAL_STEP_KEY));
    LOG.info("Finished evaluation after {} batches: {}", out.steps(), ordered);
    writeEvents(step, ordered, ckpt);
    return ordered;
  }

  private void writeEvents(long step, Map<String, Double> metrics, String ckpt) {
    if (writer == null) {
      writer = new SummaryWriter(estimator.evalDir(name));
    }
    metrics.forEach(
        (k, v) -> {
          if (!k.equals(EstimatorSpec.GLOBAL_STEP_KEY)) {
            writer.scalar(k, step, v);
          }
        });
    if (ckpt != null) {
      writer.text("checkpoint_path", step, ckpt);
    }
    writer.flush();
  }

  private static SessionRunHook stopAfter(long steps) {
    return new SessionRunHook() {
      private long done;

      @Override
      public void afterRun(SessionRunContext ctx, SessionRunValues values) {
        if (++done >= steps) {
          ctx.requestStop("evaluated " + steps + " batches");
        }
      }
    };
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (writer != null) {
        writer.close();
      }
      if (session != null) {
        session.close();
      }
    } finally {
      mg.close();
    }
  }
}
