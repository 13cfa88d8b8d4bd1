package io.estimator4j.estimator.optimizer;

import static io.estimator4j.estimator.optimizer.Quadratic.VARIABLE;
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
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The TF2 form of each optimizer (Keras optimizer_v2 as tf.estimator's V2 canned estimators use
 * it): state names under {@code training/<Name>/}, and one or two steps on loss = sum(w²), w = [1,
 * 2] (g = 2·w) against the Keras update formulas written out beside each check.
 */
class KerasOptimizersTest {
  private static final float TOLERANCE = 1e-5f;
  private static final String SLOT = "/" + VARIABLE + "/";

  @Test
  void adagradAccumulatorHypersAndEpsilon() {
    try (Quadratic q = new Quadratic(Adagrad.of(0.1), true, true)) {
      // accum = 0.1 + g² = [4.1, 16.1]; w -= 0.1·g / (sqrt(accum) + 1e-7)  (ResourceApplyAdagradV2)
      float[] expected = {
        (float) (1 - 0.2 / (Math.sqrt(4.1) + 1e-7)), (float) (2 - 0.4 / (Math.sqrt(16.1) + 1e-7))
      };
      assertThat(q.train(1)).containsExactly(expected, within(TOLERANCE));
      assertThat(q.valueOf("training/Adagrad" + SLOT + "accumulator"))
          .containsExactly(new float[] {4.1f, 16.1f}, within(TOLERANCE));
      assertThat(q.valueOf("training/Adagrad/learning_rate")).containsExactly(0.1f);
      assertThat(q.valueOf("training/Adagrad/decay")).containsExactly(0f);
      // iterations is global_step (dnn.py's optimizer.iterations = global_step): no iter variable
      assertThat(q.step()).isEqualTo(1L);
      assertThat(q.graph.operation("training/Adagrad/iter")).isNull();
      assertThat(q.graph.operation(VARIABLE + "/Adagrad")).isNull();
    }
  }

  @Test
  void ftrlSlotsHypersAndOwnIterations() {
    try (Quadratic q = new Quadratic(Ftrl.of(0.1), true, false)) {
      // as TF1's kernel with l2 + beta/(2 lr) = 0: w0: accum' = 4.1,
      // linear = 2 - (sqrt(4.1) - sqrt(0.1))/0.1·1 = -15.086181, w = 15.086181/(sqrt(4.1)/0.1)
      double lin0 = 2 - (Math.sqrt(4.1) - Math.sqrt(0.1)) / 0.1;
      double lin1 = 4 - (Math.sqrt(16.1) - Math.sqrt(0.1)) / 0.1 * 2;
      float[] expected = {
        (float) (-lin0 / (Math.sqrt(4.1) / 0.1)), (float) (-lin1 / (Math.sqrt(16.1) / 0.1))
      };
      assertThat(q.train(1)).containsExactly(expected, within(TOLERANCE));
      assertThat(q.valueOf("training/Ftrl" + SLOT + "accumulator"))
          .containsExactly(new float[] {4.1f, 16.1f}, within(TOLERANCE));
      assertThat(q.valueOf("training/Ftrl" + SLOT + "linear"))
          .containsExactly(new float[] {(float) lin0, (float) lin1}, within(1e-4f));
      for (String hyper :
          List.of("beta", "decay", "l1_regularization_strength", "l2_regularization_strength")) {
        assertThat(q.valueOf("training/Ftrl/" + hyper)).containsExactly(0f);
      }
      assertThat(q.valueOf("training/Ftrl/learning_rate_power")).containsExactly(-0.5f);
      // not bound to global_step: the optimizer counts in its own iter
      assertThat(q.int64("training/Ftrl/iter")).isEqualTo(1L);
      assertThat(q.step()).isZero();
    }
  }

