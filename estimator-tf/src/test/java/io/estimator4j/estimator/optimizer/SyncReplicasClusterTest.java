package io.estimator4j.estimator.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.distributed.TaskServer;
import io.estimator4j.estimator.distributed.impl.PlacingScope;
import io.estimator4j.estimator.distributed.impl.ReplicaDeviceSetter;
import io.estimator4j.estimator.distributed.impl.TensorFlowInternals;
import io.estimator4j.graph.Variables;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * SyncReplicas on real TensorFlow gRPC servers (one ps, a chief and a worker, in this JVM, each
 * with its own graph as between-graph replication builds them): one global step per aggregated
 * step, the averaged-gradient update, stale gradients dropped.
 */
class SyncReplicasClusterTest {
  private static final double LR = 0.1;

  /** One training task's graph: w on the ps, its own example, a SyncReplicas train op. */
  private static final class Task implements AutoCloseable {
    final Graph graph = new Graph();
    final SyncReplicas sync = new SyncReplicas(GradientDescent.of(LR), 2, 2);
    final Variable<TFloat32> w;
    final Variable<TInt64> globalStep;
    final Op trainOp;
    Session session;

    Task(String device, float[] x, float y) {
      Ops tf = PlacingScope.wrap(Ops.create(graph), new ReplicaDeviceSetter(1, "ps", device));
      globalStep = Variables.global(tf, "global_step", init -> init.withName("zeros").constant(0L));
      w = Variables.global(tf, "w", init -> init.constant(new float[] {1f, -1f}));
      // loss = 0.5 * (w . x - y)^2, gradient (w . x - y) * x
      Operand<TFloat32> prediction =
          tf.reduceSum(tf.math.mul(Variables.read(tf, w), tf.constant(x)), tf.constant(0));
      Operand<TFloat32> residual = tf.math.sub(prediction, tf.constant(y));
      Operand<TFloat32> loss = tf.math.mul(tf.constant(0.5f), tf.math.square(residual));
      trainOp = sync.applyGradients(tf, sync.computeGradients(tf, loss, List.of(w)), globalStep);
    }

    void run(Op op) {
      session.runner().addTarget(op).run().close();
    }

    long fetchLong(Operand<TInt64> v) {
      try (Result r = session.runner().fetch(v).run()) {
        return ((TInt64) r.get(0)).getLong();
      }
    }

    int fetchInt(Operand<TInt32> v) {
      try (Result r = session.runner().fetch(v).run()) {
        return ((TInt32) r.get(0)).getInt();
      }
    }

    float[] fetchW() {
      try (Result r = session.runner().fetch(w).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        return new float[] {t.getFloat(0), t.getFloat(1)};
      }
    }

    @Override
    public void close() {
      if (session != null) {
        session.close();
      }
      graph.close();
    }
  }

