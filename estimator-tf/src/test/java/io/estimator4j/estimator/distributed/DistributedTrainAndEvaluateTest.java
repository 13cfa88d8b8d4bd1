package io.estimator4j.estimator.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.layers.Dense;
import io.estimator4j.estimator.layers.DenseLayer;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.optimizer.GradientDescent;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * One ps, a chief and a worker (threads of this JVM, each with its own TensorFlow server on a free
 * localhost port) train one linear model to max_steps, sharing its variables on the ps; an
 * evaluator follows the checkpoints and stops at the final one. Servers cannot be stopped
 * (tensorflow-java), so all threads are daemons and the servers die with the JVM.
 */
class DistributedTrainAndEvaluateTest {
  private static final long MAX_STEPS = 60;

  @TempDir Path modelDir;

  /** y = w x + b with squared loss and gradient descent; data on y = 2x + 1. */
  static final ModelFn LINEAR =
      ctx -> {
        Ops tf = ctx.tf();
        Operand<TFloat32> x =
            tf.reshape(ctx.feature("x", TFloat32.class), tf.constant(new long[] {-1, 1}));
        DenseLayer layer = Dense.builder(1).seed(7L).build().apply(tf.withSubScope("linear"), x);
        Operand<TFloat32> pred = tf.reshape(layer.output(), tf.constant(new long[] {-1}));
        EstimatorSpec.Builder spec = EstimatorSpec.builder(ctx.mode()).prediction("y", pred);
        Operand<TFloat32> labels = ctx.labels(TFloat32.class, new long[0]);
        Operand<TFloat32> loss =
            tf.math.mean(tf.math.squaredDifference(pred, labels), tf.constant(0));
        spec.loss(loss);
        if (ctx.mode() == ModeKeys.TRAIN) {
          spec.trainOp(
              GradientDescent.of(0.1)
                  .minimize(tf, loss, layer.trainableVariables(), ctx.globalStep()));
        }
        return spec.build();
      };

  static ArrayInput input(Integer epochs) {
    float[] x = new float[64];
    float[] y = new float[64];
    for (int i = 0; i < x.length; i++) {
      x[i] = -1f + 2f * i / x.length;
      y[i] = 2f * x[i] + 1f;
    }
    return ArrayInput.builder()
        .feature("x", x)
        .labels(y)
        .batchSize(8)
        .numEpochs(epochs)
        .shuffle(epochs == null)
        .seed(1)
        .build();
  }

  /**
   * Counts the steps this task ran and remembers the last global step it saw. On a loaded machine
   * one trainer can finish before the other has started, so each step takes 10 ms and the first
   * step waits (at most 60 s) until {@code waitFor} has run a step: both must contribute.
   */
  static final class StepCounter implements SessionRunHook {
    final AtomicLong steps = new AtomicLong();
    final AtomicLong lastGlobalStep = new AtomicLong(-1);
    private final StepCounter waitFor;

    StepCounter(StepCounter waitFor) {
      this.waitFor = waitFor;
    }

