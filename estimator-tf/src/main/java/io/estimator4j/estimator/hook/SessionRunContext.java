package io.estimator4j.estimator.hook;

import org.tensorflow.Session;

/**
 * The running loop as hooks see it: the session and a way to ask the loop to stop; Java counterpart
 * of tf.estimator.SessionRunContext.
 */
public final class SessionRunContext {
  private final Session session;
  private volatile boolean stopRequested;
  private volatile String stopReason;

  public SessionRunContext(Session session) {
    this.session = session;
  }

  public Session session() {
    return session;
  }

  /** Asks the loop to stop after the current step; end() of every hook still runs. */
  public void requestStop() {
    requestStop("stop requested by a hook");
  }

  /** Asks the loop to stop, with a reason that is logged. */
  public void requestStop(String reason) {
    if (!stopRequested) {
      stopReason = reason;
    }
    stopRequested = true;
  }

  public boolean stopRequested() {
    return stopRequested;
  }

  /** Why the loop was asked to stop, or null. */
  public String stopReason() {
    return stopReason;
  }
}