  @Test
  void adamPowersFromTheIterations() {
    try (Quadratic q = new Quadratic(Optimizers.byNameV2("Adam", 0.1), true, true)) {
      double[] w = {1, 2};
      double[] m = new double[2];
      double[] v = new double[2];
      for (int t = 1; t <= 2; t++) {
        // local_step = iterations + 1 = t; β^t = pow(β, t); ApplyAdam with Keras's ε 1e-7
        double lrT = 0.1 * Math.sqrt(1 - Math.pow(0.999, t)) / (1 - Math.pow(0.9, t));
        for (int i = 0; i < 2; i++) {
          double g = 2 * w[i];
          m[i] = 0.9 * m[i] + 0.1 * g;
          v[i] = 0.999 * v[i] + 0.001 * g * g;
          w[i] -= lrT * m[i] / (Math.sqrt(v[i]) + 1e-7);
        }
        float[] actual = q.train(1);
        assertThat(actual[0]).isCloseTo((float) w[0], within(TOLERANCE));
        assertThat(actual[1]).isCloseTo((float) w[1], within(TOLERANCE));
      }
      assertThat(q.valueOf("training/Adam" + SLOT + "m")[0])
          .isCloseTo((float) m[0], within(TOLERANCE));
      assertThat(q.valueOf("training/Adam" + SLOT + "v")[1])
          .isCloseTo((float) v[1], within(TOLERANCE));
      assertThat(q.valueOf("training/Adam/beta_1")).containsExactly(0.9f);
      assertThat(q.valueOf("training/Adam/beta_2")).containsExactly(0.999f);
      assertThat(q.graph.operation("beta1_power")).isNull();
      assertThat(q.step()).isEqualTo(2L);
    }
  }

  @Test
  void rmspropWithoutMomentumStartsAtZero() {
    try (Quadratic q = new Quadratic(Optimizers.byNameV2("RMSProp", 0.01), true, true)) {
      // rms = 0.9·0 + 0.1·g²; w -= 0.01·g / (sqrt(rms) + 1e-7) = w - 0.01/sqrt(0.1) (g > 0)
      float[] expected = {
        (float) (1 - 0.01 * 2 / (Math.sqrt(0.4) + 1e-7)),
        (float) (2 - 0.01 * 4 / (Math.sqrt(1.6) + 1e-7))
      };
      assertThat(q.train(1)).containsExactly(expected, within(TOLERANCE));
      assertThat(q.valueOf("training/RMSprop" + SLOT + "rms"))
          .containsExactly(new float[] {0.4f, 1.6f}, within(TOLERANCE));
      assertThat(q.valueOf("training/RMSprop/rho")).containsExactly(0.9f);
      assertThat(q.valueOf("training/RMSprop/momentum")).containsExactly(0f);
      assertThat(q.graph.operation("training/RMSprop" + SLOT + "momentum")).isNull();
    }
  }

  @Test
  void sgdWithKerasMomentum() {
    Momentum momentum = Momentum.builder().learningRate(0.1).momentum(0.9).build();
    try (Quadratic q = new Quadratic(momentum, true, true)) {
      // accum = 0.9·accum - 0.1·g; w += accum. Step 1: accum = -0.1·[2, 4] = [-0.2, -0.4],
      // w = [0.8, 1.6]. Step 2: g = [1.6, 3.2], accum = [-0.18 - 0.16, -0.36 - 0.32]
      // = [-0.34, -0.68], w = [0.46, 0.92]
      assertThat(q.train(1)).containsExactly(new float[] {0.8f, 1.6f}, within(TOLERANCE));
      assertThat(q.train(1)).containsExactly(new float[] {0.46f, 0.92f}, within(TOLERANCE));
      assertThat(q.valueOf("training/SGD" + SLOT + "momentum"))
          .containsExactly(new float[] {-0.34f, -0.68f}, within(TOLERANCE));
      assertThat(q.valueOf("training/SGD/momentum")).containsExactly(0.9f);
    }
  }

