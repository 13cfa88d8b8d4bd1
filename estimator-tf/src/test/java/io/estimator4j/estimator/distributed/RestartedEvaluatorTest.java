package io.estimator4j.estimator.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.Evaluator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.TestModels;
import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.input.InputFn;
import io.estimator4j.estimator.summary.EventFileReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * An evaluator that is restarted (a new process in a cluster; a new call here, with real
 * checkpoints and real event files) goes on with the newest checkpoint it has not evaluated: it
 * reads the step of its last evaluation from the eval directory's event files.
 */
class RestartedEvaluatorTest {
  private static final long MAX_STEPS = 40;

  @TempDir Path dir;

  @Test
  void aRestartedEvaluatorSkipsCheckpointsItEvaluatedBefore() throws Exception {
    Estimator trainer = TestModels.linear(dir, TestModels.quietConfig().saveCheckpointsSteps(20));
    trainer.train(TestModels.trainInput(null), StepLimit.maxSteps(20));
    String step20 = trainer.latestCheckpoint().orElseThrow();
    assertThat(step20).endsWith("-20");
    Estimator evaluatorTask = evaluatorEstimator();
    // the evaluator before its restart: it evaluated the checkpoint at step 20, then died
    try (Evaluator first = evaluatorTask.evaluator(TestModels.evalInput(), null)) {
      first.evaluate(null, step20, List.of());
    }
    assertThat(lossEventsByStep()).containsExactly(20L);

    // the restarted evaluator builds its graph (signalled by its input fn), looks at the
    // checkpoints (step 20 is still the newest) and must wait for a newer one
    CountDownLatch graphBuilt = new CountDownLatch(1);
    InputFn evalInput =
        ctx -> {
          graphBuilt.countDown();
          return TestModels.evalInput().build(ctx);
        };
    // no start delay, no throttle: the evaluator looks for checkpoints every 200 ms
    EvalSpec eval = new EvalSpec(evalInput, null, null, List.of(), List.of(), 0, 0);
    TrainSpec train = TrainSpec.of(TestModels.trainInput(null), MAX_STEPS);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<TrainAndEvaluate.Result> restarted =
          pool.submit(() -> TrainAndEvaluate.run(evaluatorTask, train, eval));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (!graphBuilt.await(100, TimeUnit.MILLISECONDS)) {
        if (restarted.isDone()) {
          restarted.get(); // the evaluator failed: its exception ends the test
        }
        assertThat(System.nanoTime()).as("the evaluator built its graph").isLessThan(deadline);
      }
      // several polls (every 200 ms) see step 20 as the newest checkpoint before step 40 comes
      Thread.sleep(1000);
      trainer.train(TestModels.trainInput(null), StepLimit.maxSteps(MAX_STEPS));
      TrainAndEvaluate.Result r = restarted.get(60, TimeUnit.SECONDS);
      assertThat(r.metrics().get("global_step")).isEqualTo((double) MAX_STEPS);
    } finally {
      pool.shutdownNow();
    }
    // step 20 once (before the restart), step 40 once (after it): no checkpoint evaluated twice
    assertThat(lossEventsByStep()).containsExactlyInAnyOrder(20L, MAX_STEPS);

    // restarted again after the final evaluation: it returns the recorded metrics at once
    Map<String, Double> finalMetrics =
        EventFileReader.scalarsByStep(dir.resolve("eval")).get(MAX_STEPS);
    TrainAndEvaluate.Result again = TrainAndEvaluate.run(evaluatorEstimator(), train, eval);
    assertThat(again.metrics())
        .containsEntry("global_step", (double) MAX_STEPS)
        .containsEntry("loss", finalMetrics.get("loss"));
    assertThat(lossEventsByStep()).containsExactlyInAnyOrder(20L, MAX_STEPS);
  }

  private Estimator evaluatorEstimator() {
    ClusterConfig evaluator = new ClusterConfig(Map.of(), ClusterConfig.EVALUATOR, 0, "");
    return Estimator.builder(TestModels.LINEAR)
        .config(TestModels.quietConfig().cluster(evaluator).modelDir(dir).build())
        .build();
  }

  /** The global step of every loss summary in the eval directory's event files, in order. */
  private List<Long> lossEventsByStep() throws Exception {
    List<Long> steps = new ArrayList<>();
    for (Path file : EventFileReader.eventFiles(dir.resolve("eval"))) {
      for (Event e : EventFileReader.readEvents(file)) {
        for (Summary.Value v : e.getSummary().getValueList()) {
          if (v.getTag().equals("loss")) {
            steps.add(e.getStep());
          }
        }
      }
    }
    return steps;
  }
}
