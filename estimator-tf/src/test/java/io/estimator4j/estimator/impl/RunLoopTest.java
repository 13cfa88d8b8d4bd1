package io.estimator4j.estimator.impl;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.estimator.hook.SessionRunArgs;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TInt64;

/** The locally counted global step and the reused fetch plan give the values a fetch gives. */
class RunLoopTest {

  /** Records every step's global step; fetches the step itself every {@code every} steps. */
  static final class Recorder implements SessionRunHook {
    final Operand<TInt64> step;
    final int every;
    final long stopAfter;
    final SessionRunArgs fetchArgs;
    final List<Long> seen = new ArrayList<>();
    final List<Long> fetched = new ArrayList<>();
    final List<Long> seenWhenFetched = new ArrayList<>();
    long runs;
    boolean fetching;

    Recorder(Operand<TInt64> step, int every, long stopAfter) {
      this.step = step;
      this.every = every;
      this.stopAfter = stopAfter;
      this.fetchArgs = SessionRunArgs.fetch("step", step);
    }

    @Override
    public SessionRunArgs beforeRun(SessionRunContext ctx) {
      fetching = every > 0 && (runs + 1) % every == 0;
      // a new instance on each trigger step, like the logging and summary hooks
      return fetching ? SessionRunArgs.fetch("step", step) : SessionRunArgs.NONE;
    }

    @Override
    public void afterRun(SessionRunContext ctx, SessionRunValues values) {
      runs++;
      seen.add(values.globalStep());
      if (fetching) {
        fetched.add((long) values.scalar("step"));
        seenWhenFetched.add(values.globalStep());
      }
      if (runs >= stopAfter) {
        ctx.requestStop("test");
      }
    }
  }

  private record Run(RunLoop.Outcome outcome, Recorder recorder, long finalStep) {}

  private static Run run(
      long start, long increment, int hookEvery, long steps, boolean countLocally) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TInt64> gs = tf.withName("global_step").variable(tf.constant(start));
      Op train = tf.assignAdd(gs, tf.constant(increment));
      Operand<TInt64> after =
          tf.withSubScope("global_step_after").withControlDependencies(List.of(train)).identity(gs);
      Recorder rec = new Recorder(after, hookEvery, steps);
      try (Session s = new Session(g)) {
        s.initialize();
        SessionRunContext ctx = new SessionRunContext(s);
        RunLoop.Outcome out =
            RunLoop.run(s, List.of(train), after, countLocally ? gs : null, List.of(rec), ctx);
        long fin;
        try (var r = s.runner().fetch(gs).run()) {
          fin = ((TInt64) r.get(0)).getLong();
        }
        return new Run(out, rec, fin);
      }
    }
  }

  @Test
  void countedStepEqualsFetchedStepAndSkipsMostFetches() {
    long steps = 450;
    Run r = run(40, 1, 37, steps, true);
    assertThat(r.recorder.seen)
        .containsExactlyElementsOf(LongStream.rangeClosed(41, 40 + steps).boxed().toList());
    assertThat(r.recorder.seenWhenFetched).isEqualTo(r.recorder.fetched);
    assertThat(r.finalStep).isEqualTo(40 + steps);
    assertThat(r.outcome.steps()).isEqualTo(steps);
    assertThat(r.outcome.countedLocally()).isTrue();
    // fetched on the first step, on the hook's trigger steps and at least every VERIFY_EVERY
    assertThat(r.outcome.stepFetches()).isLessThan(steps / 4).isGreaterThanOrEqualTo(steps / 37);
  }

  @Test
  void sameValuesAsFetchingEveryStep() {
    Run counted = run(0, 1, 7, 250, true);
    Run fetched = run(0, 1, 7, 250, false);
    assertThat(counted.recorder.seen).isEqualTo(fetched.recorder.seen);
    assertThat(counted.recorder.fetched).isEqualTo(fetched.recorder.fetched);
    assertThat(fetched.outcome.stepFetches()).isEqualTo(250);
    assertThat(fetched.outcome.countedLocally()).isFalse();
  }

  @Test
  void trainOpThatAddsTwoFallsBackToFetchingEveryStep() {
    Run r = run(0, 2, 0, 30, true);
    assertThat(r.recorder.seen)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, 30).map(i -> 2 * i).boxed().toList());
    assertThat(r.outcome.countedLocally()).isFalse();
    assertThat(r.outcome.stepFetches()).isEqualTo(30);
  }

  @Test
  void trainOpThatDoesNotMoveTheStepFallsBack() {
    Run r = run(5, 0, 0, 12, true);
    assertThat(r.recorder.seen).containsOnly(5L).hasSize(12);
    assertThat(r.outcome.countedLocally()).isFalse();
  }
}
