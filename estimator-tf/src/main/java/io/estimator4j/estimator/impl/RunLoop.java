package io.estimator4j.estimator.impl;

import io.estimator4j.estimator.hook.SessionRunArgs;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.op.Op;
import org.tensorflow.types.TInt64;

/**
 * The step loop shared by train and evaluate, the counterpart of MonitoredSession.run with hooks:
 * each step merges the hooks' fetches into one session run with the loop's own targets, hands each
 * hook its values, and stops on a stop request or at the end of the input (then every hook's end
 * runs). Tensors of a step are closed before the next.
 *
 * <p>Two things keep the loop at the cost of a hand-written one:
 *
 * <ul>
 *   <li><b>Fetch plan reuse.</b> The merged fetches, targets and per-hook result slots of a step
 *       are kept with the {@link SessionRunArgs} instances the hooks returned; while every hook
 *       returns the same instances (hooks return constants on ordinary steps), the next step reuses
 *       the plan and, when no hook feeds, the same {@link Session.Runner}.
 *   <li><b>Locally counted global step</b> (single-worker training only, {@link #run(Session, List,
 *       Operand, Operand, List, SessionRunContext)}): the global step is read once at the start and
 *       counted (each run of the train op adds one); the step tensor is fetched and checked only on
 *       the first step, on steps whose plan changes (a hook fetches anyway, e.g. logging or
 *       summaries), every {@value #VERIFY_EVERY} steps, and once after the last step. On the first
 *       disagreement the loop logs it and fetches the step every step from then on.
 * </ul>
 */
public final class RunLoop {
  private static final Logger LOG = LoggerFactory.getLogger(RunLoop.class);

  /** A locally counted global step is checked against the fetched one at least this often. */
  static final int VERIFY_EVERY = 100;

  private RunLoop() {}

  /**
   * Outcome of a loop.
   *
   * @param steps runs of the targets
   * @param inputEnded whether the input ran out
   * @param stepFetches steps whose run fetched the step tensor (all of them when not counting)
   * @param countedLocally whether the global step was counted locally to the end (no disagreement)
   */
  public record Outcome(long steps, boolean inputEnded, long stepFetches, boolean countedLocally) {
    public Outcome(long steps, boolean inputEnded) {
      this(steps, inputEnded, steps, false);
    }
  }

  /**
   * Runs the loop, fetching the step tensor every step (evaluation, clusters).
   *
   * @param targets ops run every step (train op, metric updates)
   * @param stepTensor int64 scalar read every step (the global step after the step's updates)
   */
  public static Outcome run(
      Session session,
      List<Op> targets,
      Operand<TInt64> stepTensor,
      List<SessionRunHook> hooks,
      SessionRunContext ctx) {
    return run(session, targets, stepTensor, null, hooks, ctx);
  }

  /**
   * Runs the loop.
   *
   * @param targets ops run every step (train op, metric updates)
   * @param stepTensor int64 scalar: the global step after the step's updates
   * @param stepVariable the global step variable, read once at the start to count steps locally
   *     (each run of the targets must add exactly one to it); null to fetch {@code stepTensor}
   *     every step
   */
  public static Outcome run(
      Session session,
      List<Op> targets,
      Operand<TInt64> stepTensor,
      Operand<TInt64> stepVariable,
      List<SessionRunHook> hooks,
      SessionRunContext ctx) {
    for (SessionRunHook h : hooks) {
      h.afterCreateSession(session);
    }
    boolean counting = stepVariable != null;
    long step = 0;
    if (counting) {
      try (Result r = session.runner().fetch(stepVariable).run()) {
        step = ((TInt64) r.get(0)).getLong();
      }
    }
    long steps = 0;
    long stepFetches = 0;
    long lastVerified = 0;
    boolean ended = false;
    int n = hooks.size();
    SessionRunArgs[] args = new SessionRunArgs[n];
    Plan plan = null;
    while (!ctx.stopRequested()) {
      for (int h = 0; h < n; h++) {
        args[h] = hooks.get(h).beforeRun(ctx);
      }
      boolean sameArgs = plan != null && plan.sameArgs(args);
      boolean fetchStep =
          !counting || steps == 0 || !sameArgs || steps - lastVerified >= VERIFY_EVERY;
      if (!sameArgs || plan.withStep != fetchStep) {
        plan = new Plan(session, targets, stepTensor, fetchStep, args);
      }
      Session.Runner runner = plan.runner(session);
      Result result;
      try {
        result = runner.run();
      } catch (TFOutOfRangeException e) {
        ended = true;
        break;
      }
      try (result) {
        step++;
        if (fetchStep) {
          stepFetches++;
          long fetched = ((TInt64) result.get(0)).getLong();
          if (counting && fetched != step) {
            LOG.warn(
                "The global step is {} after run {} of the loop, where counting from the start gives"
                    + " {}: the train op does not add exactly one per run. Fetching the global step"
                    + " every step from now on.",
                fetched,
                steps + 1,
                step);
            counting = false;
          }
          step = fetched;
          lastVerified = steps + 1;
        }
        for (int h = 0; h < n; h++) {
          hooks.get(h).afterRun(ctx, new SessionRunValues(plan.values(h, result), step));
        }
      }
      steps++;
    }
    if (counting && steps > 0 && lastVerified != steps) {
      try (Result r = session.runner().fetch(stepVariable).run()) {
        long fetched = ((TInt64) r.get(0)).getLong();
        if (fetched != step) {
          LOG.warn(
              "The global step is {} after the loop, where counting from the start gives {}: the"
                  + " train op does not add exactly one per run.",
              fetched,
              step);
          counting = false;
        }
      }
    }
    for (SessionRunHook h : hooks) {
      h.end(session);
    }
    return new Outcome(steps, ended, stepFetches, counting);
  }

