package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * KerasSummary against parameter counts worked out by hand, and against golden texts written by
 * Keras 2.4's print_summary table logic (positions, truncation, separators) for the same rows.
 */
class KerasSummaryTest {
  @TempDir Path tmp;

  @Test
  void denseModelCountsUnitsTimesInputsPlusOne() throws IOException {
    // Dense(32) on 16 features: 32 * (16 + 1) = 544; ReLU has no weights
    KerasSummary s = KerasSummary.of(TestData.keras("cases/dl4j-ReLU_0/model.h5"));
    assertThat(s.modelName()).isEqualTo("sequential_1");
    assertThat(s.isSequentialLike()).isTrue();
    assertThat(s.rows())
        .extracting(
            KerasSummary.Row::name,
            KerasSummary.Row::className,
            KerasSummary.Row::outputShape,
            KerasSummary.Row::params)
        .containsExactly(
            tuple("dense", "Dense", "(None, 32)", 544L),
            tuple("re_lu_1", "ReLU", "(None, 32)", 0L));
    assertThat(s.totalParams()).isEqualTo(544);
    assertThat(s.trainableParams()).isEqualTo(544);
    assertThat(s.nonTrainableParams()).isZero();
  }

  @Test
  void recurrentModelCountsKernelRecurrentKernelAndBias() throws IOException {
    // SimpleRNN(50) on 1 feature: 1*50 + 50*50 + 50 = 2600; Dense(1) on 50: 50 + 1 = 51
    KerasSummary s = KerasSummary.of(TestData.keras("cases/dl4j-simple_rnn_tf_keras_2/model.h5"));
    assertThat(s.rows()).extracting(KerasSummary.Row::params).containsExactly(2600L, 51L);
    assertThat(s.rows())
        .extracting(KerasSummary.Row::outputShape)
        .containsExactly("(None, 50)", "(None, 1)");
    assertThat(s.totalParams()).isEqualTo(2651);
  }

  @Test
  void batchNormMovingStatisticsAreNonTrainable() throws IOException {
    // conv 3x3x3 -> 1: 27 + 1 = 28; BN over 1 channel: gamma, beta trainable, moving mean and
    // variance not (2 + 2); conv 3x3x1 -> 1: 9 + 1 = 10; Dense(1) on 6*6*1: 36 + 1 = 37
    KerasSummary s = KerasSummary.of(TestData.keras("cases/dl4j-cnn_batch_norm/model.h5"));
    assertThat(s.rows())
        .extracting(KerasSummary.Row::params)
        .containsExactly(28L, 4L, 0L, 10L, 0L, 37L);
    assertThat(s.totalParams()).isEqualTo(79);
    assertThat(s.trainableParams()).isEqualTo(77);
    assertThat(s.nonTrainableParams()).isEqualTo(2);
    assertThat(s.text()).isEqualTo(golden("dl4j-cnn_batch_norm.txt"));
  }

  @Test
  void functionalModelShowsInputLayersAndConnections() throws IOException {
    // Dense(8) on 16: 136; Dense(8) on 32: 264; Add: 0; Dense(4) on 8: 36; total 436
    KerasSummary s = KerasSummary.of(TestData.keras("configs/simple_add_tf_keras_2.json"));
    assertThat(s.isSequentialLike()).isFalse();
    assertThat(s.rows())
        .extracting(KerasSummary.Row::name, KerasSummary.Row::params, KerasSummary.Row::connectedTo)
        .containsExactly(
            tuple("input_3", 0L, List.of()),
            tuple("input_4", 0L, List.of()),
            tuple("dense_4", 136L, List.of("input_3[0][0]")),
            tuple("dense_5", 264L, List.of("input_4[0][0]")),
            tuple("add_2", 0L, List.of("dense_4[0][0]", "dense_5[0][0]")),
            tuple("dense_6", 36L, List.of("add_2[0][0]")));
    assertThat(s.text()).isEqualTo(golden("simple_add_tf_keras_2.txt"));
  }

