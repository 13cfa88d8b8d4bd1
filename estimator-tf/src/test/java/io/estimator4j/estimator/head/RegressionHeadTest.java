package io.estimator4j.estimator.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.Prediction;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegressionHeadTest {
  private static final double TOL = 1e-4;

  @TempDir Path dir;

  /** logits [[45], [41]], labels [[43], [44]]: squared errors [4, 9]. */
  private HeadHarness example(Head head) {
    return new HeadHarness(head, dir)
        .logits(new float[][] {{45}, {41}})
        .labels(tf -> tf.constant(new float[][] {{43}, {44}}));
  }

  @Test
  void lossAndMetrics() {
    Map<String, Double> m = example(RegressionHead.builder().build()).evaluate();
    // loss = sum((labels - logits)²) / batch_size = (4 + 9) / 2 = 6.5
    assertThat(m.get("loss")).isCloseTo(6.5, within(TOL));
    assertThat(m.get("average_loss")).isCloseTo(6.5, within(TOL));
    assertThat(m.get("prediction/mean")).isCloseTo(43, within(TOL)); // (45 + 41) / 2
    assertThat(m.get("label/mean")).isCloseTo(43.5, within(TOL)); // (43 + 44) / 2
    assertThat(m.keySet())
        .containsExactly("average_loss", "prediction/mean", "label/mean", "loss", "global_step");

    Map<String, Double> sum =
        example(RegressionHead.builder().lossReduction(LossReduction.SUM).build()).evaluate();
    assertThat(sum.get("loss")).isCloseTo(13, within(TOL)); // 4 + 9
  }

  @Test
  void weights() {
    Map<String, Double> m =
        example(RegressionHead.builder().weightColumn(HeadHarness.WEIGHTS).build())
            .weights(new float[] {1, 2})
            .evaluate();
    // weighted losses [1 · 4, 2 · 9]: loss = 22 / 2, average_loss = 22 / (1 + 2)
    assertThat(m.get("loss")).isCloseTo(11, within(TOL));
    assertThat(m.get("average_loss")).isCloseTo(22.0 / 3, within(TOL));
    assertThat(m.get("prediction/mean")).isCloseTo((45 + 2 * 41) / 3.0, within(TOL));
    assertThat(m.get("label/mean")).isCloseTo((43 + 2 * 44) / 3.0, within(TOL));
  }

  @Test
  void labelDimensionTwoWithPerExampleAndPerValueWeights() {
    // logits [[1, 2], [3, 4]], labels all 1: squared errors [[0, 1], [4, 9]]
    HeadHarness h =
        new HeadHarness(
                RegressionHead.builder()
                    .labelDimension(2)
                    .weightColumn(HeadHarness.WEIGHTS)
                    .build(),
                dir)
            .logits(new float[][] {{1, 2}, {3, 4}})
            .labels(tf -> tf.constant(new float[][] {{1, 1}, {1, 1}}));
    // weights [1, 2] per example: [[0, 1], [8, 18]]: loss = 27 / (2 · 2), average = 27 / 6
    Map<String, Double> perExample = h.weights(new float[] {1, 2}).evaluate();
    assertThat(perExample.get("loss")).isCloseTo(27.0 / 4, within(TOL));
    assertThat(perExample.get("average_loss")).isCloseTo(27.0 / 6, within(TOL));
    // weights [[1, 0], [0, 1]] per value: [[0, 0], [0, 9]]: loss = 9 / 4, average = 9 / 2
    Map<String, Double> perValue =
        h.feature(HeadHarness.WEIGHTS, tf -> tf.constant(new float[][] {{1, 0}, {0, 1}}))
            .evaluate();
    assertThat(perValue.get("loss")).isCloseTo(9.0 / 4, within(TOL));
    assertThat(perValue.get("average_loss")).isCloseTo(9.0 / 2, within(TOL));
  }

  @Test
  void predictionsWithAndWithoutLink() {
    Prediction identity =
        new HeadHarness(RegressionHead.builder().build(), dir)
            .logits(new float[][] {{1}, {2}})
            .predict();
    assertThat(identity.values().keySet()).containsExactly("predictions");
    assertThat(identity.floats("predictions")).containsExactly(1, 2);

    Prediction linked =
        new HeadHarness(
                RegressionHead.builder().inverseLinkFn((tf, x) -> tf.math.mul(x, x)).build(), dir)
            .logits(new float[][] {{3}, {-2}})
            .predict();
    assertThat(linked.values().keySet()).containsExactly("predictions", "logits");
    assertThat(linked.floats("predictions")).containsExactly(9, 4);
    assertThat(linked.floats("logits")).containsExactly(3, -2);
  }

  @Test
  void exportOutputs() {
    String regress = "tensorflow/serving/regress {outputs=predictions}";
    assertThat(
            new HeadHarness(RegressionHead.builder().build(), dir)
                .logits(new float[][] {{1}})
                .exportOutputs())
        .containsExactly(
            Map.entry("serving_default", regress),
            Map.entry("regression", regress),
            Map.entry("predict", "tensorflow/serving/predict {predictions=predictions}"));
  }

  @Test
  void wrongShapesFailWhenTheGraphIsBuilt() {
    HeadHarness labels =
        new HeadHarness(RegressionHead.builder().labelDimension(2).build(), dir)
            .logits(new float[][] {{1, 2}})
            .labels(tf -> tf.constant(new float[][] {{1}}));
    assertThatThrownBy(labels::evaluate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Mismatched label shape. Expected labels dimension=2.  Received 1.");
    HeadHarness weights =
        new HeadHarness(
                RegressionHead.builder()
                    .labelDimension(2)
                    .weightColumn(HeadHarness.WEIGHTS)
                    .build(),
                dir)
            .logits(new float[][] {{1, 2}})
            .labels(tf -> tf.constant(new float[][] {{1, 1}}))
            .feature(HeadHarness.WEIGHTS, tf -> tf.constant(new float[][] {{1, 1, 1}}));
    assertThatThrownBy(weights::evaluate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("weights shape must be [D0, D1, ... DN], [D0, D1, ... DN, 1] or")
        .hasMessageContaining("weights_shape: [1, 3]");
    assertThatThrownBy(() -> RegressionHead.builder().labelDimension(0).build())
        .hasMessageContaining("Invalid label_dimension 0");
  }

  /** logits [[0], [-0.5], [1]], labels [[1], [2], [3]]. */
  private HeadHarness poisson(PoissonRegressionHead head) {
    return new HeadHarness(head, dir)
        .logits(new float[][] {{0}, {-0.5f}, {1}})
        .labels(tf -> tf.constant(new float[][] {{1}, {2}, {3}}));
  }

  @Test
  void poissonLossWithoutStirling() {
    Map<String, Double> m =
        poisson(PoissonRegressionHead.builder().computeFullLoss(false).build()).evaluate();
    // exp(logits) - labels · logits = [1 - 0, e^-0.5 + 1, e - 3]
    double[] losses = {1, Math.exp(-0.5) + 1, Math.E - 3};
    double mean = (losses[0] + losses[1] + losses[2]) / 3; // 0.77494
    assertThat(m.get("loss")).isCloseTo(mean, within(TOL));
    assertThat(m.get("average_loss")).isCloseTo(mean, within(TOL));
    // predictions = exp(logits)
    assertThat(m.get("prediction/mean")).isCloseTo((1 + Math.exp(-0.5) + Math.E) / 3, within(TOL));
    assertThat(m.get("label/mean")).isCloseTo(2, within(TOL));
  }

  @Test
  void poissonFullLossAddsStirlingForLabelsAboveOne() {
    Map<String, Double> m = poisson(PoissonRegressionHead.builder().build()).evaluate();
    // Stirling z·ln z - z + ½·ln(2πz): 0 for z = 1; 0.65181 for z = 2; 1.76408 for z = 3
    double full = 1 + (Math.exp(-0.5) + 1 + stirling(2)) + (Math.E - 3 + stirling(3)); // 4.7407
    assertThat(m.get("loss")).isCloseTo(full / 3, within(TOL));
  }

  @Test
  void poissonPredictions() {
    Prediction p =
        new HeadHarness(PoissonRegressionHead.builder().build(), dir)
            .logits(new float[][] {{0}, {1}})
            .predict();
    assertThat(p.values().keySet()).containsExactly("predictions", "logits");
    assertThat(p.floats("predictions"))
        .containsExactly(new float[] {1, (float) Math.E}, within(1e-6f));
  }

  private static double stirling(double z) {
    return z * Math.log(z) - z + 0.5 * Math.log(2 * Math.PI * z);
  }
}