  /** The merged run of one step: fetches, targets, feeds and where each hook's values are. */
  private static final class Plan {
    final SessionRunArgs[] args;
    final boolean withStep;
    final String[][] names;
    final int[][] slots;
    final boolean hasFeeds;
    final Session.Runner runner;
    final List<Op> targets;
    final Output<?>[] fetches;

    Plan(
        Session session,
        List<Op> targets,
        Operand<TInt64> stepTensor,
        boolean withStep,
        SessionRunArgs[] current) {
      this.args = current.clone();
      this.withStep = withStep;
      this.targets = targets;
      int n = current.length;
      names = new String[n][];
      slots = new int[n][];
      // Result rejects a tensor fetched twice: fetch each output once, hand it to every asker.
      Map<Output<?>, Integer> fetched = new HashMap<>();
      List<Output<?>> order = new ArrayList<>();
      if (withStep) {
        fetched.put(stepTensor.asOutput(), 0);
        order.add(stepTensor.asOutput());
      }
      boolean feeds = false;
      for (int h = 0; h < n; h++) {
        SessionRunArgs a = current[h];
        int k = 0;
        names[h] = new String[a.fetches().size()];
        slots[h] = new int[a.fetches().size()];
        for (Map.Entry<String, Operand<?>> f : a.fetches().entrySet()) {
          Output<?> out = f.getValue().asOutput();
          Integer slot = fetched.get(out);
          if (slot == null) {
            slot = order.size();
            fetched.put(out, slot);
            order.add(out);
          }
          names[h][k] = f.getKey();
          slots[h][k] = slot;
          k++;
        }
        feeds |= !a.feeds().isEmpty();
      }
      this.fetches = order.toArray(new Output<?>[0]);
      this.hasFeeds = feeds;
      this.runner = feeds ? null : build(session);
    }

    boolean sameArgs(SessionRunArgs[] current) {
      for (int h = 0; h < args.length; h++) {
        if (args[h] != current[h]) {
          return false;
        }
      }
      return true;
    }

    /** The runner of this step: the plan's own, or a new one when a hook feeds tensors. */
    Session.Runner runner(Session session) {
      return hasFeeds ? build(session) : runner;
    }

    private Session.Runner build(Session session) {
      Session.Runner r = session.runner();
      targets.forEach(r::addTarget);
      for (Output<?> out : fetches) {
        r.fetch(out);
      }
      for (SessionRunArgs a : args) {
        a.targets().forEach(r::addTarget);
        a.feeds().forEach(r::feed);
      }
      return r;
    }

    Map<String, Tensor> values(int h, Result result) {
      String[] n = names[h];
      switch (n.length) {
        case 0:
          return Map.of();
        case 1:
          return Map.of(n[0], result.get(slots[h][0]));
        default:
          Map<String, Tensor> m = new HashMap<>(n.length * 2);
          for (int k = 0; k < n.length; k++) {
            m.put(n[k], result.get(slots[h][k]));
          }
          return m;
      }
    }
  }
}
