package io.estimator4j.estimator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.layers.Fetch;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/** {@link Metrics#auc} and {@link Metrics#accuracyBaseline} against hand-computed values. */
class AucTest {
  private static final float TOL = 1e-5f;
  // scikit-learn's roc_auc_score example: AUC 0.75
  private static final float[] LABELS = {0, 0, 1, 1};
  private static final float[] SCORES = {0.1f, 0.4f, 0.35f, 0.8f};

  @Test
  void rocAreaIsTheTrapezoidalRuleOverThresholds() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Metric auc = Metrics.auc(tf, "auc", tf.constant(LABELS), tf.constant(SCORES), null);
      assertThat(auc.localVariables())
          .extracting(v -> v.op().name())
          .containsExactly(
              "auc/true_positives",
              "auc/false_positives",
              "auc/true_negatives",
              "auc/false_negatives");
      assertThat(auc.localVariables().get(0).shape().asArray()).containsExactly(200);
      Fetch.run(s, auc.initializer());
      assertThat(Fetch.scalar(s, auc.value())).isZero();
      Fetch.run(s, auc.update());
      // ROC points (fpr, tpr) (1, 1) (0.5, 1) (0.5, 0.5) (0, 0.5) (0, 0): area 0.75
      assertThat(Fetch.scalar(s, auc.value())).isCloseTo(0.75f, within(TOL));
      // a second identical batch leaves the rates, hence the area, unchanged
      Fetch.run(s, auc.update());
      assertThat(Fetch.scalar(s, auc.value())).isCloseTo(0.75f, within(TOL));
      Fetch.run(s, auc.initializer());
      assertThat(Fetch.scalar(s, auc.value())).isZero();
    }
  }

  @Test
  void weightedRocArea() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Metric auc =
          Metrics.auc(
              tf,
              "auc",
              tf.constant(LABELS),
              tf.constant(SCORES),
              tf.constant(new float[] {1, 1, 2, 1}));
      Fetch.run(s, auc.initializer());
      Fetch.run(s, auc.update());
      // weighted ordered (positive, negative) pairs: 0.35 (w 2) beats 0.1; 0.8 (w 1) beats both:
      // (2 + 1 + 1) / (3 · 2)
      assertThat(Fetch.scalar(s, auc.value())).isCloseTo(4f / 6, within(TOL));
    }
  }

  @Test
  void precisionRecallAreaUsesKerasInterpolation() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Metric pr =
          Metrics.auc(tf, "pr", tf.constant(LABELS), tf.constant(SCORES), null, AucCurve.PR, 200);
      Fetch.run(s, pr.initializer());
      Fetch.run(s, pr.update());
      // predicted positives p fall 4 -> 3 -> 2 -> 1 -> 0 at 0.1, 0.35, 0.4, 0.8; true positives
      // change only at 0.35 (slope 1, intercept 1 - 2 = -1: (1 - ln(3/2)) / 2) and 0.8 (1 / 2)
      assertThat(Fetch.scalar(s, pr.value()))
          .isCloseTo((float) ((1 - Math.log(1.5)) / 2 + 0.5), within(TOL));
    }
  }

  @Test
  void fewerThanTwoThresholdsIsRejected() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      assertThatThrownBy(
              () ->
                  Metrics.auc(
                      tf, "auc", tf.constant(LABELS), tf.constant(SCORES), null, AucCurve.ROC, 1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("numThresholds must be > 1");
    }
  }

  @Test
  void accuracyBaselineIsTheMoreFrequentClassRate() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Metric unweighted =
          Metrics.accuracyBaseline(tf, "baseline", tf.constant(new float[] {0, 0, 0, 1}), null);
      Metric weighted =
          Metrics.accuracyBaseline(
              tf,
              "weighted",
              tf.constant(new float[] {1, 0, 1, 1}),
              tf.constant(new float[] {1, 3, 1, 1}));
      Fetch.run(s, unweighted.initializer(), weighted.initializer());
      Fetch.run(s, unweighted.update(), weighted.update());
      // label mean 0.25: max(0.25, 1 - 0.25)
      assertThat(Fetch.scalar(s, unweighted.value())).isCloseTo(0.75f, within(TOL));
      // weighted label mean (1 + 1 + 1) / 6 = 0.5: max(0.5, 0.5)
      assertThat(Fetch.scalar(s, weighted.value())).isCloseTo(0.5f, within(TOL));
    }
  }
}