  @Test
  void twoWorkersAverageTheirGradientsOncePerGlobalStepAndStaleOnesAreDropped() throws Exception {
    int ps = freePort();
    int chief = freePort();
    int worker = freePort();
    String cluster =
        "{\"ps\": [\"localhost:%d\"], \"chief\": [\"localhost:%d\"], \"worker\": [\"localhost:%d\"]}"
            .formatted(ps, chief, worker);
    TaskServer.start(config(cluster, "ps"), ConfigProto.getDefaultInstance());
    TaskServer chiefServer =
        TaskServer.start(config(cluster, "chief"), ConfigProto.getDefaultInstance());
    TaskServer workerServer =
        TaskServer.start(config(cluster, "worker"), ConfigProto.getDefaultInstance());

    float[] xc = {1f, 2f};
    float yc = 0.5f;
    float[] xw = {3f, -1f};
    float yw = 2f;
    ExecutorService pool = Executors.newFixedThreadPool(2, r -> daemon(r));
    try (Task c = new Task("/job:chief/task:0", xc, yc);
        Task wk = new Task("/job:worker/task:0", xw, yw)) {
      assertThat(device(c.graph, "w")).isEqualTo("/job:ps/task:0");
      assertThat(device(c.graph, "sync_replicas/ConditionalAccumulator"))
          .isEqualTo("/job:ps/task:0");
      assertThat(device(c.graph, "sync_token_q")).isEqualTo("/job:ps/task:0");
      assertThat(device(c.graph, "sync_rep_local_step")).isEqualTo("/job:chief/task:0");

      c.session =
          TensorFlowInternals.remoteSession(
              c.graph, chiefServer.target(), ConfigProto.getDefaultInstance());
      c.session.initialize();
      wk.session =
          TensorFlowInternals.remoteSession(
              wk.graph, workerServer.target(), ConfigProto.getDefaultInstance());
      TensorFlowInternals.markInitialized(wk.session);
      try (SyncReplicasRunner runner = SyncReplicasRunner.startChief(c.session, c.sync)) {
        wk.run(wk.sync.localStepInitOp());
        // init tokens: replicas_to_aggregate = 2, each holding global step 0
        assertThat(c.fetchInt(c.sync.tokenQueueSize())).isEqualTo(2);

        // step 1, at w0 = [1, -1]:
        // chief:  w.x = 1 - 2 = -1,  r = -1.5, g = [-1.5, -3]
        // worker: w.x = 3 + 1 = 4,   r = 2,    g = [6, -2]
        // mean [2.25, -2.5]; w1 = w0 - 0.1 * mean = [0.775, -0.75]
        c.run(c.trainOp);
        assertThat(c.fetchLong(c.globalStep)).isZero(); // one gradient of two: no update yet
        wk.run(wk.trainOp);
        awaitGlobalStep(c, 1);
        assertW(c.fetchW(), 0.775, -0.75);
        assertThat(c.fetchLong(c.sync.localStep())).isZero(); // the token of step 0

        // both tasks now hold local step 0 < global step 1: their gradients are dropped, and the
        // tokens of step 1 (two, holding 1) become their local steps
        c.run(c.trainOp);
        wk.run(wk.trainOp);
        assertThat(c.fetchInt(c.sync.numAccumulated().get(0))).isZero();
        assertThat(c.fetchLong(c.globalStep)).isEqualTo(1);
        assertThat(c.fetchLong(c.sync.localStep())).isEqualTo(1);
        assertThat(wk.fetchLong(wk.sync.localStep())).isEqualTo(1);
        assertThat(c.fetchInt(c.sync.tokenQueueSize())).isZero();
        assertW(c.fetchW(), 0.775, -0.75);

        // step 2, at w1 = [0.775, -0.75]; each train op blocks on the token queue until the
        // chief's loop has applied the mean:
        // chief:  w.x = 0.775 - 1.5 = -0.725,  r = -1.225, g = [-1.225, -2.45]
        // worker: w.x = 2.325 + 0.75 = 3.075,  r = 1.075,  g = [3.225, -1.075]
        // mean [1.0, -1.7625]; w2 = w1 - 0.1 * mean = [0.675, -0.57375]
        Future<?> chiefStep = pool.submit(() -> c.run(c.trainOp));
        Future<?> workerStep = pool.submit(() -> wk.run(wk.trainOp));
        chiefStep.get(60, TimeUnit.SECONDS);
        workerStep.get(60, TimeUnit.SECONDS);
        assertThat(c.fetchLong(c.globalStep)).isEqualTo(2);
        assertW(c.fetchW(), 0.675, -0.57375);
        assertThat(c.fetchLong(c.sync.localStep())).isEqualTo(2);
        assertThat(wk.fetchLong(wk.sync.localStep())).isEqualTo(2);
        assertThat(runner.syncSteps()).isEqualTo(2);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void badArgumentsAreRefusedWithTheFix() {
    assertThatThrownBy(() -> new SyncReplicas(GradientDescent.of(0.1), 0, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("replicasToAggregate > 0")
        .hasMessageContaining("Fix:");
    SyncReplicas sync = new SyncReplicas(GradientDescent.of(0.1), 2, 2);
    assertThatThrownBy(sync::syncOp)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("call applyGradients first");
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> v = Variables.global(tf, "v", init -> init.constant(1f));
      assertThatThrownBy(
              () -> sync.applyGradients(tf, List.of(new GradAndVar<>(tf.constant(1f), v)), null))
          .hasMessageContaining("global step is required to check staleness");
      assertThatThrownBy(
              () ->
                  sync.applyGradientsAtStep(
                      tf, List.of(new GradAndVar<>(tf.constant(1f), v)), tf.constant(0L)))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("Fix:");
    }
  }

  private static void awaitGlobalStep(Task t, long step) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (t.fetchLong(t.globalStep) < step) {
      assertThat(System.nanoTime()).as("global step %d within 60 s", step).isLessThan(deadline);
      Thread.sleep(5);
    }
    assertThat(t.fetchLong(t.globalStep)).isEqualTo(step);
  }

  private static void assertW(float[] w, double w0, double w1) {
    assertThat((double) w[0]).isCloseTo(w0, within(1e-6));
    assertThat((double) w[1]).isCloseTo(w1, within(1e-6));
  }

  private static String device(Graph g, String name) {
    GraphOperation op = g.operation(name);
    assertThat(op).as("op %s", name).isNotNull();
    return op.device();
  }

  private static ClusterConfig config(String cluster, String type) {
    return ClusterConfig.parse(
        "{\"cluster\": " + cluster + ", \"task\": {\"type\": \"" + type + "\", \"index\": 0}}");
  }

  private static Thread daemon(Runnable r) {
    Thread t = new Thread(r, "sync-replicas-test");
    t.setDaemon(true);
    return t;
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
