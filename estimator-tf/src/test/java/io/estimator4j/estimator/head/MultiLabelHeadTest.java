package io.estimator4j.estimator.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.Prediction;
import io.estimator4j.estimator.input.ArrayInput;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.exceptions.TFInvalidArgumentException;

class MultiLabelHeadTest {
  private static final double TOL = 1e-5;

  @TempDir Path dir;

  /** sigmoid cross-entropy of one logit: max(x, 0) - x·z + ln(1 + e^-|x|). */
  private static double ce(double z, double x) {
    return Math.max(x, 0) - x * z + Math.log1p(Math.exp(-Math.abs(x)));
  }

  // TensorFlow's MultiLabelHead docstring: per example, the mean over the 2 classes
  private static final double EX1 = (ce(1, -1) + ce(0, 1)) / 2; // 1.31326169
  private static final double EX2 = (ce(1, -1.5) + ce(1, 1.5)) / 2; // 0.9514133

  /** logits [[-1, 1], [-1.5, 1.5]], labels [[1, 0], [1, 1]]. */
  private HeadHarness docExample(MultiLabelHead head) {
    return new HeadHarness(head, dir)
        .logits(new float[][] {{-1, 1}, {-1.5f, 1.5f}})
        .labels(tf -> tf.constant(new long[][] {{1, 0}, {1, 1}}));
  }

  @Test
  void docstringExample() {
    Map<String, Double> m =
        docExample(MultiLabelHead.builder(2).classesForClassBasedMetrics(1).build()).evaluate();
    // loss = (1.31326169 + 0.9514133) / 2 = 1.13
    assertThat(m.get("loss")).isCloseTo((EX1 + EX2) / 2, within(TOL));
    assertThat(m.get("average_loss")).isCloseTo((EX1 + EX2) / 2, within(TOL));
    // probabilities flattened [0.27 (1), 0.73 (0), 0.18 (1), 0.82 (1)]: of the 3 (positive,
    // negative) pairs only 0.82 > 0.73 is ordered, so auc = 1/3
    assertThat(m.get("auc")).isCloseTo(1.0 / 3, within(TOL));
    // PR over 3 positives, steps where tp changes (p = predicted positives):
    // p 4 -> 3: (1 - ln(4/3)) / 3; p 3 -> 2: (1 - ln(3/2)) / 3; p 1 -> 0: 1 / 3  (~0.77)
    double pr = (1 - Math.log(4.0 / 3)) / 3 + (1 - Math.log(1.5)) / 3 + 1.0 / 3;
    assertThat(m.get("auc_precision_recall")).isCloseTo(pr, within(TOL));
    // class 1: labels [0, 1], probabilities [sigmoid(1), sigmoid(1.5)]
    assertThat(m.get("probability_mean/class1"))
        .isCloseTo((sigmoid(1) + sigmoid(1.5)) / 2, within(TOL));
    assertThat(m.get("auc/class1")).isCloseTo(1.0, within(TOL));
    assertThat(m.keySet())
        .containsExactly(
            "average_loss",
            "auc",
            "auc_precision_recall",
            "probability_mean/class1",
            "auc/class1",
            "auc_precision_recall/class1",
            "loss",
            "global_step");
  }

  @Test
  void weightsAndReductions() {
    Map<String, Double> m =
        docExample(MultiLabelHead.builder(2).weightColumn(HeadHarness.WEIGHTS).build())
            .weights(new float[] {1, 2})
            .evaluate();
    // weighted sum = 1 · 1.3133 + 2 · 0.9514; loss / batch 2, average_loss / sum(weights) 3
    assertThat(m.get("loss")).isCloseTo((EX1 + 2 * EX2) / 2, within(TOL));
    assertThat(m.get("average_loss")).isCloseTo((EX1 + 2 * EX2) / 3, within(TOL));

    Map<String, Double> sum =
        docExample(MultiLabelHead.builder(2).lossReduction(LossReduction.SUM).build()).evaluate();
    assertThat(sum.get("loss")).isCloseTo(EX1 + EX2, within(TOL));
  }