  @Test
  void multiOutputModel() throws IOException {
    // concat(4, 4) -> Dense(3): 8*3 + 3 = 27 -> Dense(2): 3*2 + 2 = 8 -> Dense(3): 2*3 + 3 = 9
    KerasSummary s =
        KerasSummary.of(TestData.keras("configs/keras2_mlp_fapi_multiloss_config.json"));
    assertThat(s.totalParams()).isEqualTo(27 + 8 + 9);
    assertThat(s.rows())
        .filteredOn(r -> r.name().startsWith("output"))
        .extracting(KerasSummary.Row::outputShape, KerasSummary.Row::connectedTo)
        .containsExactly(
            tuple("(None, 3)", List.of("dense_3[0][0]")),
            tuple("(None, 3)", List.of("dense_3[0][0]")));
    assertThat(s.rows())
        .filteredOn(r -> r.name().equals("merge_1"))
        .extracting(KerasSummary.Row::outputShape)
        .containsExactly("(None, 8)");
  }

  @Test
  void frozenLayersCountAsNonTrainable() throws IOException {
    // Dense(3) on 4, frozen: 4*3 + 3 = 15 non-trainable; Dense(2) on 3: 3*2 + 2 = 8 trainable
    Path json =
        Files.writeString(
            tmp.resolve("frozen.json"),
            """
        {"class_name": "Sequential", "config": {"name": "frozen", "layers": [
          {"class_name": "Dense", "config": {"name": "d1", "trainable": false,
            "batch_input_shape": [null, 4], "units": 3, "activation": "relu", "use_bias": true}},
          {"class_name": "Dense", "config": {"name": "d2", "units": 2, "use_bias": true}}]}}
        """);
    KerasSummary s = KerasSummary.of(json);
    assertThat(s.trainableParams()).isEqualTo(8);
    assertThat(s.nonTrainableParams()).isEqualTo(15);
    assertThat(s.text())
        .contains("Total params: 23\nTrainable params: 8\n" + "Non-trainable params: 15\n");
  }

  @Test
  void sharedLayerHasMultipleOutputShapesAndItsWeightsOnce() throws IOException {
    // one Dense(3) on 4 called on a and on b: 4*3 + 3 = 15 parameters, counted once
    Path json =
        Files.writeString(
            tmp.resolve("shared.json"),
            """
        {"class_name": "Model", "config": {"name": "siamese", "layers": [
          {"class_name": "InputLayer", "name": "a", "inbound_nodes": [],
            "config": {"name": "a", "batch_input_shape": [null, 4], "dtype": "float32"}},
          {"class_name": "InputLayer", "name": "b", "inbound_nodes": [],
            "config": {"name": "b", "batch_input_shape": [null, 4], "dtype": "float32"}},
          {"class_name": "Dense", "name": "shared", "config": {"name": "shared", "units": 3},
            "inbound_nodes": [[["a", 0, 0, {}]], [["b", 0, 0, {}]]]},
          {"class_name": "Add", "name": "add", "config": {"name": "add"},
            "inbound_nodes": [[["shared", 0, 0, {}], ["shared", 1, 0, {}]]]}],
          "input_layers": [["a", 0, 0], ["b", 0, 0]], "output_layers": [["add", 0, 0]]}}
        """);
    KerasSummary s = KerasSummary.of(json);
    assertThat(s.rows())
        .filteredOn(r -> r.name().equals("shared"))
        .extracting(
            KerasSummary.Row::outputShape, KerasSummary.Row::params, KerasSummary.Row::connectedTo)
        .containsExactly(tuple("multiple", 15L, List.of("a[0][0]", "b[0][0]")));
    assertThat(s.totalParams()).isEqualTo(15);
    assertThat(s.text())
        .contains(
            "shared (Dense)                  multiple             15"
                + "          a[0][0]\n"
                + " ".repeat(65)
                + "b[0][0]\n");
  }

  private static String golden(String name) throws IOException {
    try (InputStream in = KerasSummaryTest.class.getResourceAsStream("/summaries/" + name)) {
      assertThat(in).as("test resource summaries/%s", name).isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
