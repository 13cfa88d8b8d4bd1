package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Every tf.keras 2.x loss model_to_estimator maps, on fixed arrays, against its formula from
 * keras/losses.py written out here per example (ε = 1e-7), then Keras's sum_over_batch_size: the
 * mean over examples, or with sample weights sum(w_i · loss_i) / n.
 */
class KerasLossesTest {
  private static final double EPS = 1e-7;

  // regression-style predictions and targets: 2 examples of 2 values
  private static final float[][] P = {{0.5f, -1.0f}, {2.0f, 0.3f}};
  private static final float[][] T = {{1.0f, 0.0f}, {1.5f, 0.5f}};
  // probabilities and one-hot targets: 2 examples of 3 classes
  private static final float[][] PROBS = {{0.2f, 0.7f, 0.1f}, {0.5f, 0.3f, 0.2f}};
  private static final float[][] ONE_HOT = {{0, 1, 0}, {1, 0, 0}};

  private static double run(String name, float[][] p, float[][] t, float[] weights) {
    return run(new KerasTrainingConfig.Loss(name, false, 1.0), p, t, weights);
  }

  private static double run(KerasTrainingConfig.Loss loss, float[][] p, float[][] t, float[] w) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> weights = w == null ? null : tf.constant(w);
      Operand<TFloat32> l =
          KerasLosses.loss(tf, loss, tf.constant(p), tf.constant(t), "out", weights);
      try (TFloat32 v = (TFloat32) s.runner().fetch(l).run().get(0)) {
        return v.getFloat();
      }
    }
  }

  /** mean over examples of perExample(p_i, t_i). */
  private static double expected(
      float[][] p, float[][] t, BiFunction<float[], float[], Double> perExample) {
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      sum += perExample.apply(p[i], t[i]);
    }
    return sum / p.length;
  }

  /** mean over the last axis of f(p_j, t_j). */
  private static BiFunction<float[], float[], Double> elementwise(
      java.util.function.DoubleBinaryOperator f) {
    return (p, t) -> {
      double s = 0;
      for (int j = 0; j < p.length; j++) {
        s += f.applyAsDouble(p[j], t[j]);
      }
      return s / p.length;
    };
  }

  @Test
  void elementwiseLossesFollowTheirFormulas() {
    assertThat(run("mean_absolute_percentage_error", P, T, null))
        .isCloseTo(
            expected(
                P, T, elementwise((p, t) -> 100 * Math.abs((t - p) / Math.max(Math.abs(t), EPS)))),
            // a target of 0 divides by eps: 2.5e8, compared to float32's precision
            org.assertj.core.api.Assertions.withinPercentage(1e-4));
    assertThat(run("mean_squared_logarithmic_error", P, T, null))
        .isCloseTo(
            expected(
                P,
                T,
                elementwise(
                    (p, t) ->
                        Math.pow(
                            Math.log(Math.max(p, EPS) + 1) - Math.log(Math.max(t, EPS) + 1), 2))),
            within(1e-6));
    // huber, delta 1: e = |p - t|; 0.5 e² or e - 0.5
    assertThat(run("huber", P, T, null))
        .isCloseTo(
            expected(
                P,
                T,
                elementwise(
                    (p, t) -> {
                      double e = Math.abs(p - t);
                      return e <= 1 ? 0.5 * e * e : e - 0.5;
                    })),
            within(1e-6));
    assertThat(run(new KerasTrainingConfig.Loss("huber", false, 1.0, 0.3), P, T, null))
        .isCloseTo(
            expected(
                P,
                T,
                elementwise(
                    (p, t) -> {
                      double e = Math.abs(p - t);
                      return e <= 0.3 ? 0.5 * e * e : 0.3 * e - 0.5 * 0.09;
                    })),
            within(1e-6));
    // log(cosh(p - t))
    assertThat(run("log_cosh", P, T, null))
        .isCloseTo(expected(P, T, elementwise((p, t) -> Math.log(Math.cosh(p - t)))), within(1e-6));
    assertThat(run("poisson", PROBS, ONE_HOT, null))
        .isCloseTo(
            expected(PROBS, ONE_HOT, elementwise((p, t) -> p - t * Math.log(p + EPS))),
            within(1e-6));
  }

  @Test
  void hingeLossesTurnZeroOneLabelsIntoSigns() {
    // labels {0, 1} -> {-1, 1}: max(1 - t·p, 0)
    float[][] labels = {{0, 1}, {1, 0}};
    double hinge = expected(P, labels, elementwise((p, t) -> Math.max(1 - (2 * t - 1) * p, 0)));
    assertThat(run("hinge", P, labels, null)).isCloseTo(hinge, within(1e-6));
    assertThat(run("squared_hinge", P, labels, null))
        .isCloseTo(
            expected(
                P, labels, elementwise((p, t) -> Math.pow(Math.max(1 - (2 * t - 1) * p, 0), 2))),
            within(1e-6));
    // labels already -1/1 stay
    float[][] signs = {{-1, 1}, {1, -1}};
    assertThat(run("hinge", P, signs, null))
        .isCloseTo(expected(P, signs, elementwise((p, t) -> Math.max(1 - t * p, 0))), within(1e-6));
    // categorical_hinge: max(0, max((1 - t)·p) - sum(t·p) + 1)
    assertThat(run("categorical_hinge", PROBS, ONE_HOT, null))
        .isCloseTo(
            expected(
                PROBS,
                ONE_HOT,
                (p, t) -> {
                  double pos = 0;
                  double neg = Double.NEGATIVE_INFINITY;
                  for (int j = 0; j < p.length; j++) {
                    pos += t[j] * p[j];
                    neg = Math.max(neg, (1 - t[j]) * p[j]);
                  }
                  return Math.max(0, neg - pos + 1);
                }),
            within(1e-6));
  }

  @Test
  void distributionLosses() {
    // kl_divergence: sum(t·log(t / p)), both clipped to [eps, 1]
    assertThat(run("kl_divergence", PROBS, ONE_HOT, null))
        .isCloseTo(
            expected(
                PROBS,
                ONE_HOT,
                (p, t) -> {
                  double s = 0;
                  for (int j = 0; j < p.length; j++) {
                    double tc = Math.min(Math.max(t[j], EPS), 1);
                    double pc = Math.min(Math.max(p[j], EPS), 1);
                    s += tc * Math.log(tc / pc);
                  }
                  return s;
                }),
            within(1e-5));
    // cosine_similarity: -cos(p, t)
    assertThat(run("cosine_similarity", P, T, null))
        .isCloseTo(
            expected(
                P,
                T,
                (p, t) -> {
                  double dot = 0;
                  double np = 0;
                  double nt = 0;
                  for (int j = 0; j < p.length; j++) {
                    dot += p[j] * t[j];
                    np += p[j] * p[j];
                    nt += t[j] * t[j];
                  }
                  return -dot / Math.sqrt(np) / Math.sqrt(nt);
                }),
            within(1e-6));
  }

  @Test
  void sampleWeightsScaleEachExamplesLoss() {
    // mse per example: ((0.5-1)² + (-1-0)²)/2 = 0.625; ((2-1.5)² + (0.3-0.5)²)/2 = 0.145
    // weights [2, 0]: (2 · 0.625 + 0 · 0.145) / 2 = 0.625
    assertThat(run("mean_squared_error", P, T, new float[] {2, 0})).isCloseTo(0.625, within(1e-6));
    assertThat(run("mean_squared_error", P, T, null)).isCloseTo((0.625 + 0.145) / 2, within(1e-6));
    // categorical cross-entropy on probabilities: -ln 0.7 and -ln 0.5, weights [0, 1]: ln 2 / 2
    assertThat(run("categorical_crossentropy", PROBS, ONE_HOT, new float[] {0, 1}))
        .isCloseTo(Math.log(2) / 2, within(1e-6));
  }
}
