package io.estimator4j.estimator.canned;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TInt32;

/** The Switch/Merge conditional runs only the ops of the branch taken, nested ones included. */
class GraphCondTest {

  @Test
  void onlyTheBranchTakenRuns() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Variable<TInt32> a = tf.withName("a").variable(tf.constant(0));
      Variable<TInt32> b = tf.withName("b").variable(tf.constant(0));
      org.tensorflow.op.core.Placeholder<org.tensorflow.types.TBool> pred =
          tf.placeholder(org.tensorflow.types.TBool.class);
      Op cond =
          GraphCond.ifElse(
              tf,
              "cond",
              pred,
              br -> List.of(br.tf().assignAdd(a, br.tf().constant(1))),
              br -> {
                // a nested conditional inside the else branch: always true there
                Op inner =
                    GraphCond.ifElse(
                        br.tf(),
                        "inner",
                        br.tf().constant(true),
                        br2 -> List.of(br2.tf().assignAdd(b, br2.tf().constant(10))),
                        GraphCond.NOTHING);
                return List.of(inner);
              });
      s.initialize();
      for (boolean p : new boolean[] {true, true, false}) {
        try (var t = org.tensorflow.types.TBool.scalarOf(p)) {
          s.runner().feed(pred, t).addTarget(cond).run();
        }
      }
      try (Result r = s.runner().fetch(a).fetch(b).run()) {
        assertThat(((TInt32) r.get(0)).getInt()).isEqualTo(2);
        assertThat(((TInt32) r.get(1)).getInt()).isEqualTo(10);
      }
    }
  }
}