  @Test
  void adadeltaKerasSlotsAndRho() {
    Adadelta adadelta = Adadelta.builder().learningRate(0.5).build();
    try (Quadratic q = new Quadratic(adadelta, true, true)) {
      double[] w = {1, 2};
      double[] accum = new double[2];
      double[] accumUpdate = new double[2];
      for (int t = 1; t <= 2; t++) {
        // accum_grad = ρ·accum_grad + (1-ρ)·g²; u = sqrt(accum_var + ε)/sqrt(accum_grad + ε)·g;
        // accum_var = ρ·accum_var + (1-ρ)·u²; w -= lr·u   (ResourceApplyAdadelta, ρ 0.95, ε 1e-7)
        for (int i = 0; i < 2; i++) {
          double g = 2 * w[i];
          accum[i] = 0.95 * accum[i] + 0.05 * g * g;
          double u = Math.sqrt(accumUpdate[i] + 1e-7) / Math.sqrt(accum[i] + 1e-7) * g;
          accumUpdate[i] = 0.95 * accumUpdate[i] + 0.05 * u * u;
          w[i] -= 0.5 * u;
        }
        assertThat(q.train(1)).containsExactly(toFloats(w), within(TOLERANCE));
      }
      assertThat(q.valueOf("training/Adadelta" + SLOT + "accum_grad"))
          .containsExactly(toFloats(accum), within(TOLERANCE));
      assertThat(q.valueOf("training/Adadelta" + SLOT + "accum_var"))
          .containsExactly(toFloats(accumUpdate), within(TOLERANCE));
      assertThat(q.valueOf("training/Adadelta/rho")).containsExactly(0.95f);
      assertThat(q.graph.operation(VARIABLE + "/Adadelta")).isNull();
      assertThat(q.step()).isEqualTo(2L);
    }
  }

  @Test
  void adamaxPowerFromTheIterations() {
    try (Quadratic q = new Quadratic(Adamax.builder().learningRate(0.1).build(), true, true)) {
      double[] w = {1, 2};
      double[] m = new double[2];
      double[] v = new double[2];
      for (int t = 1; t <= 2; t++) {
        // m = β1·m + (1-β1)·g; v = max(β2·v, |g|); w -= lr/(1 - β1^t)·m/(v + ε), β1^t =
        // pow(beta_1, iterations + 1)   (ResourceApplyAdaMax, ε 1e-7)
        for (int i = 0; i < 2; i++) {
          double g = 2 * w[i];
          m[i] = 0.9 * m[i] + 0.1 * g;
          v[i] = Math.max(0.999 * v[i], Math.abs(g));
          w[i] -= 0.1 / (1 - Math.pow(0.9, t)) * m[i] / (v[i] + 1e-7);
        }
        assertThat(q.train(1)).containsExactly(toFloats(w), within(TOLERANCE));
      }
      assertThat(q.valueOf("training/Adamax" + SLOT + "m"))
          .containsExactly(toFloats(m), within(TOLERANCE));
      assertThat(q.valueOf("training/Adamax" + SLOT + "v"))
          .containsExactly(toFloats(v), within(TOLERANCE));
      assertThat(q.valueOf("training/Adamax/beta_1")).containsExactly(0.9f);
      assertThat(q.graph.operation("beta1_power")).isNull();
    }
  }

