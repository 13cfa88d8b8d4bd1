package io.estimator4j.estimator.head;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.Evaluator;
import io.estimator4j.estimator.Prediction;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.summary.EventFileReader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.exceptions.TFInvalidArgumentException;

class BinaryClassHeadTest {
  private static final double TOL = 1e-5;

  @TempDir Path dir;

  private HeadHarness harness(BinaryClassHead head) {
    return new HeadHarness(head, dir);
  }

  /** logits [[45], [-41]], labels [[1], [1]]: TensorFlow's BinaryClassHead docstring example. */
  private HeadHarness docExample(BinaryClassHead head) {
    return harness(head)
        .logits(new float[][] {{45}, {-41}})
        .labels(tf -> tf.constant(new float[][] {{1}, {1}}));
  }

  @Test
  void predictions() {
    Prediction p =
        harness(BinaryClassHead.builder().build())
            .logits(new float[][] {{0.3f}, {-0.4f}})
            .predict();

    assertThat(p.values().keySet())
        .containsExactly(
            "logits",
            "logistic",
            "probabilities",
            "class_ids",
            "classes",
            "all_class_ids",
            "all_classes");
    // logistic = sigmoid(logits) = [1 / (1 + e^-0.3), 1 / (1 + e^0.4)]
    assertThat(p.floats("logistic"))
        .containsExactly(new float[] {0.5744425f, 0.4013123f}, within(1e-6f));
    // probabilities = [1 - p, p]
    assertThat(p.floats("probabilities"))
        .containsExactly(
            new float[] {0.4255575f, 0.5744425f, 0.5986877f, 0.4013123f}, within(1e-6f));
    assertThat(p.longs("class_ids")).containsExactly(1, 0);
    assertThat(HeadHarness.strings(p, "classes")).containsExactly("1", "0");
    assertThat(p.longs("all_class_ids")).containsExactly(0, 1, 0, 1);
    assertThat(HeadHarness.strings(p, "all_classes")).containsExactly("0", "1", "0", "1");
    assertThat(p.get("class_ids").shape().asArray()).containsExactly(2, 1);
  }

  @Test
  void evalMetricsOfTheDocstringExample() {
    Map<String, Double> m = docExample(BinaryClassHead.builder().build()).evaluate();

    // loss = sum(cross_entropy(labels, logits)) / batch_size = (0 + 41) / 2 = 20.5
    assertThat(m.get("loss")).isCloseTo(20.5, within(TOL));
    assertThat(m.get("average_loss")).isCloseTo(20.5, within(TOL));
    // class_ids [1, 0] against labels [1, 1]
    assertThat(m.get("accuracy")).isCloseTo(0.5, within(TOL));
    assertThat(m.get("precision")).isCloseTo(1.0, within(TOL)); // tp 1, fp 0
    assertThat(m.get("recall")).isCloseTo(0.5, within(TOL)); // tp 1, fn 1
    // logistic = [1, 0]: mean 0.5; labels mean 1; baseline max(1, 1 - 1) = 1
    assertThat(m.get("prediction/mean")).isCloseTo(0.5, within(TOL));
    assertThat(m.get("label/mean")).isCloseTo(1.0, within(TOL));
    assertThat(m.get("accuracy_baseline")).isCloseTo(1.0, within(TOL));
    // no negatives: the false positive rate is 0 everywhere, so the ROC area is 0
    assertThat(m.get("auc")).isCloseTo(0.0, within(TOL));
    // PR (keras interpolation): 1 · (1 + 0) / 2 at the lowest step + 1 · (1 + 0) / 2 at the top
    assertThat(m.get("auc_precision_recall")).isCloseTo(1.0, within(TOL));
    assertThat(m.keySet())
        .containsExactly(
            "average_loss",
            "accuracy",
            "precision",
            "recall",
            "prediction/mean",
            "label/mean",
            "accuracy_baseline",
            "auc",
            "auc_precision_recall",
            "loss",
            "global_step");
  }

