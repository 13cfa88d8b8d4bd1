package io.estimator4j.estimator.hook;

import org.tensorflow.Session;

/**
 * A callback into the training, evaluation or prediction loop; Java counterpart of
 * tf.estimator.SessionRunHook.
 *
 * <p>Life cycle: {@link #begin} (the only place to add ops), {@link #afterCreateSession}, then for
 * every step {@link #beforeRun} (extra fetches merged into the one session run) and {@link
 * #afterRun}, and finally {@link #end} when the loop stops normally (step limit, stop request or
 * end of input). Neither afterRun nor end runs when the loop fails with an exception.
 */
public interface SessionRunHook {

  /** Called once before the session is created; the hook may add ops to the graph here. */
  default void begin(HookContext context) {}

  /** Called once the session exists and variables are initialised or restored. */
  default void afterCreateSession(Session session) {}

  /** Called before each run; returns extra fetches and feeds, or {@link SessionRunArgs#NONE}. */
  default SessionRunArgs beforeRun(SessionRunContext context) {
    return SessionRunArgs.NONE;
  }

  /** Called after each run with the values this hook asked for (valid during this call only). */
  default void afterRun(SessionRunContext context, SessionRunValues values) {}

  /** Called when the loop ends normally. */
  default void end(Session session) {}
}