  @Test
  void nadamMomentumCacheUpdatedOncePerStep() {
    try (Quadratic q = new Quadratic(Nadam.builder().learningRate(0.1).build(), true, true)) {
      double[] w = {1, 2};
      double[] m = new double[2];
      double[] v = new double[2];
      double schedule = 1;
      for (int t = 1; t <= 2; t++) {
        // nadam.py: μ(s) = β1·(1 - ½·0.96^(0.004·s)); momentum_cache *= μ(t) once per step;
        // g' = g/(1 - cache); m' = m/(1 - cache·μ(t+1)); v' = v/(1 - β2^t);
        // w -= lr·((1 - μ(t))·g' + μ(t+1)·m')/(sqrt(v') + ε)
        double mu = 0.9 * (1 - 0.5 * Math.pow(0.96, 0.004 * t));
        double mu1 = 0.9 * (1 - 0.5 * Math.pow(0.96, 0.004 * (t + 1)));
        schedule *= mu;
        for (int i = 0; i < 2; i++) {
          double g = 2 * w[i];
          m[i] = 0.9 * m[i] + 0.1 * g;
          v[i] = 0.999 * v[i] + 0.001 * g * g;
          double mPrime = m[i] / (1 - schedule * mu1);
          double vPrime = v[i] / (1 - Math.pow(0.999, t));
          double mBar = (1 - mu) * g / (1 - schedule) + mu1 * mPrime;
          w[i] -= 0.1 * mBar / (Math.sqrt(vPrime) + 1e-7);
        }
        assertThat(q.train(1)).containsExactly(toFloats(w), within(TOLERANCE));
      }
      assertThat(q.valueOf("training/Nadam/momentum_cache"))
          .containsExactly(new float[] {(float) schedule}, within(1e-6f));
      assertThat(q.valueOf("training/Nadam/decay")).containsExactly(0.004f);
      assertThat(q.valueOf("training/Nadam" + SLOT + "m"))
          .containsExactly(toFloats(m), within(TOLERANCE));
      assertThat(q.graph.operation("nadam_iterations")).isNull();
      assertThat(q.step()).isEqualTo(2L);
    }
  }

  private static float[] toFloats(double[] values) {
    float[] result = new float[values.length];
    for (int i = 0; i < values.length; i++) {
      result[i] = (float) values[i];
    }
    return result;
  }

  @Test
  void learningRateIsReadFromItsVariable() {
    try (Quadratic q = new Quadratic(GradientDescent.of(0.1), true, true)) {
      // a restore that brings another learning rate changes the step, as in Keras
      Ops tf = q.tf;
      Operand<TFloat32> lr = q.graph.operationOrThrow("training/SGD/learning_rate").output(0);
      Fetch.run(q.session, tf.assign(lr, tf.constant(0.5f)));
      // w -= 0.5·2·w = 0
      assertThat(q.train(1)).containsExactly(new float[] {0f, 0f}, within(TOLERANCE));
    }
  }

  /**
   * A [3, 1] weight looked up at rows 0 and 1 only, whose row 2 holds 5 while its FTRL state says 0
   * (a warm-started or restored row): the dense apply recomputes row 2 from linear = 0 and sets it
   * to 0; the sparse apply (Python's, for IndexedSlices) leaves it at 5.
   */
  @Test
  void ftrlSparseUpdateLeavesRowsNobodyLookedUp() {
    assertThat(ftrlRowTwoAfterOneStep(true, true)).isEqualTo(5f);
    assertThat(ftrlRowTwoAfterOneStep(true, false)).isEqualTo(0f);
    assertThat(ftrlRowTwoAfterOneStep(false, true)).isEqualTo(5f);
    assertThat(ftrlRowTwoAfterOneStep(false, false)).isEqualTo(0f);
  }

  private static float ftrlRowTwoAfterOneStep(boolean keras, boolean sparse) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w =
          Variables.global(tf, "weights", init -> init.constant(new float[][] {{1f}, {2f}, {5f}}));
      Variable<TInt64> step = Variables.global(tf, "global_step", init -> init.constant(0L));
      Operand<TInt64> ids = tf.constant(new long[] {0, 1, 0});
      Operand<TFloat32> rows = tf.gather(Variables.read(tf, w), ids, tf.constant(0));
      Operand<TFloat32> loss = tf.reduceSum(tf.math.square(rows), tf.constant(new int[] {0, 1}));
      Optimizer opt = Ftrl.of(0.1);
      GradAndVar<?> gv = opt.computeGradients(tf, loss, List.of(w)).get(0);
      List<GradAndVar<?>> gvs = List.of(sparse ? gv.withRowIds(ids) : gv);
      Op train =
          keras
              ? opt.applyGradientsV2(tf.withSubScope("training"), gvs, step)
              : opt.applyGradients(tf, gvs, step);
      try (Session s = new Session(g)) {
        s.initialize();
        Fetch.run(s, train);
        float[] after = Fetch.floats(s, w);
        assertThat(after[0]).isNotEqualTo(1f);
        return after[2];
      }
    }
  }
}
