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

class MultiClassHeadTest {
  private static final double TOL = 1e-4;

  /** cross_entropy of a logit 10 above two logits 0: ln(e^10 + 2) - 10 = ln(1 + 2e^-10). */
  private static final double SMALL = Math.log1p(2 * Math.exp(-10));

  @TempDir Path dir;

  /** logits [[10, 0, 0], [0, 10, 0]], labels [[0], [2]]: one right, one wrong by 10. */
  private HeadHarness example(MultiClassHead head) {
    return new HeadHarness(head, dir)
        .logits(new float[][] {{10, 0, 0}, {0, 10, 0}})
        .labels(tf -> tf.constant(new int[][] {{0}, {2}}));
  }

  @Test
  void predictions() {
    Prediction p =
        new HeadHarness(MultiClassHead.builder(3).build(), dir)
            .logits(new float[][] {{1, 0, 0}, {0, 0, 1}})
            .predict();
    assertThat(p.values().keySet())
        .containsExactly(
            "logits", "probabilities", "class_ids", "classes", "all_class_ids", "all_classes");
    // softmax([1, 0, 0]) = [e, 1, 1] / (e + 2)
    float big = (float) (Math.E / (Math.E + 2));
    float small = (float) (1 / (Math.E + 2));
    assertThat(p.floats("probabilities"))
        .containsExactly(new float[] {big, small, small, small, small, big}, within(1e-6f));
    assertThat(p.longs("class_ids")).containsExactly(0, 2);
    assertThat(HeadHarness.strings(p, "classes")).containsExactly("0", "2");
    assertThat(p.longs("all_class_ids")).containsExactly(0, 1, 2, 0, 1, 2);
    assertThat(HeadHarness.strings(p, "all_classes")).containsExactly("0", "1", "2", "0", "1", "2");
  }

  @Test
  void lossAndMetrics() {
    Map<String, Double> m = example(MultiClassHead.builder(3).build()).evaluate();
    // loss = sum(cross_entropy(labels, logits)) / batch_size = (0 + 10) / 2 = 5
    // (exactly (SMALL + 10 + SMALL) / 2: the wrong example costs ln(e^10 + 2) - 0)
    assertThat(m.get("loss")).isCloseTo((SMALL + 10 + SMALL) / 2, within(TOL));
    assertThat(m.get("average_loss")).isCloseTo((SMALL + 10 + SMALL) / 2, within(TOL));
    assertThat(m.get("accuracy")).isCloseTo(0.5, within(TOL)); // class_ids [0, 1]
    assertThat(m.keySet()).containsExactly("average_loss", "accuracy", "loss", "global_step");

    Map<String, Double> sum =
        example(MultiClassHead.builder(3).lossReduction(LossReduction.SUM).build()).evaluate();
    assertThat(sum.get("loss")).isCloseTo(SMALL + 10 + SMALL, within(TOL)); // 0 + 10
  }

  @Test
  void weights() {
    Map<String, Double> m =
        example(MultiClassHead.builder(3).weightColumn(HeadHarness.WEIGHTS).build())
            .weights(new float[] {1, 2})
            .evaluate();
    // weighted losses [1 · 0, 2 · 10]: loss = 20 / 2 = 10, average_loss = 20 / 3
    double weighted = SMALL + 2 * (10 + SMALL);
    assertThat(m.get("loss")).isCloseTo(weighted / 2, within(TOL));
    assertThat(m.get("average_loss")).isCloseTo(weighted / 3, within(TOL));
    assertThat(m.get("accuracy")).isCloseTo(1.0 / 3, within(TOL)); // (1 · 1 + 2 · 0) / 3
  }

  @Test
  void labelVocabulary() {
    MultiClassHead head =
        MultiClassHead.builder(3).labelVocabulary(List.of("cat", "dog", "fish")).build();
    HeadHarness h =
        new HeadHarness(head, dir)
            .logits(new float[][] {{10, 0, 0}, {0, 10, 0}})
            .labels(tf -> HeadHarness.text(tf, "cat", "fish"));
    Map<String, Double> m = h.evaluate();
    assertThat(m.get("accuracy")).isCloseTo(0.5, within(TOL)); // ids [0, 2]
    assertThat(m.get("loss")).isCloseTo((SMALL + 10 + SMALL) / 2, within(TOL));
    Prediction p = h.predict();
    assertThat(HeadHarness.strings(p, "classes")).containsExactly("cat", "dog");
    assertThat(HeadHarness.strings(p, "all_classes"))
        .containsExactly("cat", "dog", "fish", "cat", "dog", "fish");
  }

