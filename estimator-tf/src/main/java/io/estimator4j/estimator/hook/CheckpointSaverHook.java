package io.estimator4j.estimator.hook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Session;
import org.tensorflow.types.TInt64;

/**
 * Saves checkpoints at session start, every N steps or seconds, and at the end, and writes
 * graph.pbtxt (with {@code _output_shapes}); Java counterpart of tf.estimator.CheckpointSaverHook.
 * With an event writer in the {@link HookContext}, it also writes what Python's hook writes there:
 * the checkpointer's MetaGraphDef at session start and a {@code SessionLog(CHECKPOINT,
 * <model_dir>/model.ckpt)} at the step of each save.
 */
public final class CheckpointSaverHook implements SessionRunHook {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointSaverHook.class);
  private final Checkpointer checkpointer;
  private final SecondOrStepTimer timer;
  private final List<CheckpointSaverListener> listeners;
  private HookContext context;
  private long lastSavedStep = -1;
  private long currentStep = -1;

  /**
   * @param timer the cadence, or null to save only at the start and the end
   */
  public CheckpointSaverHook(
      Checkpointer checkpointer, SecondOrStepTimer timer, List<CheckpointSaverListener> listeners) {
    this.checkpointer = checkpointer;
    this.timer = timer;
    this.listeners = List.copyOf(listeners);
  }

  /**
   * Deletes the temporary {@code .graph.pbtxt*.tmp} files that a killed process left in {@code
   * modelDir}: only those older than this process and not locked by a live writer (each writer
   * locks its file until it renames it to graph.pbtxt).
   *
   * @return how many files were deleted
   */
  public static int removeStaleTemporaries(Path modelDir) throws IOException {
    return GraphTextFile.removeStale(modelDir, GraphTextFile.processStart());
  }

  @Override
  public void begin(HookContext context) {
    this.context = context;
    listeners.forEach(CheckpointSaverListener::begin);
  }

  @Override
  public void afterCreateSession(Session session) {
    try {
      GraphTextFile.write(
          context.modelDir(),
          // as_graph_def(add_shapes=True), as Python's CheckpointSaverHook writes it
          io.estimator4j.metagraph.OpDefs.withOutputShapes(
              context.graph(), context.graph().toGraphDef()));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot write " + context.modelDir().resolve(GraphTextFile.NAME), e);
    }
    try (var r = session.runner().fetch(context.globalStep()).run()) {
      currentStep = ((TInt64) r.get(0)).getLong();
    }
    if (timer != null) {
      timer.update(currentStep);
    }
    // Python: add_graph (the Trainer writes the graph) and add_meta_graph to the event file
    context
        .summaryWriter()
        .ifPresent(w -> checkpointer.metaGraph().ifPresent(m -> w.metaGraph(0, m)));
    save(session, currentStep, null);
  }

  @Override
  public void afterRun(SessionRunContext ctx, SessionRunValues values) {
    currentStep = values.globalStep();
    if (timer != null && timer.shouldTrigger(currentStep)) {
      timer.update(currentStep);
      save(ctx.session(), currentStep, ctx);
    }
  }

  @Override
  public void end(Session session) {
    if (currentStep != lastSavedStep) {
      save(session, currentStep, null);
    }
    for (CheckpointSaverListener l : listeners) {
      l.end(session, currentStep);
    }
  }

  private void save(Session session, long step, SessionRunContext ctx) {
    if (step == lastSavedStep) {
      return;
    }
    for (CheckpointSaverListener l : listeners) {
      l.beforeSave(session, step);
    }
    String path;
    try {
      path = checkpointer.save(session, step);
    } catch (IOException e) {
      throw new UncheckedIOException("Saving checkpoint at step " + step + " failed", e);
    }
    lastSavedStep = step;
    LOG.info("Saving checkpoints for {} into {}.", step, path);
    // what TensorBoard reads to drop events of steps after a restored checkpoint
    String savePath = context.modelDir().resolve("model.ckpt").toString();
    context
        .summaryWriter()
        .ifPresent(
            w ->
                w.sessionLog(
                    step,
                    org.tensorflow.proto.SessionLog.newBuilder()
                        .setStatus(org.tensorflow.proto.SessionLog.SessionStatus.CHECKPOINT)
                        .setCheckpointPath(savePath)
                        .build()));
    boolean stop = false;
    for (CheckpointSaverListener l : listeners) {
      stop |= l.afterSave(session, step, path);
    }
    if (stop && ctx != null) {
      ctx.requestStop("a checkpoint listener asked to stop");
    }
  }
}
