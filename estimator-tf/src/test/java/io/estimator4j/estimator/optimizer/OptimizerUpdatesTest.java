package io.estimator4j.estimator.optimizer;

import static io.estimator4j.estimator.optimizer.Quadratic.VARIABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/**
 * Each optimizer runs on loss = sum(w²), w = [1, 2], so the gradient is g = 2·w; the expected
 * values follow the update formula of the TensorFlow kernel, computed in double beside each check.
 */
class OptimizerUpdatesTest {
  private static final float TOLERANCE = 1e-5f;

  @Test
  void gradientDescentTwoSteps() {
    try (Quadratic q = new Quadratic(GradientDescent.of(0.1))) {
      // step 1: g = [2, 4]; w = w - 0.1·g = [0.8, 1.6]
      assertThat(q.train(1)).containsExactly(new float[] {0.8f, 1.6f}, within(TOLERANCE));
      // step 2: g = [1.6, 3.2]; w = [0.8 - 0.16, 1.6 - 0.32] = [0.64, 1.28]
      assertThat(q.train(1)).containsExactly(new float[] {0.64f, 1.28f}, within(TOLERANCE));
      assertThat(q.step()).isEqualTo(2L);
      assertThat(q.graph.operation("GradientDescent")).isNotNull(); // Python's train op name
    }
  }

  @Test
  void adagradOneStepAndSlot() {
    try (Quadratic q = new Quadratic(Adagrad.of(0.1))) {
      // accum = 0.1 + g² = [4.1, 16.1]; w = w - 0.1·g/sqrt(accum)
      //   = [1 - 0.2/2.02485, 2 - 0.4/4.01248] = [0.901228, 1.900311]
      float[] expected = {
        (float) (1 - 0.1 * 2 / Math.sqrt(4.1)), (float) (2 - 0.1 * 4 / Math.sqrt(16.1))
      };
      assertThat(q.train(1)).containsExactly(expected, within(TOLERANCE));
      assertThat(q.valueOf(VARIABLE + "/Adagrad"))
          .containsExactly(new float[] {4.1f, 16.1f}, within(TOLERANCE));
      assertThat(q.step()).isEqualTo(1L);
    }
  }

  @Test
  void adamTwoStepsSlotsAndBetaPowers() {
    try (Quadratic q = new Quadratic(Adam.of(0.1))) {
      double[] w = {1, 2};
      double[] m = new double[2];
      double[] v = new double[2];
      for (int t = 1; t <= 2; t++) {
        // lr_t = lr·sqrt(1 - β2^t)/(1 - β1^t); step 1: 0.1·0.0316228/0.1 = 0.0316228
        double lrT = 0.1 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
        for (int i = 0; i < 2; i++) {
          double g = 2 * w[i];
          m[i] = 0.9 * m[i] + 0.1 * g; // step 1: 0.1·g
          v[i] = 0.999 * v[i] + 0.001 * g * g; // step 1: 0.001·g²
          w[i] -= lrT * m[i] / (Math.sqrt(v[i]) + 1e-8); // step 1: w - 0.1·sign(g) = [0.9, 1.9]
        }
        float[] actual = q.train(1);
        assertThat(actual[0]).isCloseTo((float) w[0], within(TOLERANCE));
        assertThat(actual[1]).isCloseTo((float) w[1], within(TOLERANCE));
        if (t == 1) {
          assertThat(actual).containsExactly(new float[] {0.9f, 1.9f}, within(TOLERANCE));
        }
      }
      assertThat(q.valueOf(VARIABLE + "/Adam")[0]).isCloseTo((float) m[0], within(TOLERANCE));
      assertThat(q.valueOf(VARIABLE + "/Adam_1")[1]).isCloseTo((float) v[1], within(TOLERANCE));
      // beta powers start at β and are multiplied by β after each step: 0.9³ after two steps
      assertThat(q.valueOf("beta1_power")[0]).isCloseTo(0.729f, within(TOLERANCE));
      assertThat(q.valueOf("beta2_power")[0]).isCloseTo(0.997003f, within(TOLERANCE));
      assertThat(q.step()).isEqualTo(2L);
    }
  }

