package io.estimator4j.estimator.impl;

import io.estimator4j.estimator.hook.SessionRunArgs;
import io.estimator4j.estimator.hook.SessionRunContext;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.hook.SessionRunValues;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 */
public final class RunLoop {
  private RunLoop() {}

  /** Outcome of a loop. */
  public record Outcome(long steps, boolean inputEnded) {}

  /**
   * @param targets ops run every step (train op, metric updates)
   * @param stepTensor int64 scalar read every step (the global step after the step's updates)
   */
  public static Outcome run(
      Session session,
      List<Op> targets,
      Operand<TInt64> stepTensor,
      List<SessionRunHook> hooks,
      SessionRunContext ctx) {
    for (SessionRunHook h : hooks) {
      h.afterCreateSession(session);
    }
    long steps = 0;
    boolean ended = false;
    List<SessionRunArgs> args = new ArrayList<>(hooks.size());
    while (!ctx.stopRequested()) {
      args.clear();
      Session.Runner runner = session.runner();
      targets.forEach(runner::addTarget);
      runner.fetch(stepTensor);
      // Result rejects a tensor fetched twice: fetch each output once, hand it to every asker.
      Map<Output<?>, Integer> fetched = new HashMap<>();
      fetched.put(stepTensor.asOutput(), 0);
      List<List<String>> names = new ArrayList<>(hooks.size());
      List<List<Integer>> slots = new ArrayList<>(hooks.size());
      for (SessionRunHook h : hooks) {
        SessionRunArgs a = h.beforeRun(ctx);
        args.add(a);
        List<String> n = new ArrayList<>(a.fetches().size());
        List<Integer> idx = new ArrayList<>(a.fetches().size());
        for (Map.Entry<String, Operand<?>> f : a.fetches().entrySet()) {
          Output<?> out = f.getValue().asOutput();
          Integer slot = fetched.get(out);
          if (slot == null) {
            slot = fetched.size();
            fetched.put(out, slot);
            runner.fetch(out);
          }
          n.add(f.getKey());
          idx.add(slot);
        }
        slots.add(idx);
        a.targets().forEach(runner::addTarget);
        a.feeds().forEach(runner::feed);
        names.add(n);
      }
      Result result;
      try {
        result = runner.run();
      } catch (TFOutOfRangeException e) {
        ended = true;
        break;
      }
      try (result) {
        long step = ((TInt64) result.get(0)).getLong();
        for (int h = 0; h < hooks.size(); h++) {
          List<String> n = names.get(h);
          Map<String, Tensor> values = n.isEmpty() ? Map.of() : new HashMap<>();
          for (int k = 0; k < n.size(); k++) {
            values.put(n.get(k), result.get(slots.get(h).get(k)));
          }
          hooks.get(h).afterRun(ctx, new SessionRunValues(values, step));
        }
      }
      steps++;
    }
    for (SessionRunHook h : hooks) {
      h.end(session);
    }
    return new Outcome(steps, ended);
  }
}
