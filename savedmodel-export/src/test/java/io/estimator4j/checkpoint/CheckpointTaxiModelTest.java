package io.estimator4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.testing.TestData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;

/**
 * Reads the checkpoints that Python's tf.estimator (a DNNLinearCombinedRegressor of the TFX Chicago
 * taxi example) wrote to ../shared/savedmodels/tfx-chicago-taxi-estimator.
 */
class CheckpointTaxiModelTest {

  private static final Path MODEL_DIR = TestData.path("savedmodels/tfx-chicago-taxi-estimator");

  @Test
  void stateFileNamesStep1000AsLatest() throws IOException {
    CheckpointState state = CheckpointState.read(MODEL_DIR).orElseThrow();

    // Written by tf.compat.v1 Saver: relative paths, no timestamps.
    assertThat(state.modelCheckpointPath()).isEqualTo("model.ckpt-1000");
    assertThat(state.allModelCheckpointPaths())
        .containsExactly("model.ckpt-0", "model.ckpt-999", "model.ckpt-1000");
    assertThat(state.allModelCheckpointTimestamps()).isEmpty();
    assertThat(CheckpointState.latestCheckpoint(MODEL_DIR))
        .contains(MODEL_DIR.resolve("model.ckpt-1000").toString());
    assertThat(CheckpointState.stepOf(CheckpointState.latestCheckpoint(MODEL_DIR).orElseThrow()))
        .isEqualTo(1000);
  }

  @Test
  void ourTextIsByteForByteWhatTensorFlowWrote() throws IOException {
    String written = Files.readString(MODEL_DIR.resolve("checkpoint"), StandardCharsets.UTF_8);
    assertThat(CheckpointState.parse(written).toText()).isEqualTo(written);
  }

  @Test
  void listsAndReadsTheEstimatorVariables() throws IOException {
    String prefix = MODEL_DIR.resolve("model.ckpt-1000").toString();
    assertThat(CheckpointReader.exists(prefix)).isTrue();
    try (CheckpointReader reader = CheckpointReader.open(prefix)) {
      // Names, dtypes and shapes observed in model.ckpt-1000.index: 3 dense inputs into hidden
      // units [100, 70, 48, 34] and a 1-unit logits layer (10 dnn/ tensors), a linear part over 9
      // columns plus bias_weights (10), global_step, and the Keras-style optimizer state under
      // training/: Adagrad 2 scalars + 10 accumulators, Ftrl 7 scalars + 2 slots x 10 weights.
      // 10 + 10 + 1 + 12 + 27 = 60.
      assertThat(reader.variables()).hasSize(60);
      assertThat(reader.variable("global_step"))
          .isEqualTo(new VariableInfo("global_step", DataType.DT_INT64, new long[0]));
      assertThat(reader.variable("dnn/hiddenlayer_0/kernel").shape()).containsExactly(3, 100);
      assertThat(reader.variable("dnn/hiddenlayer_3/kernel").shape()).containsExactly(48, 34);
      assertThat(reader.variable("dnn/logits/kernel").shape()).containsExactly(34, 1);
      assertThat(reader.variable("linear/linear_model/company_xf/weights"))
          .isEqualTo(
              new VariableInfo(
                  "linear/linear_model/company_xf/weights",
                  DataType.DT_FLOAT,
                  new long[] {1010, 1}));
      assertThat(reader.variable("linear/linear_model/trip_start_hour_xf/weights").shape())
          .containsExactly(24, 1);
      assertThat(reader.variables().keySet())
          .contains(
              "linear/linear_model/bias_weights",
              "training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator",
              "training/Ftrl/linear/linear_model/company_xf/weights/linear");
      assertThat(reader.variables().keySet().stream().filter(n -> n.startsWith("dnn/")).toList())
          .hasSize(10);

      assertThat(reader.readLongs("global_step")).containsExactly(1000L);
      float[] kernel = reader.readFloats("dnn/hiddenlayer_0/kernel");
      assertThat(kernel).hasSize(300);
      // First bias value observed by reading the checkpoint (-0.019179916).
      assertThat(reader.readFloats("dnn/hiddenlayer_0/bias")[0]).isEqualTo(-0.019179916f);
    }
  }

  @Test
  void everyKeptCheckpointIsComplete() throws IOException {
    CheckpointState state = CheckpointState.read(MODEL_DIR).orElseThrow();
    List<String> prefixes =
        state.allModelCheckpointPaths().stream()
            .map(p -> CheckpointState.resolve(MODEL_DIR, p))
            .toList();
    assertThat(prefixes).allMatch(CheckpointReader::exists);
    try (CheckpointReader step999 = CheckpointReader.open(prefixes.get(1))) {
      assertThat(step999.readLongs("global_step")).containsExactly(999L);
    }
  }
}