  @Test
  void ftrlOneStepAndSlots() {
    try (Quadratic q = new Quadratic(Ftrl.of(0.1))) {
      // accum' = 0.1 + g²; linear = g - (sqrt(accum') - sqrt(0.1))/0.1·w;
      // w = -linear / (sqrt(accum')/0.1)       (l1 = l2 = 0)
      // w0: accum' = 4.1, linear = 2 - (2.024846 - 0.316228)/0.1·1 = -15.086181,
      //     w = 15.086181/20.248457 = 0.745052
      double[] w = {1, 2};
      float[] expectedW = new float[2];
      float[] expectedLinear = new float[2];
      for (int i = 0; i < 2; i++) {
        double g = 2 * w[i];
        double accumNew = 0.1 + g * g;
        double linear = g - (Math.sqrt(accumNew) - Math.sqrt(0.1)) / 0.1 * w[i];
        expectedLinear[i] = (float) linear;
        expectedW[i] = (float) (-linear / (Math.sqrt(accumNew) / 0.1));
      }
      assertThat(expectedW[0]).isCloseTo(0.745052f, within(1e-5f));
      assertThat(q.train(1)).containsExactly(expectedW, within(TOLERANCE));
      assertThat(q.valueOf(VARIABLE + "/Ftrl"))
          .containsExactly(new float[] {4.1f, 16.1f}, within(TOLERANCE));
      assertThat(q.valueOf(VARIABLE + "/Ftrl_1")).containsExactly(expectedLinear, within(1e-4f));
    }
  }

  @Test
  void ftrlWithLargeL1SetsWeightsToZero() {
    try (Quadratic q = new Quadratic(Ftrl.builder().learningRate(0.1).l1(100).build())) {
      // |linear| = [15.09, 30.6] <= l1 = 100, so w = 0
      assertThat(q.train(1)).containsExactly(0f, 0f);
    }
  }

  @Test
  void ftrlBetaAddsBetaOverTwiceTheRateToL2() {
    // TensorFlow 2's FTRL beta (what a Keras Ftrl config's beta maps to): the L2 strength is
    // l2 + beta / (2 lr), so beta 0.5 at lr 0.1 trains as l2 = 2.5 without beta, in both forms
    for (boolean keras : new boolean[] {false, true}) {
      float[] withBeta;
      try (Quadratic q =
          new Quadratic(Ftrl.builder().learningRate(0.1).beta(0.5).build(), keras, true)) {
        withBeta = q.train(3);
      }
      try (Quadratic q =
          new Quadratic(Ftrl.builder().learningRate(0.1).l2(2.5).build(), keras, true)) {
        float[] withL2 = q.train(3);
        assertThat(withBeta).as("keras %s", keras).containsExactly(withL2, within(1e-6f));
        assertThat(withL2).isNotEqualTo(Quadratic.START);
      }
    }
  }

  @Test
  void rmsPropOneStepStartsMeanSquareAtOne() {
    try (Quadratic q = new Quadratic(RMSProp.of(0.1))) {
      // ms = 0.9·1 + 0.1·g² = [1.3, 2.5]; mom = 0·0 + 0.1·g/sqrt(ms + 1e-10); w -= mom
      //   w0 = 1 - 0.2/1.140175 = 0.824584
      float[] expected = {
        (float) (1 - 0.1 * 2 / Math.sqrt(1.3 + 1e-10)),
        (float) (2 - 0.1 * 4 / Math.sqrt(2.5 + 1e-10))
      };
      assertThat(expected[0]).isCloseTo(0.824584f, within(1e-5f));
      assertThat(q.train(1)).containsExactly(expected, within(TOLERANCE));
      assertThat(q.valueOf(VARIABLE + "/RMSProp"))
          .containsExactly(new float[] {1.3f, 2.5f}, within(TOLERANCE));
      // the momentum slot holds the step taken: [1 - w0, 2 - w1]
      assertThat(q.valueOf(VARIABLE + "/RMSProp_1"))
          .containsExactly(new float[] {1 - expected[0], 2 - expected[1]}, within(TOLERANCE));
    }
  }

  @Test
  void momentumTwoSteps() {
    try (Quadratic q = new Quadratic(Momentum.builder().learningRate(0.1).momentum(0.9).build())) {
      // step 1: accum = 0.9·0 + g = [2, 4]; w = w - 0.1·accum = [0.8, 1.6]
      assertThat(q.train(1)).containsExactly(new float[] {0.8f, 1.6f}, within(TOLERANCE));
      // step 2: g = [1.6, 3.2]; accum = 0.9·[2, 4] + g = [3.4, 6.8]; w = [0.8 - 0.34, 1.6 - 0.68]
      assertThat(q.train(1)).containsExactly(new float[] {0.46f, 0.92f}, within(TOLERANCE));
      assertThat(q.valueOf(VARIABLE + "/Momentum"))
          .containsExactly(new float[] {3.4f, 6.8f}, within(TOLERANCE));
      assertThat(q.step()).isEqualTo(2L);
    }
  }