  @Test
  void thresholdMetrics() {
    Map<String, Double> m =
        docExample(MultiLabelHead.builder(2).thresholds(0.5).build()).evaluate();
    // predicted [0, 1, 0, 1] against labels [1, 0, 1, 1]: right 1 of 4; tp 1, fp 1, fn 2
    assertThat(m.get("accuracy/positive_threshold_0.5")).isCloseTo(0.25, within(TOL));
    assertThat(m.get("precision/positive_threshold_0.5")).isCloseTo(0.5, within(TOL));
    assertThat(m.get("recall/positive_threshold_0.5")).isCloseTo(1.0 / 3, within(TOL));
  }

  @Test
  void predictionsAndExports() {
    HeadHarness h =
        new HeadHarness(MultiLabelHead.builder(3).build(), dir).logits(new float[][] {{0, 2, -2}});
    Prediction p = h.predict();
    assertThat(p.values().keySet()).containsExactly("logits", "probabilities", "classes");
    assertThat(p.floats("probabilities"))
        .containsExactly(
            new float[] {0.5f, (float) sigmoid(2), (float) sigmoid(-2)}, within(1e-6f));
    assertThat(HeadHarness.strings(p, "classes")).containsExactly("0", "1", "2");
    String classify = "tensorflow/serving/classify {classes=classes, scores=probabilities}";
    assertThat(h.exportOutputs())
        .containsExactly(
            Map.entry("serving_default", classify),
            Map.entry("classification", classify),
            Map.entry(
                "predict",
                "tensorflow/serving/predict {logits=logits, probabilities=probabilities, "
                    + "classes=classes}"));
  }

  @Test
  void stringLabelsPaddedWithEmptyStrings() {
    MultiLabelHead head = MultiLabelHead.builder(3).labelVocabulary(List.of("a", "b", "c")).build();
    HeadHarness h =
        new HeadHarness(head, dir)
            .logits(new float[][] {{10, -10, 10}, {-10, 10, -10}})
            .labels(tf -> HeadHarness.text(tf, new String[][] {{"a", "c"}, {"b", ""}}));
    Map<String, Double> m = h.evaluate();
    // multi-hot [[1, 0, 1], [0, 1, 0]] agrees with every logit: loss = ln(1 + e^-10)
    assertThat(m.get("loss")).isCloseTo(Math.log1p(Math.exp(-10)), within(TOL));
    assertThat(m.get("auc")).isCloseTo(1.0, within(TOL));
    assertThat(HeadHarness.strings(h.predict(), "classes"))
        .containsExactly("a", "b", "c", "a", "b", "c");
  }

  @Test
  void unknownStringLabelFails() {
    HeadHarness h =
        new HeadHarness(
                MultiLabelHead.builder(3).labelVocabulary(List.of("a", "b", "c")).build(), dir)
            .logits(new float[][] {{1, 1, 1}, {1, 1, 1}})
            .labels(tf -> HeadHarness.text(tf, new String[][] {{"a", "x"}, {"b", ""}}));
    assertThatThrownBy(h::trainOneStep)
        .isInstanceOf(TFInvalidArgumentException.class)
        .hasMessageContaining("Labels must be in label_vocabulary [a, b, c]")
        .hasMessageContaining("Labels not in it:] [x]");
  }

  @Test
  void labelsOtherThanZeroOneFailAtRunTime() {
    HeadHarness h = new HeadHarness(MultiLabelHead.builder(2).build(), dir);
    ArrayInput input =
        ArrayInput.builder()
            .feature(HeadHarness.LOGITS, new float[][] {{1, 1}, {1, 1}})
            .labels(new float[][] {{2, 0}, {1, 1}})
            .shuffle(false)
            .build();
    assertThatThrownBy(() -> h.trainOneStep(input))
        .isInstanceOf(TFInvalidArgumentException.class)
        .hasMessageContaining("labels must be an integer indicator Tensor with values in [0, 1]");
  }

  @Test
  void wrongLabelWidthFailsWhenTheGraphIsBuilt() {
    HeadHarness h =
        new HeadHarness(MultiLabelHead.builder(3).build(), dir)
            .logits(new float[][] {{1, 1, 1}})
            .labels(tf -> tf.constant(new long[][] {{1, 0}}));
    assertThatThrownBy(h::evaluate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Mismatched label shape. Expected labels dimension=3.  Received 2.");
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }
}
