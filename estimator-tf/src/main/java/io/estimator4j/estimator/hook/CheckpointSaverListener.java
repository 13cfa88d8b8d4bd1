package io.estimator4j.estimator.hook;

import org.tensorflow.Session;

/** Called around each checkpoint save; Java counterpart of tf.estimator.CheckpointSaverListener. */
public interface CheckpointSaverListener {
  default void begin() {}

  default void beforeSave(Session session, long globalStep) {}

  /**
   * Called after a checkpoint was saved and committed.
   *
   * @return true to ask training to stop
   */
  default boolean afterSave(Session session, long globalStep, String checkpointPath) {
    return false;
  }

  default void end(Session session, long globalStep) {}
}
