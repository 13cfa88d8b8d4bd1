package io.estimator4j.estimator.canned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * The raw boosted-trees ops on tiny inputs worked out by hand. Runs only where the runtime has the
 * kernels (tensorflow-java 1.1.0 has none: see {@link BoostedTreesKernelsTest}).
 */
@EnabledIf("io.estimator4j.estimator.canned.BoostedTreesKernels#available")
class BoostedTreesOpsTest {

  @Test
  void oneLayerOnOneFeatureSplitsWhereTheGradientsChangeSign() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TType> h = BoostedTreesOps.ensembleHandle(tf, "ensemble");
      Op create = BoostedTreesOps.createEnsemble(tf, h, tf.constant(0L), tf.constant(""));
      // four examples, one feature with buckets 0, 0, 1, 1
      Operand<TInt32> f0 = tf.constant(new int[][] {{0}, {0}, {1}, {1}});
      Operand<TFloat32> grads = tf.constant(new float[][] {{-1}, {-1}, {1}, {1}});
      Operand<TFloat32> hess = tf.constant(new float[][] {{1}, {1}, {1}, {1}});
      BoostedTreesOps.TrainingPrediction tp =
          BoostedTreesOps.trainingPredict(
              tf,
              h,
              tf.constant(new int[4]),
              tf.constant(new int[] {-1, -1, -1, -1}),
              List.of(f0),
              1);
      Operand<TFloat32> stats =
          BoostedTreesOps.aggregateStats(tf, tp.nodeIds(), grads, hess, f0, 1, 2);
      BoostedTreesOps.States states = BoostedTreesOps.ensembleStates(tf, h);
      Operand<TFloat32> zero = tf.constant(0f);
      BoostedTreesOps.BestSplits best =
          BoostedTreesOps.calculateBestFeatureSplitV2(
              tf,
              states.lastLayerNodesRange(),
              List.of(stats),
              tf.constant(org.tensorflow.ndarray.NdArrays.vectorOfObjects("inequality")),
              tf.constant(new int[] {0}),
              zero,
              zero,
              zero,
              zero,
              1);
      Op update =
          BoostedTreesOps.updateEnsembleV2(
              tf, h, List.of(best), tf.constant(1), tf.constant(0.1f), tf.constant(0), 1);
      Operand<TFloat32> logits = BoostedTreesOps.predict(tf, h, List.of(f0), 1);
      s.runner().addTarget(create).run();
      // bucket 0: G = -2, H = 2; bucket 1: G = 2, H = 2; the parent has G = 0, H = 4.
      // Split "bucket <= 0": gain = G_l^2/H_l + G_r^2/H_r - G^2/H = 2 + 2 - 0 = 4;
      // leaf weights -G/H: left 1, right -1.
      try (Result r = s.runner().fetch(best.gains()).fetch(best.thresholds()).run()) {
        assertThat(((TFloat32) r.get(0)).getFloat(0)).isCloseTo(4f, within(1e-6f));
        assertThat(((TInt32) r.get(1)).getInt(0)).isZero();
      }
      s.runner().addTarget(update).run();
      // learning rate 0.1: leaves 0.1 and -0.1
      try (Result r = s.runner().fetch(logits).fetch(states.numTrees()).run()) {
        TFloat32 l = (TFloat32) r.get(0);
        assertThat(l.getFloat(0, 0)).isCloseTo(0.1f, within(1e-6f));
        assertThat(l.getFloat(1, 0)).isCloseTo(0.1f, within(1e-6f));
        assertThat(l.getFloat(2, 0)).isCloseTo(-0.1f, within(1e-6f));
        assertThat(l.getFloat(3, 0)).isCloseTo(-0.1f, within(1e-6f));
        assertThat(((TInt32) r.get(1)).getInt()).isEqualTo(1);
      }
    }
  }
}
