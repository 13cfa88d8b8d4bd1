package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.WeightArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Keras 1 models load as Keras 2 loads them: Keras 1 argument names (output_dim, nb_filter,
 * border_mode, dim_ordering, inner_activation, ...), Keras 1 weight layouts (Theano-ordered
 * kernels, LSTM's twelve gate arrays) and Theano-trained kernels (flipped). Each is checked against
 * a plain-Java loop or against the same model written in Keras 2 terms.
 */
class KerasLegacyTest {
  @TempDir Path tmp;

  private static float[] seq(int n, double phase) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) Math.sin(phase + 0.9 * i);
    }
    return v;
  }

  private Path write(String name, String text) throws IOException {
    Path p = tmp.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  /** A Keras 2 layout weights file (groups per layer) holding {@code weights} by layer. */
  private Path weights(String name, Map<String, List<WeightArray>> layers) {
    Map<String, KerasWeights.Group> groups = new LinkedHashMap<>();
    layers.forEach((k, v) -> groups.put(k, new KerasWeights.Group(v, Map.of())));
    Path p = tmp.resolve(name);
    TestFiles.writeKeras2Weights(
        p,
        new KerasWeights(KerasWeights.Layout.KERAS2, new KerasWeights.Group(List.of(), groups)),
        1);
    return p;
  }

  private static float[] predict(KerasModelFile file, long[] shape, float[] x) {
    try (KerasModel m = KerasModel.build(file);
        TFloat32 in = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(x, true, false))) {
      return TestData.predict(m, Map.of(m.inputs().keySet().iterator().next(), in), null);
    }
  }

  @Test
  void keras1TheanoOrderedConvolutionAndDense() throws IOException {
    // Keras 1.2: Convolution2D(2, 2, 2, dim_ordering='th') on [1, 3, 3] -> Flatten -> Dense(1)
    Path json =
        write(
            "cnn_th_keras_1.json",
            """
        {"class_name": "Sequential", "keras_version": "1.2.2", "config": [
          {"class_name": "Convolution2D", "config": {"name": "convolution2d_1", "nb_filter": 2,
            "nb_row": 2, "nb_col": 2, "init": "glorot_uniform", "activation": "linear",
            "border_mode": "valid", "subsample": [1, 1], "dim_ordering": "th",
            "W_regularizer": {"name": "WeightRegularizer", "l1": 0.0, "l2": 0.01},
            "b_regularizer": null, "activity_regularizer": null, "W_constraint": null,
            "b_constraint": null, "bias": true, "trainable": true,
            "batch_input_shape": [null, 1, 3, 3], "input_dtype": "float32"}},
          {"class_name": "Flatten", "config": {"name": "flatten_1", "trainable": true}},
          {"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 1,
            "init": "glorot_uniform", "activation": "linear", "W_regularizer": null,
            "b_regularizer": null, "activity_regularizer": null, "W_constraint": null,
            "b_constraint": null, "bias": true, "input_dim": 8, "trainable": true}}]}
        """);
    // Keras 1 'th' kernels are stored (filters, in, rows, cols)
    float[] kernel = seq(2 * 2 * 2, 0.3);
    float[] dense = seq(8, 1.7);
    Map<String, List<WeightArray>> w = new LinkedHashMap<>();
    w.put(
        "convolution2d_1",
        List.of(
            new WeightArray("convolution2d_1_W", Shape.of(2, 1, 2, 2), kernel),
            new WeightArray("convolution2d_1_b", Shape.of(2), new float[] {0.5f, -0.25f})));
    w.put("flatten_1", List.of());
    w.put(
        "dense_1",
        List.of(
            new WeightArray("dense_1_W", Shape.of(8, 1), dense),
            new WeightArray("dense_1_b", Shape.of(1), new float[] {0.1f})));
    KerasModelFile file = KerasModelFile.read(json, weights("cnn_th.h5", w));
    float[] x = seq(9, 2.2);
    // conv[f][i][j] = b[f] + sum_{r,c} x[i + r][j + c] * W[f][0][r][c]; flattened (f, i, j)
    double out = 0.1;
    for (int f = 0; f < 2; f++) {
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++) {
          double v = f == 0 ? 0.5 : -0.25;
          for (int r = 0; r < 2; r++) {
            for (int c = 0; c < 2; c++) {
              v += x[(i + r) * 3 + j + c] * kernel[f * 4 + r * 2 + c];
            }
          }
          out += v * dense[f * 4 + i * 2 + j];
        }
      }
    }
    assertThat(predict(file, new long[] {1, 1, 3, 3}, x)[0]).isCloseTo((float) out, within(1e-5f));
  }

  private static final String LSTM_KERAS2 =
      """
      {"class_name": "Sequential", "keras_version": "2.2.4", "backend": "tensorflow",
       "config": {"name": "s", "layers": [
        {"class_name": "LSTM", "config": {"name": "lstm_1", "units": 3,
          "activation": "tanh", "recurrent_activation": "hard_sigmoid", "use_bias": true,
          "return_sequences": true, "unit_forget_bias": true, "implementation": 1,
          "batch_input_shape": [null, 4, 2], "dtype": "float32"}}]}}
      """;

  private static final String LSTM_KERAS1 =
      """
      {"class_name": "Sequential", "keras_version": "1.2.2", "config": [
        {"class_name": "LSTM", "config": {"name": "lstm_1", "output_dim": 3,
          "init": "glorot_uniform", "inner_init": "orthogonal", "forget_bias_init": "one",
          "activation": "tanh", "inner_activation": "hard_sigmoid", "W_regularizer": null,
          "U_regularizer": null, "b_regularizer": null, "dropout_W": 0.0, "dropout_U": 0.0,
          "consume_less": "cpu", "return_sequences": true, "go_backwards": false,
          "stateful": false, "unroll": false, "trainable": true,
          "batch_input_shape": [null, 4, 2], "input_dim": 2, "input_length": 4,
          "input_dtype": "float32"}}]}
      """;

  @Test
  void keras1LstmGateArraysEqualTheKeras2ConcatenatedWeights() throws IOException {
    // Keras 1 stores W_i, U_i, b_i, W_c, U_c, b_c, W_f, U_f, b_f, W_o, U_o, b_o; Keras 2 the
    // kernel [W_i W_f W_c W_o], recurrent kernel [U_i U_f U_c U_o], bias [b_i b_f b_c b_o]
    String[] gates = {"i", "c", "f", "o"};
    Map<String, float[]> parts = new LinkedHashMap<>();
    List<WeightArray> keras1 = new ArrayList<>();
    for (int g = 0; g < 4; g++) {
      float[] wk = seq(2 * 3, g);
      float[] uk = seq(3 * 3, 10 + g);
      float[] bk = seq(3, 20 + g);
      parts.put("W_" + gates[g], wk);
      parts.put("U_" + gates[g], uk);
      parts.put("b_" + gates[g], bk);
      keras1.add(new WeightArray("lstm_1_W_" + gates[g], Shape.of(2, 3), wk));
      keras1.add(new WeightArray("lstm_1_U_" + gates[g], Shape.of(3, 3), uk));
      keras1.add(new WeightArray("lstm_1_b_" + gates[g], Shape.of(3), bk));
    }
    String[] order = {"i", "f", "c", "o"};
    float[] kernel = new float[2 * 12];
    float[] recurrent = new float[3 * 12];
    float[] bias = new float[12];
    for (int g = 0; g < 4; g++) {
      for (int r = 0; r < 2; r++) {
        System.arraycopy(parts.get("W_" + order[g]), r * 3, kernel, r * 12 + g * 3, 3);
      }
      for (int r = 0; r < 3; r++) {
        System.arraycopy(parts.get("U_" + order[g]), r * 3, recurrent, r * 12 + g * 3, 3);
      }
      System.arraycopy(parts.get("b_" + order[g]), 0, bias, g * 3, 3);
    }
    KerasModelFile k1 =
        KerasModelFile.read(
            write("lstm1.json", LSTM_KERAS1), weights("lstm1.h5", Map.of("lstm_1", keras1)));
    KerasModelFile k2 =
        KerasModelFile.read(
            write("lstm2.json", LSTM_KERAS2),
            weights(
                "lstm2.h5",
                Map.of(
                    "lstm_1",
                    List.of(
                        new WeightArray("lstm_1/kernel:0", Shape.of(2, 12), kernel),
                        new WeightArray("lstm_1/recurrent_kernel:0", Shape.of(3, 12), recurrent),
                        new WeightArray("lstm_1/bias:0", Shape.of(12), bias)))));
    float[] x = seq(2 * 4 * 2, 5);
    float[] expected = predict(k2, new long[] {2, 4, 2}, x);
    assertThat(expected).hasSize(2 * 4 * 3);
    assertThat(predict(k1, new long[] {2, 4, 2}, x)).containsExactly(expected, within(1e-6f));
  }

  @Test
  void theanoTrainedKernelsAreFlipped() throws IOException {
    String model =
        """
        {"class_name": "Sequential", "keras_version": "2.0.6", "backend": "%s",
         "config": [{"class_name": "Conv1D", "config": {"name": "conv", "filters": 1,
           "kernel_size": 3, "strides": 1, "padding": "valid", "dilation_rate": 1,
           "activation": "linear", "use_bias": false, "batch_input_shape": [null, 5, 1],
           "dtype": "float32"}}]}
        """;
    float[] k = {1, 2, 3};
    Map<String, List<WeightArray>> w =
        Map.of("conv", List.of(new WeightArray("conv/kernel:0", Shape.of(3, 1, 1), k)));
    float[] x = {1, 0, 0, 0, 2};
    // TensorFlow: y[t] = x[t] k0 + x[t+1] k1 + x[t+2] k2 = [1, 0, 6]
    assertThat(
            predict(
                KerasModelFile.read(
                    write("tf.json", model.formatted("tensorflow")), weights("tf.h5", w)),
                new long[] {1, 5, 1},
                x))
        .containsExactly(1, 0, 6);
    // Theano convolves: the kernel is reversed, y[t] = x[t] k2 + x[t+1] k1 + x[t+2] k0
    assertThat(
            predict(
                KerasModelFile.read(
                    write("th.json", model.formatted("theano")), weights("th.h5", w)),
                new long[] {1, 5, 1},
                x))
        .containsExactly(3, 0, 2);
  }

  @Test
  void keras1BatchNormalizationModesThatKeras2DroppedAreRefused() throws IOException {
    Path json =
        write(
            "bn.json",
            """
        {"class_name": "Sequential", "keras_version": "1.2.2", "config": [
          {"class_name": "BatchNormalization", "config": {"name": "bn", "mode": 2, "axis": -1,
            "momentum": 0.99, "epsilon": 0.001, "beta_init": "zero", "gamma_init": "one",
            "batch_input_shape": [null, 3]}}]}
        """);
    assertThatThrownBy(() -> KerasModel.load(json).close())
        .hasMessageContaining("'bn'")
        .hasMessageContaining("mode=2");
  }
}
