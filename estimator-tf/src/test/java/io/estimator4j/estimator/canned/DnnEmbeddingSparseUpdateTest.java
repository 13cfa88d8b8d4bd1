package io.estimator4j.estimator.canned;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.TensorFlowFlavour;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.optimizer.Momentum;
import io.estimator4j.featurecolumn.FeatureColumns;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The canned DNN updates an embedding column's weights as Python's IndexedSlices gradient does:
 * with Momentum, a row looked up in step 1 but not in steps 2-3 keeps its weights and momentum slot
 * (the dense update would move it by lr·momentum·accum each step), and a row never looked up keeps
 * its initial value.
 */
class DnnEmbeddingSparseUpdateTest {
  private static final String EMBEDDING =
      "dnn/input_from_feature_columns/input_layer/letter_embedding/embedding_weights";

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(TensorFlowFlavour.class)
  void rowsNotLookedUpKeepTheirWeightsAndSlots(TensorFlowFlavour flavour) throws Exception {
    Estimator est =
        DNNClassifier.builder()
            .featureColumns(
                List.of(
                    FeatureColumns.embeddingColumn(
                        FeatureColumns.categoricalColumnWithVocabularyList(
                            "letter", List.of("a", "b", "c", "d")),
                        2)))
            .hiddenUnits(8)
            .optimizer(Momentum.builder().learningRate(0.1).momentum(0.9).build())
            .config(
                RunConfig.builder()
                    .modelDir(dir.resolve(flavour.name()))
                    .randomSeed(3)
                    .tensorFlowFlavour(flavour)
                    .noPeriodicCheckpoints()
                    .logStepCountSteps(0)
                    .saveSummarySteps(0)
                    .build())
            .build();
    // step 1 looks up a (id 0) and c (id 2); steps 2-3 a and b (id 1); d (id 3) never
    est.train(batches(new String[] {"a", "c"}), StepLimit.steps(1));
    String step1 = est.latestCheckpoint().orElseThrow();
    est.train(batches(new String[] {"a", "b"}), StepLimit.steps(2));
    String step3 = est.latestCheckpoint().orElseThrow();
    assertThat(step3).endsWith("-3");
    try (CheckpointReader first = CheckpointReader.open(step1);
        CheckpointReader last = CheckpointReader.open(step3)) {
      String slot =
          first.variables().keySet().stream()
              .filter(k -> k.contains(EMBEDDING) && !k.equals(EMBEDDING))
              .findFirst()
              .orElseThrow();
      // TF1: <var>/Momentum; TF2 (Keras SGD): training/SGD/<var>/momentum
      assertThat(slot)
          .isEqualTo(
              flavour == TensorFlowFlavour.TF1
                  ? EMBEDDING + "/Momentum"
                  : "training/SGD/" + EMBEDDING + "/momentum");
      float[] w1 = first.readFloats(EMBEDDING);
      float[] w3 = last.readFloats(EMBEDDING);
      float[] m1 = first.readFloats(slot);
      float[] m3 = last.readFloats(slot);
      // row c got a gradient in step 1 (so a dense update would keep moving it) ...
      assertThat(row(m1, 2)).isNotEqualTo(new float[] {0, 0});
      // ... and keeps its weights and slot through steps 2-3; d was never touched (slot 0)
      assertThat(row(w3, 2)).isEqualTo(row(w1, 2));
      assertThat(row(m3, 2)).isEqualTo(row(m1, 2));
      assertThat(row(w3, 3)).isEqualTo(row(w1, 3));
      assertThat(row(m3, 3)).isEqualTo(new float[] {0, 0});
      // rows a and b were looked up in steps 2-3 and moved
      assertThat(row(w3, 0)).isNotEqualTo(row(w1, 0));
      assertThat(row(w3, 1)).isNotEqualTo(row(w1, 1));
    }
  }

  private static ArrayInput batches(String[] letters) {
    return ArrayInput.builder()
        .feature("letter", letters)
        .labels(new int[] {1, 0})
        .batchSize(2)
        .numEpochs(null)
        .shuffle(false)
        .build();
  }

  private static float[] row(float[] matrix, int row) {
    return Arrays.copyOfRange(matrix, 2 * row, 2 * row + 2);
  }
}
