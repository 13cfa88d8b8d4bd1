package io.estimator4j.estimator.impl;

import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.config.WarmStartSettings;
import io.estimator4j.estimator.hook.CheckpointSaverHook;
import io.estimator4j.estimator.hook.CheckpointSaverListener;
import io.estimator4j.estimator.hook.HookContext;
import io.estimator4j.estimator.hook.LoggingTensorHook;
import io.estimator4j.estimator.hook.NanTensorHook;
import io.estimator4j.estimator.hook.SecondOrStepTimer;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.StepCounterHook;
import io.estimator4j.estimator.hook.StopAtStepHook;
import io.estimator4j.estimator.hook.SummarySaverHook;
import io.estimator4j.estimator.input.InputFn;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.summary.SummaryWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFFailedPreconditionException;
import org.tensorflow.exceptions.TensorFlowException;
import org.tensorflow.op.Op;

/**
 * The training run of one Estimator.train() call: the default hooks (NaN check, loss logging, step
 * counter, summaries, checkpoints on the chief), the session and the step loop; the counterpart of
 * Estimator._train_with_estimator_spec.
 */
public final class Trainer {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  /** How often one training run recreates its session after a lost cluster task. */
  static final int MAX_RECOVERIES = 10;

  private final ModelDefinition def;
  private final WarmStartSettings warmStart;
  private final Long steps;
  private final Long maxSteps;
  private final List<SessionRunHook> userHooks;
  private final List<CheckpointSaverListener> listeners;

  /**
   * A trainer of the model.
   *
   * @param def the model
   * @param warmStart warm-start settings used when no checkpoint exists; null for none
   * @param steps how many steps to run; null for no such limit
   * @param maxSteps the global step to stop at; null for no such limit
   * @param hooks the caller's hooks
   * @param listeners the checkpoint saver's listeners
   */
  public Trainer(
      ModelDefinition def,
      WarmStartSettings warmStart,
      Long steps,
      Long maxSteps,
      List<SessionRunHook> hooks,
      List<CheckpointSaverListener> listeners) {
    this.def = def;
    this.warmStart = warmStart;
    this.steps = steps;
    this.maxSteps = maxSteps;
    this.userHooks = List.copyOf(hooks);
    this.listeners = List.copyOf(listeners);
  }

