package io.estimator4j.estimator.hook;

import java.io.IOException;
import org.tensorflow.Session;

/** Saves one checkpoint of a session atomically and returns its prefix. */
@FunctionalInterface
public interface Checkpointer {
  String save(Session session, long globalStep) throws IOException;

  /**
   * The MetaGraphDef written beside each checkpoint ({@code model.ckpt-N.meta}), if this
   * checkpointer writes one; the hook also writes it to the event file, as Python's
   * CheckpointSaverHook does.
   */
  default java.util.Optional<org.tensorflow.proto.MetaGraphDef> metaGraph() {
    return java.util.Optional.empty();
  }
}
