package io.estimator4j.estimator.impl;

import io.estimator4j.checkpoint.CheckpointFiles;
import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.checkpoint.GraphSaver;
import io.estimator4j.checkpoint.RetentionPolicy;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.hook.Checkpointer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Session;

/**
 * Saves model.ckpt-N atomically into the model directory and keeps the {@code checkpoint} state
 * file and retention (keep_checkpoint_max, keep_checkpoint_every_n_hours) as tf.train.Saver does.
 * The checkpoint is written into a temporary directory first, then renamed into place (data before
 * index), and only then named in the state file: a kill at any moment leaves the previous
 * checkpoint usable.
 */
public final class CheckpointManager implements Checkpointer {
  static final String BASENAME = "model.ckpt";
  private final Path modelDir;
  private final GraphSaver saver;
  private final RetentionPolicy policy;

  private java.util.function.Supplier<org.tensorflow.proto.MetaGraphDef> metaGraph;
  private org.tensorflow.proto.MetaGraphDef builtMetaGraph;

  /** Stands for the time training started where the state file has no preserved timestamp. */
  private final double startTime = System.currentTimeMillis() / 1000.0;

  public CheckpointManager(Path modelDir, GraphSaver saver, RunConfig config) {
    this.modelDir = modelDir;
    this.saver = saver;
    this.policy =
        RetentionPolicy.of(config.keepCheckpointMax(), config.keepCheckpointEveryNHours());
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
    Path tmp = CheckpointFiles.createTemporaryDirectory(modelDir);
    saver.save(session, tmp.resolve(basename).toString());
    if (metaGraph != null) {
      // committed with the checkpoint's files (CheckpointFiles moves every basename.* file)
      java.nio.file.Files.write(
          tmp.resolve(basename + ".meta"),
          io.estimator4j.metagraph.MetaGraphs.deterministic(metaGraphDef()));
    }
    CheckpointFiles.commit(tmp, basename, modelDir);
    double now = System.currentTimeMillis() / 1000.0;
    Optional<CheckpointState> old = CheckpointState.read(modelDir);
    List<RetentionPolicy.Entry> kept =
        old.map(s -> s.entries(now)).orElse(List.of()).stream()
            .filter(e -> !e.prefix().equals(basename))
            .toList();
    RetentionPolicy.Decision decision =
        policy.apply(
            kept,
            new RetentionPolicy.Entry(basename, now),
            old.map(CheckpointState::lastPreservedTimestamp).filter(t -> t > 0).orElse(startTime));
    decision.state().write(modelDir);
    for (RetentionPolicy.Entry e : decision.deleted()) {
      CheckpointFiles.delete(modelDir, e.prefix());
    }
    return modelDir.resolve(basename).toString();
  }
}