  @Test
  void adadeltaThreeStepsAgainstTheUpdateRule() {
    double lr = 0.5;
    double rho = 0.95;
    double eps = 1e-7;
    try (Quadratic q =
        new Quadratic(Adadelta.builder().learningRate(lr).rho(rho).epsilon(eps).build())) {
      float[] got = q.train(3);
      // per coordinate, g = 2w: accum = rho·accum + (1-rho)·g²;
      // u = sqrt(accum_update + eps) / sqrt(accum + eps) · g;
      // accum_update = rho·accum_update + (1-rho)·u²; w -= lr·u
      for (int c = 0; c < 2; c++) {
        double w = Quadratic.START[c];
        double accum = 0;
        double accumUpdate = 0;
        for (int step = 0; step < 3; step++) {
          double g = 2 * w;
          accum = rho * accum + (1 - rho) * g * g;
          double u = Math.sqrt(accumUpdate + eps) / Math.sqrt(accum + eps) * g;
          accumUpdate = rho * accumUpdate + (1 - rho) * u * u;
          w -= lr * u;
        }
        assertThat((double) got[c]).as("w[%d]", c).isCloseTo(w, within(1e-5));
      }
      assertThat(q.valueOf(VARIABLE + "/Adadelta")).hasSize(2);
      assertThat(q.valueOf(VARIABLE + "/Adadelta_1")).hasSize(2);
    }
  }

  @Test
  void adamaxThreeStepsAgainstTheUpdateRule() {
    double lr = 0.1;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-7;
    try (Quadratic q = new Quadratic(Adamax.builder().learningRate(lr).build())) {
      float[] got = q.train(3);
      // m = b1·m + (1-b1)·g; v = max(b2·v, |g|); w -= lr / (1 - b1^t) · m / (v + eps)
      for (int c = 0; c < 2; c++) {
        double w = Quadratic.START[c];
        double m = 0;
        double v = 0;
        for (int t = 1; t <= 3; t++) {
          double g = 2 * w;
          m = b1 * m + (1 - b1) * g;
          v = Math.max(b2 * v, Math.abs(g));
          w -= lr / (1 - Math.pow(b1, t)) * m / (v + eps);
        }
        assertThat((double) got[c]).as("w[%d]", c).isCloseTo(w, within(1e-5));
      }
      // beta1_power after 3 steps: 0.9^4
      assertThat(q.valueOf("beta1_power")[0]).isCloseTo((float) Math.pow(b1, 4), within(1e-6f));
    }
  }

  @Test
  void nadamThreeStepsAgainstKerasRule() {
    double lr = 0.1;
    double b1 = 0.9;
    double b2 = 0.999;
    double eps = 1e-7;
    double decay = 0.004;
    try (Quadratic q = new Quadratic(Nadam.builder().learningRate(lr).build())) {
      float[] got = q.train(3);
      // tf.keras nadam.py, per coordinate with g = 2w, t = 1, 2, 3:
      // mu(s) = b1 (1 - 0.5 · 0.96^(decay · s)); schedule *= mu(t); next = schedule · mu(t + 1)
      // g' = g / (1 - schedule); m = b1 m + (1 - b1) g; m' = m / (1 - next)
      // v = b2 v + (1 - b2) g²; v' = v / (1 - b2^t)
      // w -= lr ((1 - mu(t)) g' + mu(t + 1) m') / (sqrt(v') + eps)
      for (int c = 0; c < 2; c++) {
        double w = Quadratic.START[c];
        double m = 0;
        double v = 0;
        double schedule = 1;
        for (int t = 1; t <= 3; t++) {
          double g = 2 * w;
          double mu = b1 * (1 - 0.5 * Math.pow(0.96, decay * t));
          double mu1 = b1 * (1 - 0.5 * Math.pow(0.96, decay * (t + 1)));
          schedule *= mu;
          double next = schedule * mu1;
          double gPrime = g / (1 - schedule);
          m = b1 * m + (1 - b1) * g;
          double mPrime = m / (1 - next);
          v = b2 * v + (1 - b2) * g * g;
          double vPrime = v / (1 - Math.pow(b2, t));
          w -= lr * ((1 - mu) * gPrime + mu1 * mPrime) / (Math.sqrt(vPrime) + eps);
        }
        assertThat((double) got[c]).as("w[%d]", c).isCloseTo(w, within(1e-5));
      }
      assertThat(q.valueOf("nadam_iterations")).containsExactly(3f);
    }
  }
}
