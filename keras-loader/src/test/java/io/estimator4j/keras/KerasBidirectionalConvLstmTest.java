package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.WeightArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Bidirectional(ConvLSTM2D) with every merge mode in both data formats. Keras merges the two
 * directions' outputs in their own layout (tf-keras bidirectional.py: {@code concatenate([y,
 * y_rev])} on axis -1, {@code y + y_rev}, {@code (y + y_rev) / 2}, {@code y * y_rev}): for
 * channels_first the concatenation is on the width, and the next layer's weights are sized for
 * that. Each merged output must equal the merge, written out here, of the two outputs the same
 * weights give with merge_mode None; and a 1x1 Conv2D after a concatenation loads with the kernel
 * Keras stored for it.
 */
class KerasBidirectionalConvLstmTest {
  @TempDir Path tmp;

  private static final int B = 2;
  private static final int T = 3;
  private static final int C = 2;
  private static final int H = 4;
  private static final int W = 5;
  private static final int F = 3;

  static Stream<Arguments> matrix() {
    List<Arguments> out = new ArrayList<>();
    for (String format : List.of("channels_last", "channels_first")) {
      for (String mode : List.of("concat", "sum", "ave", "mul")) {
        out.add(Arguments.of(format, mode));
      }
    }
    return out.stream();
  }

  private static String model(String format, String mergeMode, boolean withConv) {
    String input =
        format.equals("channels_first")
            ? "[null, %d, %d, %d, %d]".formatted(T, C, H, W)
            : "[null, %d, %d, %d, %d]".formatted(T, H, W, C);
    String mm = mergeMode == null ? "null" : "\"" + mergeMode + "\"";
    String conv =
        withConv
            ? ", {\"class_name\": \"Conv2D\", \"name\": \"c\", \"config\": {\"name\": \"c\","
                + " \"filters\": 1, \"kernel_size\": [1, 1], \"data_format\": \""
                + format
                + "\", \"activation\": \"linear\"}, \"inbound_nodes\": [[[\"bi\", 0, 0, {}]]]}"
            : "";
    String outputs =
        withConv
            ? "[[\"c\", 0, 0]]"
            : mergeMode == null ? "[[\"bi\", 0, 0], [\"bi\", 0, 1]]" : "[[\"bi\", 0, 0]]";
    return """
        {"class_name": "Functional", "keras_version": "2.9.0", "config": {"name": "m", "layers": [
          {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
           "config": {"name": "x", "batch_input_shape": %s}},
          {"class_name": "Bidirectional", "name": "bi", "inbound_nodes": [[["x", 0, 0, {}]]],
           "config": {"name": "bi", "merge_mode": %s,
            "layer": {"class_name": "ConvLSTM2D", "config": {"name": "clstm", "filters": %d,
              "kernel_size": [3, 3], "padding": "same", "data_format": "%s",
              "return_sequences": false}}}}%s],
          "input_layers": [["x", 0, 0]], "output_layers": %s}}
        """
        .formatted(input, mm, F, format, conv, outputs);
  }

  private Path weights(boolean withConv, int convChannels) {
    Random r = new Random(5);
    List<WeightArray> bi = new ArrayList<>();
    for (String dir : List.of("forward", "backward")) {
      bi.add(arr(r, "bi/" + dir + "_clstm/kernel:0", 3, 3, C, 4 * F));
      bi.add(arr(r, "bi/" + dir + "_clstm/recurrent_kernel:0", 3, 3, F, 4 * F));
      bi.add(arr(r, "bi/" + dir + "_clstm/bias:0", 4 * F));
    }
    Map<String, KerasWeights.Group> groups = new java.util.LinkedHashMap<>();
    groups.put("bi", new KerasWeights.Group(bi, Map.of()));
    if (withConv) {
      groups.put(
          "c",
          new KerasWeights.Group(
              List.of(arr(r, "c/kernel:0", 1, 1, convChannels, 1), arr(r, "c/bias:0", 1)),
              Map.of()));
    }
    Path file = tmp.resolve("w" + System.nanoTime() + ".h5");
    TestFiles.writeKeras2Weights(
        file,
        new KerasWeights(KerasWeights.Layout.KERAS2, new KerasWeights.Group(List.of(), groups)),
        1);
    return file;
  }

