package io.estimator4j.estimator.impl;

import io.estimator4j.checkpoint.CheckpointFiles;
import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.checkpoint.FaultPoints;
import io.estimator4j.checkpoint.GraphSaver;
import io.estimator4j.checkpoint.RetentionPolicy;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.hook.Checkpointer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Session;

/**
 * Saves model.ckpt-N atomically into the model directory and keeps the {@code checkpoint} state
 * file and retention (keep_checkpoint_max, keep_checkpoint_every_n_hours) as tf.train.Saver does.
 * The checkpoint is written into a temporary directory first, then renamed into place (data before
 * index), and only then named in the state file: a kill at any moment leaves the previous
 * checkpoint usable.
 *
 * <p>The startup save of a session restored from model.ckpt-N does not write model.ckpt-N again
 * (tf.estimator does): the session holds exactly its values, and replacing the files would leave,
 * for a moment, a state file naming a checkpoint without index. Listed checkpoints that are no
 * longer complete leave the list (leftover data files without index are deleted), so they never
 * count against keep_checkpoint_max, and retention deletes nothing unless the new checkpoint is
 * complete.
 */
public final class CheckpointManager implements Checkpointer {
  static final String BASENAME = "model.ckpt";
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointManager.class);
  private final Path modelDir;
  private final GraphSaver saver;
  private final RetentionPolicy policy;

  private java.util.function.Supplier<org.tensorflow.proto.MetaGraphDef> metaGraph;
  private org.tensorflow.proto.MetaGraphDef builtMetaGraph;

  /** Stands for the time training started where the state file has no preserved timestamp. */
  private final double startTime = System.currentTimeMillis() / 1000.0;

  /** The checkpoint the session was restored from, until the first save; null afterwards. */
  private String restored;

  private boolean firstSave = true;

  /** A manager for a session that starts fresh (not restored from a checkpoint). */
  public CheckpointManager(Path modelDir, GraphSaver saver, RunConfig config) {
    this(modelDir, saver, config, null);
  }

  /**
   * A manager for a session restored from {@code restoredFrom} (null: a fresh session); its first
   * save at the restored step keeps that checkpoint instead of writing it again.
   */
  public CheckpointManager(Path modelDir, GraphSaver saver, RunConfig config, String restoredFrom) {
    this.modelDir = modelDir;
    this.saver = saver;
    this.policy =
        RetentionPolicy.of(config.keepCheckpointMax(), config.keepCheckpointEveryNHours());
    this.restored = restoredFrom;
  }

  /**
   * Also writes {@code model.ckpt-N.meta} beside each checkpoint, as Python's Saver does: the
   * MetaGraphDef {@code metaGraph} builds (once, at the first save).
   */
  public CheckpointManager withMetaGraph(
      java.util.function.Supplier<org.tensorflow.proto.MetaGraphDef> metaGraph) {
    this.metaGraph = metaGraph;
    return this;
  }

  @Override
  public java.util.Optional<org.tensorflow.proto.MetaGraphDef> metaGraph() {
    return metaGraph == null ? java.util.Optional.empty() : java.util.Optional.of(metaGraphDef());
  }

  private synchronized org.tensorflow.proto.MetaGraphDef metaGraphDef() {
    if (builtMetaGraph == null) {
      builtMetaGraph = metaGraph.get();
    }
    return builtMetaGraph;
  }

  @Override
  public String save(Session session, long globalStep) throws IOException {
    String basename = BASENAME + "-" + globalStep;
    Path prefix = modelDir.resolve(basename);
    if (firstSave) {
      firstSave = false;
      FaultPoints.reach(FaultPoints.STARTUP_SAVE);
    }
    String from = restored;
    restored = null;
    if (from != null && isSameCheckpoint(from, prefix) && CheckpointFiles.isComplete(prefix)) {
      LOG.debug(
          "Keeping {}, which the session was restored from, instead of saving it again", from);
      Optional<CheckpointState> state = CheckpointState.read(modelDir);
      if (state.isEmpty()
          || !isSameCheckpoint(state.get().modelCheckpointPath(), prefix)
          || state.get().allModelCheckpointPaths().stream()
              .noneMatch(p -> isSameCheckpoint(p, prefix))) {
        updateState(basename); // The state named a lost checkpoint: name this one again.
      }
      return prefix.toString();
    }
    FaultPoints.reach(FaultPoints.BEFORE_SAVE);
    Path tmp = CheckpointFiles.createTemporaryDirectory(modelDir);
    saver.save(session, tmp.resolve(basename).toString());
    if (metaGraph != null) {
      // committed with the checkpoint's files (CheckpointFiles moves every basename.* file)
      java.nio.file.Files.write(
          tmp.resolve(basename + ".meta"),
          io.estimator4j.metagraph.MetaGraphs.deterministic(metaGraphDef()));
    }
    CheckpointFiles.commit(tmp, basename, modelDir);
    updateState(basename);
    return prefix.toString();
  }

  /** Names {@code basename} (complete in modelDir) in the state file, then applies retention. */
  private void updateState(String basename) throws IOException {
    FaultPoints.reach(FaultPoints.BEFORE_STATE);
    double now = System.currentTimeMillis() / 1000.0;
    Optional<CheckpointState> old = CheckpointState.read(modelDir);
    List<RetentionPolicy.Entry> kept = new ArrayList<>();
    List<String> lost = new ArrayList<>();
    for (RetentionPolicy.Entry e : old.map(s -> s.entries(now)).orElse(List.of())) {
      if (isSameCheckpoint(e.prefix(), modelDir.resolve(basename))) {
        continue;
      }
      if (CheckpointFiles.isComplete(Path.of(CheckpointState.resolve(modelDir, e.prefix())))) {
        kept.add(e);
      } else {
        lost.add(e.prefix());
      }
    }
    RetentionPolicy.Decision decision =
        policy.apply(
            kept,
            new RetentionPolicy.Entry(basename, now),
            old.map(CheckpointState::lastPreservedTimestamp).filter(t -> t > 0).orElse(startTime));
    decision.state().write(modelDir);
    FaultPoints.reach(FaultPoints.BEFORE_RETENTION);
    if (!CheckpointFiles.isComplete(modelDir.resolve(basename))) {
      LOG.warn("{} is no longer complete; retention deletes no checkpoint", basename);
      return; // Never delete what may be the last complete checkpoint.
    }
    for (String prefix : lost) {
      Path full = Path.of(CheckpointState.resolve(modelDir, prefix));
      boolean leftover = !Files.exists(full.resolveSibling(full.getFileName() + ".index"));
      LOG.warn(
          "Checkpoint {} listed in {} is incomplete; dropped from the list{}",
          prefix,
          modelDir,
          leftover ? " and its leftover files deleted" : "");
      if (leftover) { // Data files without an index: what a kill during a save leaves.
        CheckpointFiles.delete(modelDir, prefix);
      }
    }
    for (RetentionPolicy.Entry e : decision.deleted()) {
      CheckpointFiles.delete(modelDir, e.prefix());
    }
  }

  /**
   * Whether {@code path} (absolute, or relative to modelDir) names the checkpoint {@code prefix}.
   */
  private boolean isSameCheckpoint(String path, Path prefix) {
    return Path.of(CheckpointState.resolve(modelDir, path))
        .toAbsolutePath()
        .normalize()
        .equals(prefix.toAbsolutePath().normalize());
  }
}
