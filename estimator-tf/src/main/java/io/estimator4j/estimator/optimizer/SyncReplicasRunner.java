package io.estimator4j.estimator.optimizer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.types.TInt32;

/**
 * The chief's synchronisation loop of {@link SyncReplicas} (Python's chief queue runner, started by
 * the sync hook's {@code after_create_session}): runs {@link SyncReplicas#syncOp} once every
 * accumulator holds {@code replicasToAggregate} gradients.
 *
 * <p>Python's runner blocks inside the accumulators' take; tensorflow-java cannot close a session
 * while a run is in flight, and a take cancelled by a run timeout could consume one variable's
 * gradients but not another's. So this loop first reads the accumulators' counts (a cheap fetch)
 * and runs the sync op only when it will not block: same updates, and {@link #close} stops it
 * within one poll.
 */
public final class SyncReplicasRunner implements AutoCloseable {
  private static final long POLL_NANOS = 2_000_000L;

  private final Thread thread;
  private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
  private volatile boolean stop;
  private volatile long syncSteps;

  private SyncReplicasRunner(Session session, SyncReplicas sync) {
    List<Operand<TInt32>> counts = sync.numAccumulated();
    this.thread =
        new Thread(
            () -> {
              try {
                while (!stop) {
                  if (ready(session, counts, sync.replicasToAggregate())) {
                    session.runner().addTarget(sync.syncOp()).run().close();
                    syncSteps++;
                  } else {
                    LockSupport.parkNanos(POLL_NANOS);
                  }
                }
              } catch (RuntimeException e) {
                failure.set(e);
              }
            },
            "sync-replicas-chief");
    thread.setDaemon(true);
  }

  /**
   * Runs the chief's initialisation ({@link SyncReplicas#chiefInitOp}, then {@link
   * SyncReplicas#initTokensOp}) in {@code session} and starts the loop; Python's {@code
   * _SyncReplicasOptimizerHook.after_create_session} for the chief.
   */
  public static SyncReplicasRunner startChief(Session session, SyncReplicas sync) {
    session.runner().addTarget(sync.chiefInitOp()).run().close();
    session.runner().addTarget(sync.initTokensOp()).run().close();
    SyncReplicasRunner runner = new SyncReplicasRunner(session, sync);
    runner.thread.start();
    return runner;
  }

  private static boolean ready(Session session, List<Operand<TInt32>> counts, int needed) {
    Session.Runner r = session.runner();
    counts.forEach(r::fetch);
    try (Result result = r.run()) {
      List<Integer> values = new ArrayList<>();
      for (int i = 0; i < counts.size(); i++) {
        values.add(((TInt32) result.get(i)).getInt());
      }
      return values.stream().allMatch(v -> v >= needed);
    }
  }

  /** Aggregated steps this runner has applied. */
  public long syncSteps() {
    return syncSteps;
  }

  /**
   * Stops the loop (after the step in flight, if any) and waits for it.
   *
   * @throws IllegalStateException if the loop failed; its error is the cause
   */
  @Override
  public void close() {
    stop = true;
    try {
      thread.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    RuntimeException e = failure.get();
    if (e != null) {
      throw new IllegalStateException("The SyncReplicas chief loop failed: " + e, e);
    }
  }
}