    @Override
    public void afterRun(SessionRunContext ctx, SessionRunValues values) {
      steps.incrementAndGet();
      lastGlobalStep.set(values.globalStep());
      try {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (waitFor != null && waitFor.steps.get() == 0 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void psChiefAndWorkerShareVariablesAndTheEvaluatorStopsAtMaxSteps() throws Exception {
    int ps = freePort();
    int chief = freePort();
    int worker = freePort();
    String cluster =
        "{\"ps\": [\"localhost:"
            + ps
            + "\"], \"chief\": [\"localhost:"
            + chief
            + "\"], \"worker\": [\"localhost:"
            + worker
            + "\"]}";
    TaskServer psServer = DistributedTraining.startParameterServer(config(cluster, "ps", 0));
    assertThat(psServer.target()).isEqualTo("grpc://localhost:" + ps);

    StepCounter workerSteps = new StepCounter(null);
    StepCounter chiefSteps = new StepCounter(workerSteps);
    EvalSpec eval = new EvalSpec(input(1), null, null, List.of(), List.of(), 0, 0);
    ExecutorService pool =
        Executors.newFixedThreadPool(
            3,
            r -> {
              Thread t = new Thread(r, "distributed-test");
              t.setDaemon(true);
              return t;
            });
    try {
      Future<TrainAndEvaluate.Result> evaluator =
          pool.submit(() -> run(cluster, "evaluator", 0, new StepCounter(null), eval));
      Future<TrainAndEvaluate.Result> chiefRun =
          pool.submit(() -> run(cluster, "chief", 0, chiefSteps, eval));
      Future<TrainAndEvaluate.Result> workerRun =
          pool.submit(() -> run(cluster, "worker", 0, workerSteps, eval));
      chiefRun.get(120, TimeUnit.SECONDS);
      workerRun.get(120, TimeUnit.SECONDS);
      TrainAndEvaluate.Result evaluated = evaluator.get(120, TimeUnit.SECONDS);

      // The chief's final checkpoint: the shared global step reached max_steps. In asynchronous
      // training the worker's step in flight when the chief stops may still land: +1 at most.
      Estimator reader = estimator(cluster, "evaluator", 0);
      String last = reader.latestCheckpoint().orElseThrow();
      long savedStep;
      try (CheckpointReader r = CheckpointReader.open(last);
          Tensor t = r.read("global_step")) {
        savedStep = ((TInt64) t).getLong();
      }
      assertThat(savedStep).isBetween(MAX_STEPS, MAX_STEPS + 1);
      // the file is named after the step the chief read before saving; the worker's step may
      // land between that read and the save (as with TF's CheckpointSaverHook)
      long named = Long.parseLong(last.substring(last.lastIndexOf('-') + 1));
      assertThat(named).isBetween(MAX_STEPS, savedStep);

      // Both trainers ran steps of the same global step: together they ran max_steps (+1 in
      // flight), each saw the shared step reach max_steps, neither ran all of them alone.
      long total = chiefSteps.steps.get() + workerSteps.steps.get();
      System.out.printf(
          "steps: chief %d, worker %d, total %d, checkpoint %d%n",
          chiefSteps.steps.get(), workerSteps.steps.get(), total, savedStep);
      assertThat(chiefSteps.steps.get()).isPositive().isLessThan(MAX_STEPS);
      assertThat(workerSteps.steps.get()).isPositive().isLessThan(MAX_STEPS);
      assertThat(total).isBetween(MAX_STEPS, MAX_STEPS + 1).isGreaterThanOrEqualTo(savedStep);
      assertThat(chiefSteps.lastGlobalStep.get()).isGreaterThanOrEqualTo(MAX_STEPS);
      assertThat(workerSteps.lastGlobalStep.get()).isGreaterThanOrEqualTo(MAX_STEPS);

      // The evaluator evaluated the final checkpoint and returned; the model learned y = 2x + 1
      // (the initial loss is about 2.4 for the seeded kernel and zero bias).
      assertThat(evaluated.metrics().get("global_step")).isEqualTo((double) savedStep);
      System.out.printf("final evaluation: %s%n", evaluated.metrics());
      assertThat(evaluated.metrics().get("loss")).isLessThan(0.1);

      // The ps never ends (tensorflow-java cannot stop a server); waiting on it times out.
      assertThat(psServer.awaitTermination(Duration.ofMillis(100))).isFalse();
    } finally {
      pool.shutdownNow();
    }
  }

  private TrainAndEvaluate.Result run(
      String cluster, String type, int index, StepCounter counter, EvalSpec eval) {
    Estimator est = estimator(cluster, type, index);
    TrainSpec train = new TrainSpec(input(null), MAX_STEPS, List.of(counter), List.of());
    return TrainAndEvaluate.run(est, train, eval);
  }

  private Estimator estimator(String cluster, String type, int index) {
    return Estimator.builder(LINEAR)
        .config(config(cluster, type, index).toBuilder().modelDir(modelDir).build())
        .build();
  }

  static RunConfig config(String cluster, String type, int index) {
    ClusterConfig c =
        ClusterConfig.parse(
            "{\"cluster\": "
                + cluster
                + ", \"task\": {\"type\": \""
                + type
                + "\", \"index\": "
                + index
                + "}}");
    return RunConfig.builder()
        .cluster(c)
        .randomSeed(3)
        .saveCheckpointsSteps(20)
        .logStepCountSteps(20)
        .saveSummarySteps(0)
        .maxWorkerDelaySecs(0)
        .sessionCreationTimeoutSecs(60)
        .build();
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
