package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.estimator.hook.CheckpointSaverListener;
import io.estimator4j.estimator.hook.EarlyStopping;
import io.estimator4j.estimator.hook.FinalOpsHook;
import io.estimator4j.estimator.hook.HookContext;
import io.estimator4j.estimator.hook.SecondOrStepTimer;
import io.estimator4j.estimator.hook.SessionRunArgs;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import io.estimator4j.estimator.modelfn.Params;
import io.estimator4j.estimator.summary.SummaryWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Session;

class HooksTest {
  @TempDir Path dir;

  /** Records the life cycle and fetches the global step through beforeRun. */
  static final class RecordingHook implements SessionRunHook {
    final List<String> calls = new ArrayList<>();
    final List<Double> fetched = new ArrayList<>();
    HookContext context;

    @Override
    public void begin(HookContext ctx) {
      calls.add("begin");
      context = ctx;
    }

    @Override
    public void afterCreateSession(Session session) {
      calls.add("afterCreateSession");
    }

    @Override
    public SessionRunArgs beforeRun(SessionRunContext ctx) {
      calls.add("beforeRun");
      return SessionRunArgs.fetch("step", context.globalStep());
    }

    @Override
    public void afterRun(SessionRunContext ctx, SessionRunValues values) {
      calls.add("afterRun");
      fetched.add(values.scalar("step"));
    }

    @Override
    public void end(Session session) {
      calls.add("end");
    }
  }

  @Test
  void lifeCycleRunsInOrderAndEndRunsAtEndOfInput() {
    RecordingHook hook = new RecordingHook();
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    // 64 rows, batch 8, one epoch: 8 steps and then the input ends
    est.train(TestModels.trainInput(1), StepLimit.untilInputEnds(), hook);
    assertThat(hook.calls.subList(0, 4))
        .containsExactly("begin", "afterCreateSession", "beforeRun", "afterRun");
    assertThat(hook.calls).last().isEqualTo("end");
    assertThat(hook.calls.stream().filter("afterRun"::equals)).hasSize(8);
    // the extra fetch is part of the same run as the train op; values are 0..7 or 1..8
    // depending on whether TensorFlow reads the variable before or after the update
    assertThat(hook.fetched).hasSize(8);
  }

  @Test
  void requestStopEndsTheLoop() {
    SessionRunHook stopAt3 =
        new SessionRunHook() {
          @Override
          public void afterRun(SessionRunContext ctx, SessionRunValues values) {
            if (values.globalStep() == 3) {
              ctx.requestStop();
            }
          }
        };
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(100), stopAt3);
    assertThat(CheckpointState.stepOf(est.latestCheckpoint().orElseThrow())).isEqualTo(3);
  }

  @Test
  void checkpointListenersSeeEverySaveAndCanStop() {
    List<Long> saved = new ArrayList<>();
    CheckpointSaverListener listener =
        new CheckpointSaverListener() {
          @Override
          public boolean afterSave(Session session, long step, String path) {
            saved.add(step);
            return step >= 10;
          }
        };
    Estimator est = TestModels.linear(dir, TestModels.quietConfig().saveCheckpointsSteps(5));
    est.train(TestModels.trainInput(null), StepLimit.steps(100), List.of(), List.of(listener));
    // saves at session start (0), at 5 and at 10, where the listener asks to stop
    assertThat(saved).containsExactly(0L, 5L, 10L);
  }

  @Test
  void finalOpsHookReadsValuesAtEnd() {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(4));
    // evaluation uses a FinalOpsHook for its metrics; here on its own in a training loop
    FinalOpsHook[] holder = new FinalOpsHook[1];
    SessionRunHook capture =
        new SessionRunHook() {
          @Override
          public void begin(HookContext ctx) {
            holder[0] = new FinalOpsHook(Map.of("gs", ctx.globalStep()));
            holder[0].begin(ctx);
          }

          @Override
          public void end(Session session) {
            holder[0].end(session);
          }
        };
    est.train(TestModels.trainInput(null), StepLimit.steps(3), capture);
    assertThat(holder[0].finalOpsValues()).containsEntry("gs", 7.0);
  }

  @Test
  void earlyStoppingStopsWhenTheEvalMetricStopsDecreasing() {
    // Evaluation history: loss improves until step 200, then gets worse.
    try (SummaryWriter w = new SummaryWriter(dir.resolve("eval"))) {
      w.scalar("loss", 100, 0.9);
      w.scalar("loss", 200, 0.5);
      w.scalar("loss", 300, 0.6);
      w.scalar("loss", 400, 0.7);
    }
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    // best at 200; the evaluation at 400 is 200 steps later >= 150 -> stop at the first check
    SessionRunHook hook =
        EarlyStopping.stopIfNoDecreaseHook(
            est.evalDir(null), "loss", 150, 0, SecondOrStepTimer.everySteps(10));
    est.train(TestModels.trainInput(null), StepLimit.steps(1000), hook);
    assertThat(CheckpointState.stepOf(est.latestCheckpoint().orElseThrow())).isEqualTo(1);
  }

  @Test
  void earlyStoppingKeepsTrainingWhileTheMetricImproves() {
    try (SummaryWriter w = new SummaryWriter(dir.resolve("eval"))) {
      w.scalar("loss", 100, 0.9);
      w.scalar("loss", 200, 0.5);
    }
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    SessionRunHook hook =
        EarlyStopping.stopIfNoDecreaseHook(
            est.evalDir(null), "loss", 150, 0, SecondOrStepTimer.everySteps(10));
    est.train(TestModels.trainInput(null), StepLimit.steps(30), hook);
    assertThat(CheckpointState.stepOf(est.latestCheckpoint().orElseThrow())).isEqualTo(30);
  }

  @Test
  void earlyStoppingWithRealEvaluations() {
    // Train with a learning rate so high that the loss oscillates upward after converging is not
    // reliable; instead evaluate a model that stops learning (learning rate 1e-12, below float
    // precision for these weights).
    Estimator est =
        Estimator.builder(TestModels.LINEAR)
            .config(TestModels.quietConfig().modelDir(dir).build())
            .params(Params.of(Map.of("learning_rate", 1e-12)))
            .build();
    for (int i = 0; i < 3; i++) {
      est.train(TestModels.trainInput(null), StepLimit.steps(10));
      est.evaluate(TestModels.evalInput());
    }
    // evaluations at 10, 20, 30 all equal: the best stays at step 10, 20 steps without decrease
    SessionRunHook hook =
        EarlyStopping.stopIfNoDecreaseHook(
            est.evalDir(null), "loss", 20, 0, SecondOrStepTimer.everySteps(1));
    est.train(TestModels.trainInput(null), StepLimit.steps(50), hook);
    assertThat(CheckpointState.stepOf(est.latestCheckpoint().orElseThrow())).isEqualTo(31);
  }
}