  @Test
  void sumReduction() {
    Map<String, Double> m =
        docExample(BinaryClassHead.builder().lossReduction(LossReduction.SUM).build()).evaluate();
    // loss = sum(cross_entropy) = 0 + 41; average_loss is still the mean
    assertThat(m.get("loss")).isCloseTo(41.0, within(TOL));
    assertThat(m.get("average_loss")).isCloseTo(20.5, within(TOL));
  }

  @Test
  void weightsMultiplyLossesAndMetrics() {
    HeadHarness h =
        docExample(BinaryClassHead.builder().weightColumn(HeadHarness.WEIGHTS).build())
            .weights(new float[] {1, 2});
    Map<String, Double> m = h.evaluate();
    // weighted losses [1 · 0, 2 · 41]: loss = 82 / 2 = 41, average_loss = 82 / (1 + 2)
    assertThat(m.get("loss")).isCloseTo(41.0, within(TOL));
    assertThat(m.get("average_loss")).isCloseTo(82.0 / 3, within(TOL));
    // accuracy = (1 · 1 + 2 · 0) / 3; recall = tp 1 / (tp 1 + fn 2)
    assertThat(m.get("accuracy")).isCloseTo(1.0 / 3, within(TOL));
    assertThat(m.get("recall")).isCloseTo(1.0 / 3, within(TOL));
    assertThat(m.get("precision")).isCloseTo(1.0, within(TOL));
    assertThat(m.get("prediction/mean")).isCloseTo(1.0 / 3, within(TOL)); // (1 · 1 + 2 · 0) / 3

    Map<String, Double> sum =
        docExample(
                BinaryClassHead.builder()
                    .weightColumn(HeadHarness.WEIGHTS)
                    .lossReduction(LossReduction.SUM)
                    .build())
            .weights(new float[] {1, 2})
            .evaluate();
    assertThat(sum.get("loss")).isCloseTo(82.0, within(TOL));
  }

  @Test
  void regularizationIsAddedToTheLossAndReported() {
    Map<String, Double> m =
        docExample(BinaryClassHead.builder().build()).regularization(2f).evaluate();
    assertThat(m.get("loss")).isCloseTo(22.5, within(TOL)); // 20.5 + 2
    assertThat(m.get("average_loss")).isCloseTo(20.5, within(TOL));
    assertThat(m.get("regularization_loss")).isCloseTo(2.0, within(TOL));
  }

