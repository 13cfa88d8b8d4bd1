package io.estimator4j.estimator.optimizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.layers.Fetch;
import io.estimator4j.graph.Variables;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** The schedules' values against Keras's formulas, and optimizers that follow them per step. */
class LearningRateScheduleTest {

  private static float at(LearningRateSchedule s, float step) {
    try (Graph g = new Graph();
        Session session = new Session(g)) {
      Ops tf = Ops.create(g);
      return Fetch.scalar(session, s.value(tf, tf.constant(step)));
    }
  }

  @Test
  void schedulesComputeKerasFormulas() {
    // ExponentialDecay: 0.1 * 0.5^(t / 2); staircase floors t / 2
    assertThat(at(LearningRateSchedule.exponentialDecay(0.1, 2, 0.5, false), 3))
        .isCloseTo((float) (0.1 * Math.pow(0.5, 1.5)), within(1e-7f));
    assertThat(at(LearningRateSchedule.exponentialDecay(0.1, 2, 0.5, true), 3))
        .isCloseTo(0.05f, within(1e-7f));
    // InverseTimeDecay: 0.1 / (1 + 0.5 * t / 2)
    assertThat(at(LearningRateSchedule.inverseTimeDecay(0.1, 2, 0.5, false), 3))
        .isCloseTo((float) (0.1 / 1.75), within(1e-7f));
    // PiecewiseConstantDecay([10, 20], [1, 0.5, 0.1]): boundaries belong to the piece below
    LearningRateSchedule pw =
        LearningRateSchedule.piecewiseConstant(new double[] {10, 20}, new double[] {1, 0.5, 0.1});
    assertThat(at(pw, 10)).isEqualTo(1f);
    assertThat(at(pw, 11)).isEqualTo(0.5f);
    assertThat(at(pw, 20)).isEqualTo(0.5f);
    assertThat(at(pw, 21)).isEqualTo(0.1f);
    // PolynomialDecay(1, 10, end 0.1, power 2): (1 - 0.1) * (1 - min(t, 10) / 10)^2 + 0.1
    LearningRateSchedule poly = LearningRateSchedule.polynomialDecay(1, 10, 0.1, 2, false);
    assertThat(at(poly, 5)).isCloseTo(0.9f * 0.25f + 0.1f, within(1e-6f));
    assertThat(at(poly, 50)).isCloseTo(0.1f, within(1e-7f));
    // with cycle the decay steps grow to 10 * ceil(15 / 10) = 20: 0.9 * (1 - 0.75)^2 + 0.1
    assertThat(at(LearningRateSchedule.polynomialDecay(1, 10, 0.1, 2, true), 15))
        .isCloseTo(0.9f * 0.0625f + 0.1f, within(1e-6f));
    // CosineDecay(1, 10, alpha 0.2): 0.8 * 0.5 * (1 + cos(pi * 5 / 10)) + 0.2
    assertThat(at(LearningRateSchedule.cosineDecay(1, 10, 0.2), 5)).isCloseTo(0.6f, within(1e-6f));
    // Keras 2's decay on top: 0.1 / (1 + 0.5 * 4)
    assertThat(at(LearningRateSchedule.constant(0.1).withTimeBasedDecay(0.5), 4))
        .isCloseTo(0.1f / 3, within(1e-7f));
  }

  @Test
  void anOptimizerAppliesTheRateOfEachGlobalStep() {
    // loss = sum(w^2), gradient 2w; rate 0.1 at step 0, then 0.01:
    // w1 = w0 - 0.1 * 2 * w0 = 0.8 * [1, 2]; w2 = w1 - 0.01 * 2 * w1 = 0.98 * w1
    LearningRateSchedule pw =
        LearningRateSchedule.piecewiseConstant(new double[] {0}, new double[] {0.1, 0.01});
    try (Quadratic q = new Quadratic(GradientDescent.of(pw))) {
      assertThat(q.train(1)).containsExactly(new float[] {0.8f, 1.6f}, within(1e-6f));
      assertThat(q.train(1)).containsExactly(new float[] {0.784f, 1.568f}, within(1e-6f));
      assertThat(q.step()).isEqualTo(2);
    }
    // the same for an optimizer with slots: Adam's first step moves each weight by about lr
    try (Quadratic q = new Quadratic(Adam.builder().learningRate(pw).build())) {
      float[] w = q.train(2);
      assertThat(w[0]).isCloseTo(1f - 0.1f - 0.01f, within(1e-4f));
    }
    assertThat(GradientDescent.of(pw).learningRate()).isNaN();
    assertThat(GradientDescent.of(pw).learningRateSchedule()).contains(pw);
    assertThat(GradientDescent.of(0.5).toString()).isEqualTo("GradientDescent(learning_rate=0.5)");
  }

  @Test
  void aScheduleNeedsTheGlobalStep() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w = Variables.global(tf, "w", init -> init.constant(new float[] {1}));
      Operand<TFloat32> loss = tf.reduceSum(tf.math.square(Variables.read(tf, w)), tf.constant(0));
      Optimizer sgd = GradientDescent.of(LearningRateSchedule.constant(0.1));
      assertThatThrownBy(() -> sgd.minimize(tf, loss, List.of(w), null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs the global step");
    }
  }
}
