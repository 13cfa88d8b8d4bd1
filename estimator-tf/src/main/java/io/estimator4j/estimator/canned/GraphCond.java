package io.estimator4j.estimator.canned;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.SwitchCond;
import org.tensorflow.types.TBool;

/**
 * An in-graph {@code if} for side effects, built from TensorFlow's Switch and Merge as
 * tf.compat.v1.cond builds it: the ops of the branch not taken are dead and do not run. Used where
 * boosted_trees.py uses {@code _cond} (grow the tree once enough batches are accumulated, flush the
 * quantiles, center the bias); tensorflow-java cannot build functional {@code If} branches that
 * capture resources.
 *
 * <p>Every op of a branch must depend on the branch's pivot: build them with {@link Branch#tf()},
 * and add control dependencies only through {@link Branch#after}, which keeps the pivot (a plain
 * {@code withControlDependencies} would drop it and let the op run in both branches).
 */
final class GraphCond {
  private GraphCond() {}

  /** A branch under construction. */
  static final class Branch {
    private final Ops tf;
    private final Operand<TBool> pivot;

    private Branch(Ops scope, Operand<TBool> pivot) {
      this.pivot = pivot;
      this.tf = scope.withControlDependencies(List.of(pivot));
    }

    /** Ops that run only when this branch is taken. */
    Ops tf() {
      return tf;
    }

    /** Ops that run only when this branch is taken, after {@code ops}. */
    Ops after(List<? extends Op> ops) {
      List<Op> deps = new ArrayList<>(ops);
      deps.add(pivot);
      return tf.withControlDependencies(deps);
    }
  }

  /** Builds a branch and returns the ops it must run (targets of the branch). */
  @FunctionalInterface
  interface BranchFn {
    List<Op> build(Branch branch);
  }

  /** A branch that does nothing. */
  static final BranchFn NOTHING = b -> List.of();

  /**
   * Runs {@code ifTrue}'s ops when {@code pred} is true, else {@code ifFalse}'s; the returned op
   * completes after the branch taken.
   */
  static Op ifElse(Ops tf, String name, Operand<TBool> pred, BranchFn ifTrue, BranchFn ifFalse) {
    Ops s = tf.withSubScope(name);
    SwitchCond<TBool> sw = s.withName("Switch").switchCond(pred, pred);
    Operand<TBool> pivotTrue = s.withName("switch_t").identity(sw.outputTrue());
    Operand<TBool> pivotFalse = s.withName("switch_f").identity(sw.outputFalse());
    Operand<TBool> doneTrue = finish(s, "then", pivotTrue, ifTrue);
    Operand<TBool> doneFalse = finish(s, "else", pivotFalse, ifFalse);
    return s.withName("Merge").merge(List.of(doneTrue, doneFalse)).output();
  }

  private static Operand<TBool> finish(Ops s, String name, Operand<TBool> pivot, BranchFn fn) {
    Branch b = new Branch(s.withSubScope(name), pivot);
    List<Op> ops = fn.build(b);
    return b.after(ops).withName("done").identity(pivot);
  }
}