  /**
   * Four examples in two batches of two: probabilities [0.1, 0.4, 0.35, 0.8], labels [0, 0, 1, 1]
   * (scikit-learn's roc_auc_score example, AUC 0.75).
   */
  @Test
  void streamingMetricsOverTwoBatches() {
    ArrayInput input =
        ArrayInput.builder()
            .feature(
                HeadHarness.LOGITS,
                new float[][] {{logit(0.1)}, {logit(0.4)}, {logit(0.35)}, {logit(0.8)}})
            .labels(new float[] {0, 0, 1, 1})
            .batchSize(2)
            .shuffle(false)
            .build();
    Map<String, Double> m =
        harness(BinaryClassHead.builder().thresholds(0.3, 0.5).build()).evaluate(input);

    // ROC points (fpr, tpr): (1, 1) (0.5, 1) (0.5, 0.5) (0, 0.5) (0, 0): trapezoids give 0.75
    assertThat(m.get("auc")).isCloseTo(0.75, within(TOL));
    // PR: only the steps where tp changes count (keras interpolate_pr_auc), over 2 positives:
    // p 3 -> 2 at 0.35: slope 1, intercept 1 - 2 = -1: (1 - ln(3 / 2)) / 2; p 1 -> 0 at 0.8: 1 / 2
    assertThat(m.get("auc_precision_recall")).isCloseTo((1 - Math.log(1.5)) / 2 + 0.5, within(TOL));
    // class_ids [0, 0, 0, 1]
    assertThat(m.get("accuracy")).isCloseTo(0.75, within(TOL));
    assertThat(m.get("precision")).isCloseTo(1.0, within(TOL));
    assertThat(m.get("recall")).isCloseTo(0.5, within(TOL));
    assertThat(m.get("prediction/mean")).isCloseTo((0.1 + 0.4 + 0.35 + 0.8) / 4, within(TOL));
    assertThat(m.get("label/mean")).isCloseTo(0.5, within(TOL));
    assertThat(m.get("accuracy_baseline")).isCloseTo(0.5, within(TOL));
    // cross-entropies -ln 0.9, -ln 0.6, -ln 0.35, -ln 0.8; both batches have 2 examples, so the
    // mean of the batch losses equals the mean over all examples
    double meanLoss = -(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4;
    assertThat(m.get("average_loss")).isCloseTo(meanLoss, within(TOL));
    assertThat(m.get("loss")).isCloseTo(meanLoss, within(TOL));
    // at 0.3: predicted positive [0, 1, 1, 1]
    assertThat(m.get("accuracy/positive_threshold_0.3")).isCloseTo(0.75, within(TOL));
    assertThat(m.get("precision/positive_threshold_0.3")).isCloseTo(2.0 / 3, within(TOL));
    assertThat(m.get("recall/positive_threshold_0.3")).isCloseTo(1.0, within(TOL));
    assertThat(m.get("accuracy/positive_threshold_0.5")).isCloseTo(0.75, within(TOL));
  }

  @Test
  void labelVocabularyMapsStringLabels() {
    BinaryClassHead head = BinaryClassHead.builder().labelVocabulary(List.of("neg", "pos")).build();
    HeadHarness h =
        harness(head)
            .logits(new float[][] {{2}, {-2}, {3}})
            .labels(tf -> HeadHarness.text(tf, "pos", "neg", "neg"));

    Map<String, Double> m = h.evaluate();
    // class_ids [1, 0, 1] against ids [1, 0, 0]
    assertThat(m.get("accuracy")).isCloseTo(2.0 / 3, within(TOL));
    assertThat(m.get("label/mean")).isCloseTo(1.0 / 3, within(TOL));
    // an Evaluator re-runs the table initialiser for each evaluation: the same data is accepted
    try (Evaluator evaluator = h.estimator().evaluator(h.constantInput(), null)) {
      for (int i = 0; i < 2; i++) {
        assertThat(evaluator.evaluate(1L, null, List.of()).get("accuracy"))
            .isCloseTo(2.0 / 3, within(TOL));
      }
    }
    Prediction p = h.predict();
    assertThat(HeadHarness.strings(p, "classes")).containsExactly("pos", "neg", "pos");
    assertThat(HeadHarness.strings(p, "all_classes"))
        .containsExactly("neg", "pos", "neg", "pos", "neg", "pos");
  }

  @Test
  void unknownLabelFailsNamingTheVocabulary() {
    HeadHarness h =
        harness(BinaryClassHead.builder().labelVocabulary(List.of("neg", "pos")).build());
    ArrayInput input =
        ArrayInput.builder()
            .feature(HeadHarness.LOGITS, new float[][] {{1}, {2}})
            .labels(new String[] {"pos", "maybe"})
            .shuffle(false)
            .build();
    assertThatThrownBy(() -> h.trainOneStep(input))
        .isInstanceOf(TFInvalidArgumentException.class)
        .hasMessageContaining("Labels must be in label_vocabulary [neg, pos]")
        .hasMessageContaining("maybe");
  }

  @Test
  void labelsOutsideZeroOneFailAtRunTime() {
    HeadHarness h = harness(BinaryClassHead.builder().build());
    ArrayInput tooLarge =
        ArrayInput.builder()
            .feature(HeadHarness.LOGITS, new float[][] {{1}, {2}})
            .labels(new float[] {1, 2})
            .shuffle(false)
            .build();
    assertThatThrownBy(() -> h.trainOneStep(tooLarge))
        .isInstanceOf(TFInvalidArgumentException.class)
        .hasMessageContaining("Labels must be <= n_classes - 1 (n_classes=2)")
        .hasMessageContaining("2");
    ArrayInput negative =
        ArrayInput.builder()
            .feature(HeadHarness.LOGITS, new float[][] {{1}, {2}})
            .labels(new int[] {0, -1})
            .shuffle(false)
            .build();
    assertThatThrownBy(() -> h.trainOneStep(negative))
        .isInstanceOf(TFInvalidArgumentException.class)
        .hasMessageContaining("Labels must be >= 0 (n_classes=2)");
  }

  @Test
  void wrongLabelShapeFailsWhenTheGraphIsBuilt() {
    HeadHarness h =
        harness(BinaryClassHead.builder().build())
            .logits(new float[][] {{1}, {2}})
            .labels(tf -> tf.constant(new float[][] {{0, 1}, {1, 0}}));
    assertThatThrownBy(h::evaluate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Mismatched label shape. Expected labels dimension=1.  Received 2.")
        .hasMessageContaining("Suggested Fix");
  }

  @Test
  void wrongLogitsShapeAndStringLabelsWithoutVocabularyFail() {
    HeadHarness wide =
        harness(BinaryClassHead.builder().build())
            .logits(new float[][] {{1, 2}})
            .labels(tf -> tf.constant(new float[] {1}));
    assertThatThrownBy(wide::evaluate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("logits shape must be [D0, D1, ... DN, logits_dimension]")
        .hasMessageContaining("logits_dimension=1");
    HeadHarness strings =
        harness(BinaryClassHead.builder().build())
            .logits(new float[][] {{1}})
            .labels(tf -> HeadHarness.text(tf, "yes"));
    assertThatThrownBy(strings::evaluate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no label_vocabulary");
  }

  @Test
  void exportOutputsAsTensorFlowsBinaryHead() {
    Map<String, String> exports =
        harness(BinaryClassHead.builder().build()).logits(new float[][] {{1}}).exportOutputs();
    assertThat(exports)
        .containsExactly(
            Map.entry(
                "serving_default",
                "tensorflow/serving/classify {classes=all_classes, scores=probabilities}"),
            Map.entry(
                "classification",
                "tensorflow/serving/classify {classes=all_classes, scores=probabilities}"),
            Map.entry("regression", "tensorflow/serving/regress {outputs=logistic}"),
            Map.entry(
                "predict",
                "tensorflow/serving/predict {logits=logits, logistic=logistic, "
                    + "probabilities=probabilities, class_ids=class_ids, classes=classes, "
                    + "all_class_ids=all_class_ids, all_classes=all_classes}"));
  }

  @Test
  void namedHeadSuffixesMetricKeys() {
    Map<String, Double> m = docExample(BinaryClassHead.builder().name("task1").build()).evaluate();
    assertThat(m).containsKeys("accuracy/task1", "average_loss/task1", "auc/task1", "loss");
    assertThat(m.get("average_loss/task1")).isCloseTo(20.5, within(TOL));
  }

  @Test
  void trainingWritesLossSummaries() throws Exception {
    HeadHarness h =
        docExample(BinaryClassHead.builder().name("task1").build())
            .regularization(2f)
            .saveSummarySteps(1);
    h.trainOneStep();
    Map<String, Double> scalars =
        EventFileReader.scalarsByStep(h.lastModelDir()).values().stream()
            .filter(m -> m.containsKey("average_loss/task1"))
            .findFirst()
            .orElseThrow();
    assertThat(scalars.get("loss")).isCloseTo(22.5, within(TOL)); // 20.5 + 2, by the Estimator
    assertThat(scalars.get("loss/task1")).isCloseTo(22.5, within(TOL));
    assertThat(scalars.get("average_loss/task1")).isCloseTo(20.5, within(TOL));
    assertThat(scalars.get("regularization_loss/task1")).isCloseTo(2.0, within(TOL));
  }

  @Test
  void builderRejectsBadOptions() {
    assertThatThrownBy(() -> BinaryClassHead.builder().thresholds(0.5, 1.0).build())
        .hasMessageContaining("thresholds must be in (0, 1)");
    assertThatThrownBy(
            () -> BinaryClassHead.builder().labelVocabulary(List.of("a", "b", "c")).build())
        .hasMessageContaining("len(label_vocabulary)=3, n_classes=2");
    assertThatThrownBy(() -> BinaryClassHead.builder().name("bad name").build())
        .hasMessageContaining("Invalid head name 'bad name'");
  }

  private static float logit(double p) {
    return (float) Math.log(p / (1 - p));
  }
}
