package io.estimator4j.estimator.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.layers.Dense;
import io.estimator4j.estimator.layers.DenseLayer;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.optimizer.GradientDescent;
import io.estimator4j.estimator.optimizer.SyncReplicas;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Synchronous training through the Estimator, as tf.estimator users write it: the model function
 * wraps its optimizer in {@link SyncReplicas} (2 replicas of 2) and adds its hook. One ps, a chief
 * and a worker, each with its own TensorFlow server on localhost, train to max_steps.
 */
@Tag("slow")
class SyncReplicasEstimatorTest {
  private static final long MAX_STEPS = 30;

  @TempDir Path modelDir;

  static final ModelFn SYNC_LINEAR =
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
          SyncReplicas sync = new SyncReplicas(GradientDescent.of(0.2), 2, 2);
          spec.trainOp(sync.minimize(tf, loss, layer.trainableVariables(), ctx.globalStep()));
          spec.trainingHooks(List.of(sync.hook(ctx.config().isChief())));
        }
        return spec.build();
      };

  @Test
  void chiefAndWorkerTakeOneGlobalStepPerAggregatedStepAndBothFinish() throws Exception {
    int ps = DistributedTrainAndEvaluateTest.freePort();
    int chief = DistributedTrainAndEvaluateTest.freePort();
    int worker = DistributedTrainAndEvaluateTest.freePort();
    String cluster =
        "{\"ps\": [\"localhost:%d\"], \"chief\": [\"localhost:%d\"], \"worker\": [\"localhost:%d\"]}"
            .formatted(ps, chief, worker);
    DistributedTraining.startParameterServer(
        DistributedTrainAndEvaluateTest.config(cluster, "ps", 0));
    DistributedTrainAndEvaluateTest.StepCounter workerSteps =
        new DistributedTrainAndEvaluateTest.StepCounter(null);
    DistributedTrainAndEvaluateTest.StepCounter chiefSteps =
        new DistributedTrainAndEvaluateTest.StepCounter(null);
    ExecutorService pool =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "sync-estimator-test");
              t.setDaemon(true);
              return t;
            });
    try {
      Future<?> chiefRun = pool.submit(() -> train(cluster, "chief", chiefSteps));
      Future<?> workerRun = pool.submit(() -> train(cluster, "worker", workerSteps));
      chiefRun.get(180, TimeUnit.SECONDS);
      // the chief released the tokens at its end: the worker is not left waiting for a step
      workerRun.get(60, TimeUnit.SECONDS);

      String last = estimator(cluster, "chief").latestCheckpoint().orElseThrow();
      long savedStep;
      try (CheckpointReader r = CheckpointReader.open(last);
          Tensor t = r.read("global_step")) {
        savedStep = ((TInt64) t).getLong();
      }
      System.out.printf(
          "sync steps: chief %d, worker %d, checkpoint %d%n",
          chiefSteps.steps.get(), workerSteps.steps.get(), savedStep);
      // one global step per aggregated step: exactly max_steps. Each aggregated step averages 2
      // fresh gradients (from either replica: as in Python, a faster replica may give both), so
      // together they ran at least 2 * max_steps train ops (more when gradients were stale and
      // dropped), unlike asynchronous training where the two together run max_steps (+1)
      assertThat(savedStep).isEqualTo(MAX_STEPS);
      assertThat(chiefSteps.steps.get()).isPositive();
      assertThat(workerSteps.steps.get()).isPositive();
      assertThat(chiefSteps.steps.get() + workerSteps.steps.get())
          .isGreaterThanOrEqualTo(2 * MAX_STEPS);
      assertThat(chiefSteps.lastGlobalStep.get()).isEqualTo(MAX_STEPS);
      try (CheckpointReader r = CheckpointReader.open(last)) {
        assertThat(r.variables()).doesNotContainKey("sync_rep_local_step");
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private void train(
      String cluster, String type, DistributedTrainAndEvaluateTest.StepCounter counter) {
    Estimator est = estimator(cluster, type);
    TrainSpec train =
        new TrainSpec(
            DistributedTrainAndEvaluateTest.input(null), MAX_STEPS, List.of(counter), List.of());
    TrainAndEvaluate.run(
        est,
        train,
        new EvalSpec(
            DistributedTrainAndEvaluateTest.input(1), null, null, List.of(), List.of(), 0, 0));
  }

  private Estimator estimator(String cluster, String type) {
    return Estimator.builder(SYNC_LINEAR)
        .config(
            DistributedTrainAndEvaluateTest.config(cluster, type, 0).toBuilder()
                .modelDir(modelDir)
                .build())
        .build();
  }
}