  /** Trains on the input, starting from the checkpoint (null: a fresh or warm-started model). */
  public void run(InputFn inputFn, String checkpoint) {
    RunConfig config = def.config();
    boolean chief = config.isChief();
    try (ModelGraph mg = def.buildGraph(ModeKeys.TRAIN, inputFn::build, checkpoint);
        // the chief's event file: summaries, and the checkpoint hook's meta graph and SessionLogs
        SummaryWriter writer = chief ? new SummaryWriter(def.modelDir()) : null) {
      EstimatorSpec spec = mg.spec;
      List<SessionRunHook> hooks = new ArrayList<>();
      hooks.add(new NanTensorHook(spec.loss(), true));
      if (config.logStepCountSteps() > 0) {
        hooks.add(
            new LoggingTensorHook(
                Map.of(EstimatorSpec.LOSS_KEY, spec.loss()), config.logStepCountSteps(), true));
      }
      hooks.addAll(userHooks);
      hooks.addAll(spec.trainingHooks());
      hooks.addAll(mg.context.trainingHooks());
      if (steps != null) {
        hooks.add(StopAtStepHook.numSteps(steps));
      } else if (maxSteps != null) {
        hooks.add(StopAtStepHook.lastStep(maxSteps));
      }
      if (chief) {
        hooks.addAll(spec.trainingChiefHooks());
        if (config.logStepCountSteps() > 0) {
          hooks.add(new StepCounterHook(config.logStepCountSteps()));
        }
        if (writer != null && config.saveSummarySteps() > 0) {
          Map<String, org.tensorflow.Operand<?>> scalars = new LinkedHashMap<>();
          scalars.put(EstimatorSpec.LOSS_KEY, spec.loss());
          scalars.putAll(mg.context.scalarSummaries());
          hooks.add(
              new SummarySaverHook(
                  config.saveSummarySteps(), scalars, mg.context.histogramSummaries()));
        }
        SecondOrStepTimer timer =
            config
                .saveCheckpointsSteps()
                .map(SecondOrStepTimer::everySteps)
                .orElse(
                    config
                        .saveCheckpointsSecs()
                        .map(s -> SecondOrStepTimer.everySecs(s))
                        .orElse(null));
        hooks.add(
            new CheckpointSaverHook(
                new CheckpointManager(def.modelDir(), mg.saver, config, checkpoint)
                    .withMetaGraph(() -> TrainMetaGraph.of(mg, config)),
                timer,
                listeners));
      }
      HookContext hookContext =
          new HookContext(
              mg.graph, mg.tf, mg.globalStep, def.modelDir(), Optional.ofNullable(writer));
      for (SessionRunHook h : hooks) {
        h.begin(hookContext);
      }
      if (checkpoint != null) {
        LOG.info("Restoring parameters from {}", checkpoint);
      }
      Session session =
          SessionStarter.start(mg, config, checkpoint, checkpoint == null ? warmStart : null);
      try {
        if (writer != null && checkpoint == null) {
          writer.graph(0, mg.graph.toGraphDef());
        }
        List<Op> targets = List.of(spec.trainOp());
        // Single worker: nobody else moves the global step, so the loop counts it locally.
        boolean local = config.master().isEmpty();
        int recoveries = 0;
        while (true) {
          SessionRunContext ctx = new SessionRunContext(session);
          try {
            RunLoop.Outcome out =
                RunLoop.run(
                    session, targets, mg.stepAfterTrain, local ? mg.globalStep : null, hooks, ctx);
            LOG.info(
                "Training ended after {} steps ({}).",
                out.steps(),
                out.inputEnded() ? "end of input" : ctx.stopReason());
            if (out.steps() == 0 && out.inputEnded()) {
              LOG.warn(
                  "Training ran no step: the input ended before its first batch, so the model"
                      + " is unchanged. Check the training input (files that hold rows or records).");
            }
            break;
          } catch (TensorFlowException e) {
            if (local || !recoverable(e) || ++recoveries > MAX_RECOVERIES) {
              throw e;
            }
            LOG.warn(
                "Training step failed ({}: {}); a task of the cluster was lost. Recovering ({} of"
                    + " {}): new session, {}.",
                e.getClass().getSimpleName(),
                e.getMessage().lines().findFirst().orElse(""),
                recoveries,
                MAX_RECOVERIES,
                chief ? "restored from the latest checkpoint" : "waiting for the chief");
            session.close();
            session = null;
            session = recreate(mg, config);
          }
        }
      } finally {
        if (session != null) {
          session.close();
        }
      }
    }
  }

  /**
   * A new session after a lost task, as MonitoredSession's _RecoverableSession: waits (bounded) for
   * the ps tasks, then the chief restores the latest checkpoint (the restarted ps lost the
   * variables) and the other workers wait until it has.
   */
  private Session recreate(ModelGraph mg, RunConfig config) {
    for (int attempt = 1; ; attempt++) {
      ClusterProbe.awaitParameterServers(config);
      String latest;
      try {
        latest = CheckpointState.latestCheckpoint(def.modelDir()).orElse(null);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot read the checkpoint state of " + def.modelDir() + " to recover", e);
      }
      try {
        return SessionStarter.start(mg, config, latest, null);
      } catch (TensorFlowException e) {
        if (!recoverable(e) || attempt >= MAX_RECOVERIES) {
          throw e;
        }
        LOG.warn("New session failed ({}); trying again.", e.getMessage().lines().findFirst());
      }
    }
  }

  /**
   * Errors after which a new session can go on (tf's AbortedError, UnavailableError and, with the
   * operation timeout, DeadlineExceededError): tensorflow-java reports them as a plain {@link
   * TensorFlowException}; also a variable read as uninitialised, which a ps that restarted reports.
   */
  static boolean recoverable(TensorFlowException e) {
    if (e.getClass() == TensorFlowException.class) {
      return true;
    }
    return e instanceof TFFailedPreconditionException
        && e.getMessage() != null
        && e.getMessage().contains("uninitialized");
  }
}