  @Test
  void unknownLabelFailsNamingTheVocabulary() {
    HeadHarness h =
        new HeadHarness(
            MultiClassHead.builder(3).labelVocabulary(List.of("cat", "dog", "fish")).build(), dir);
    ArrayInput input =
        ArrayInput.builder()
            .feature(HeadHarness.LOGITS, new float[][] {{1, 0, 0}, {0, 1, 0}})
            .labels(new String[] {"cow", "dog"})
            .shuffle(false)
            .build();
    assertThatThrownBy(() -> h.trainOneStep(input))
        .isInstanceOf(TFInvalidArgumentException.class)
        .hasMessageContaining("Labels must be in label_vocabulary [cat, dog, fish]")
        .hasMessageContaining("cow");
  }

  @Test
  void classIdsOutOfRangeFailAtRunTime() {
    HeadHarness h = new HeadHarness(MultiClassHead.builder(3).build(), dir);
    ArrayInput tooLarge =
        ArrayInput.builder()
            .feature(HeadHarness.LOGITS, new float[][] {{1, 0, 0}, {0, 1, 0}})
            .labels(new int[] {0, 3})
            .shuffle(false)
            .build();
    assertThatThrownBy(() -> h.trainOneStep(tooLarge))
        .isInstanceOf(TFInvalidArgumentException.class)
        .hasMessageContaining("Labels must be <= n_classes - 1 (n_classes=3). Found:")
        .hasMessageContaining("[3]");
    ArrayInput negative =
        ArrayInput.builder()
            .feature(HeadHarness.LOGITS, new float[][] {{1, 0, 0}, {0, 1, 0}})
            .labels(new long[] {-1, 1})
            .shuffle(false)
            .build();
    assertThatThrownBy(() -> h.trainOneStep(negative))
        .isInstanceOf(TFInvalidArgumentException.class)
        .hasMessageContaining("Labels must be >= 0 (n_classes=3). Found:")
        .hasMessageContaining("[-1]");
  }

  @Test
  void oneHotOrFloatLabelsFailWhenTheGraphIsBuilt() {
    HeadHarness oneHot =
        new HeadHarness(MultiClassHead.builder(3).build(), dir)
            .logits(new float[][] {{1, 0, 0}})
            .labels(tf -> tf.constant(new int[][] {{1, 0, 0}}));
    assertThatThrownBy(oneHot::evaluate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Mismatched label shape. Expected labels dimension=1.  Received 3.")
        .hasMessageContaining("check your n_classes argument");
    HeadHarness floats =
        new HeadHarness(MultiClassHead.builder(3).build(), dir)
            .logits(new float[][] {{1, 0, 0}})
            .labels(tf -> tf.constant(new float[] {1}));
    assertThatThrownBy(floats::evaluate)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Labels dtype should be integer. Instead got TFloat32");
  }

  @Test
  void exportOutputs() {
    Map<String, String> exports =
        new HeadHarness(MultiClassHead.builder(3).build(), dir)
            .logits(new float[][] {{1, 0, 0}})
            .exportOutputs();
    String classify = "tensorflow/serving/classify {classes=all_classes, scores=probabilities}";
    assertThat(exports)
        .containsExactly(
            Map.entry("serving_default", classify),
            Map.entry("classification", classify),
            Map.entry(
                "predict",
                "tensorflow/serving/predict {logits=logits, probabilities=probabilities, "
                    + "class_ids=class_ids, classes=classes, all_class_ids=all_class_ids, "
                    + "all_classes=all_classes}"));
  }

  @Test
  void builderRejectsBadOptions() {
    assertThatThrownBy(() -> MultiClassHead.builder(2).build())
        .hasMessageContaining("n_classes must be > 2: 2")
        .hasMessageContaining("BinaryClassHead");
    assertThatThrownBy(() -> MultiClassHead.builder(3).labelVocabulary(List.of("a", "b")).build())
        .hasMessageContaining("len(label_vocabulary)=2, n_classes=3");
  }
}