  private static WeightArray arr(Random r, String name, long... shape) {
    float[] v = new float[(int) Shape.of(shape).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian() * 0.3f;
    }
    return new WeightArray(name, Shape.of(shape), v);
  }

  private Map<String, float[]> run(String json, Path weights, String format) throws IOException {
    Path file = tmp.resolve("m" + System.nanoTime() + ".json");
    Files.writeString(file, json);
    long[] shape =
        format.equals("channels_first") ? new long[] {B, T, C, H, W} : new long[] {B, T, H, W, C};
    float[] x = new float[(int) Shape.of(shape).size()];
    Random r = new Random(9);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    try (KerasModel model = KerasModel.build(KerasModelFile.read(file, weights));
        TFloat32 in = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(x, true, false))) {
      Map<String, Tensor> out = model.predict(Map.of("x", in));
      try {
        Map<String, float[]> values = new java.util.LinkedHashMap<>();
        out.forEach(
            (k, v) -> {
              values.put(k, TestData.floats(v));
              values.put(k + ".shape", toFloats(v.shape().asArray()));
            });
        return values;
      } finally {
        out.values().forEach(Tensor::close);
      }
    }
  }

  private static float[] toFloats(long[] dims) {
    float[] f = new float[dims.length];
    for (int i = 0; i < dims.length; i++) {
      f[i] = dims[i];
    }
    return f;
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("matrix")
  void mergesInKerasLayout(String format, String mode) throws IOException {
    Path w = weights(false, 0);
    Map<String, float[]> separate = run(model(format, null, false), w, format);
    float[] y = separate.get("bi");
    float[] yRev = separate.get("bi_1");
    // each direction: [B, F, H, W] (channels_first) or [B, H, W, F]
    float[] single =
        format.equals("channels_first") ? new float[] {B, F, H, W} : new float[] {B, H, W, F};
    assertThat(separate.get("bi.shape")).containsExactly(single);
    Map<String, float[]> merged = run(model(format, mode, false), w, format);
    float[] got = merged.get("bi");
    float[] expected = new float[mode.equals("concat") ? 2 * y.length : y.length];
    if (mode.equals("concat")) {
      // concatenate([y, y_rev], axis=-1): rows of the last axis side by side
      int last = (int) single[3];
      for (int row = 0; row < y.length / last; row++) {
        System.arraycopy(y, row * last, expected, row * 2 * last, last);
        System.arraycopy(yRev, row * last, expected, row * 2 * last + last, last);
      }
      float[] shape = single.clone();
      shape[3] *= 2;
      assertThat(merged.get("bi.shape")).containsExactly(shape);
    } else {
      for (int i = 0; i < y.length; i++) {
        expected[i] =
            switch (mode) {
              case "sum" -> y[i] + yRev[i];
              case "ave" -> (y[i] + yRev[i]) / 2;
              default -> y[i] * yRev[i];
            };
      }
      assertThat(merged.get("bi.shape")).containsExactly(single);
    }
    assertThat(got).containsExactly(expected, within(1e-5f));
  }

  @ParameterizedTest(name = "{0}")
  @org.junit.jupiter.params.provider.ValueSource(strings = {"channels_last", "channels_first"})
  void theNextLayerTakesTheWeightsKerasStoredForIt(String format) throws IOException {
    // channels_first: concatenating the width keeps F channels; channels_last doubles them
    int channels = format.equals("channels_first") ? F : 2 * F;
    Map<String, float[]> out = run(model(format, "concat", true), weights(true, channels), format);
    float[] shape =
        format.equals("channels_first") ? new float[] {B, 1, H, 2 * W} : new float[] {B, H, W, 1};
    assertThat(out.get("c.shape")).containsExactly(shape);
  }
}
