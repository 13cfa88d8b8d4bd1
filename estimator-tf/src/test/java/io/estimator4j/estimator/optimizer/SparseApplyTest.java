package io.estimator4j.estimator.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.layers.Fetch;
import io.estimator4j.graph.Variables;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Python's IndexedSlices updates (the SparseApply ops) for optimizers whose zero-gradient dense
 * update still moves a row: a {@code [3, 2]} weight w = [[1, 1], [2, 2], [3, 3]], loss = sum of the
 * looked-up rows (so each looked-up row's gradient is 1 per element), step 1 looks up rows 0 and 2,
 * step 2 row 0 only. Row 1 is never looked up; row 2 only in step 1, so step 2 must leave its
 * variable and slots where step 1 put them (the dense update would move them).
 */
class SparseApplyTest {
  private static final float TOLERANCE = 1e-5f;

  @Test
  void momentumUpdatesOnlyTheLookedUpRows() {
    Optimizer opt = Momentum.builder().learningRate(0.1).momentum(0.9).build();
    // TF1: accum = 0.9·accum + g; w -= 0.1·accum
    //   step 1, rows 0 and 2: accum = 1, w = 1 - 0.1 = 0.9 and 3 - 0.1 = 2.9
    //   step 2, row 0: accum = 0.9 + 1 = 1.9, w = 0.9 - 0.19 = 0.71; row 2 keeps 2.9 (accum 1)
    //   dense step 2, row 2: accum = 0.9·1 + 0 = 0.9, w = 2.9 - 0.09 = 2.81
    Steps sparse = twoSteps(opt, false, true, "weights/Momentum");
    assertThat(sparse.weights)
        .containsExactly(new float[] {0.71f, 0.71f, 2, 2, 2.9f, 2.9f}, within(TOLERANCE));
    assertThat(sparse.slot)
        .containsExactly(new float[] {1.9f, 1.9f, 0, 0, 1, 1}, within(TOLERANCE));
    Steps dense = twoSteps(opt, false, false, "weights/Momentum");
    assertThat(dense.weights[4]).isCloseTo(2.81f, within(TOLERANCE));
    assertThat(dense.slot[4]).isCloseTo(0.9f, within(TOLERANCE));
    // Keras SGD with momentum (ResourceSparseApplyKerasMomentum): accum = 0.9·accum - 0.1·g;
    // w += accum: accum = -0.1 after step 1 (w 0.9, 2.9), row 0 after step 2: accum = -0.19,
    // w = 0.71; row 2 keeps 2.9 (dense: accum -0.09, w 2.81)
    assertThat(twoSteps(opt, true, true, null).weights)
        .containsExactly(new float[] {0.71f, 0.71f, 2, 2, 2.9f, 2.9f}, within(TOLERANCE));
    assertThat(twoSteps(opt, true, false, null).weights[4]).isCloseTo(2.81f, within(TOLERANCE));
  }

  @Test
  void rmsPropUpdatesOnlyTheLookedUpRows() {
    Optimizer opt = RMSProp.builder().learningRate(0.1).momentum(0.5).epsilon(1e-10).build();
    // TF1 (ms starts at 1): ms = 0.9·ms + 0.1·g²; mom = 0.5·mom + 0.1·g/sqrt(ms); w -= mom
    //   step 1, rows 0 and 2: ms = 1, mom = 0.1, w = 0.9 and 2.9
    //   step 2, row 0: ms = 1, mom = 0.05 + 0.1 = 0.15, w = 0.75; row 2 keeps 2.9 (ms 1, mom 0.1)
    //   dense step 2, row 2: ms = 0.9, mom = 0.05, w = 2.85
    Steps sparse = twoSteps(opt, false, true, "weights/RMSProp");
    assertThat(sparse.weights)
        .containsExactly(new float[] {0.75f, 0.75f, 2, 2, 2.9f, 2.9f}, within(TOLERANCE));
    assertThat(sparse.slot).containsExactly(new float[] {1, 1, 1, 1, 1, 1}, within(TOLERANCE));
    Steps dense = twoSteps(opt, false, false, "weights/RMSProp");
    assertThat(dense.weights[4]).isCloseTo(2.85f, within(TOLERANCE));
    assertThat(dense.slot[4]).isCloseTo(0.9f, within(TOLERANCE));
    // Keras RMSprop with momentum (rms starts at 0, ResourceSparseApplyRMSProp):
    //   step 1: rms = 0.1, mom = 0.1/sqrt(0.1) = 0.316228, w = 0.683772 and 2.683772
    //   step 2, row 0: rms = 0.09 + 0.1 = 0.19, mom = 0.158114 + 0.1/sqrt(0.19) = 0.158114 +
    //   0.229416 = 0.387530, w = 0.296242; row 2 keeps 2.683772
    //   dense step 2, row 2: rms = 0.09, mom = 0.158114, w = 2.525658
    assertThat(twoSteps(opt, true, true, null).weights)
        .containsExactly(
            new float[] {0.296242f, 0.296242f, 2, 2, 2.683772f, 2.683772f}, within(TOLERANCE));
    assertThat(twoSteps(opt, true, false, null).weights[4]).isCloseTo(2.525658f, within(TOLERANCE));
  }

  private record Steps(float[] weights, float[] slot) {}

  private static Steps twoSteps(Optimizer opt, boolean keras, boolean sparse, String slot) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w =
          Variables.global(
              tf, "weights", init -> init.constant(new float[][] {{1, 1}, {2, 2}, {3, 3}}));
      Variable<TInt64> step = Variables.global(tf, "global_step", init -> init.constant(0L));
      Placeholder<TInt64> ids = tf.placeholder(TInt64.class);
      Operand<TFloat32> rows = tf.gather(Variables.read(tf, w), ids, tf.constant(0));
      Operand<TFloat32> loss = tf.reduceSum(rows, tf.constant(new int[] {0, 1}));
      GradAndVar<?> gv = opt.computeGradients(tf, loss, List.of(w)).get(0);
      List<GradAndVar<?>> gvs = List.of(sparse ? gv.withRowIds(ids) : gv);
      Op train =
          keras
              ? opt.applyGradientsV2(tf.withSubScope("training"), gvs, step)
              : opt.applyGradients(tf, gvs, step);
      try (Session s = new Session(g)) {
        s.initialize();
        for (long[] stepIds : new long[][] {{0, 2}, {0}}) {
          try (TInt64 feed = TInt64.vectorOf(stepIds)) {
            s.runner().feed(ids, feed).addTarget(train).run().close();
          }
        }
        float[] slotValues =
            slot == null ? null : Fetch.floats(s, g.operationOrThrow(slot).output(0));
        return new Steps(Fetch.floats(s, w), slotValues);
      }
    }
  }
}
