package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.WeightArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A Sequential saved before it was built (no input shape on its first layer) but with weights, or
 * with the shape only in {@code build_input_shape} / Keras 3's {@code build_config}: the input
 * shape comes from the file where it says it, else from the first layer's weights where they fix
 * it. Each must give what the same model saved with an explicit input shape gives.
 */
class KerasSequentialInputTest {
  @TempDir Path tmp;

  private static String sequential(String firstLayerExtra, String layers, String modelExtra) {
    return """
        {"class_name": "Sequential", "keras_version": "2.9.0", "config": {"name": "s"%s,
         "layers": [%s]}%s}
        """
        .formatted(
            modelExtra.isEmpty() ? "" : ", " + modelExtra, layers.formatted(firstLayerExtra), "");
  }

  private static final String DENSE_MLP =
      """
      {"class_name": "Dense", "config": {"name": "d1", "units": 3, "activation": "relu"%s}},
      {"class_name": "Dense", "config": {"name": "d2", "units": 2}}""";

  private static final String CONV_NET =
      """
      {"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": [3, 3],
        "padding": "same"%s}},
      {"class_name": "GlobalAveragePooling2D", "config": {"name": "g"}},
      {"class_name": "Dense", "config": {"name": "d", "units": 1}}""";

  private static final String LSTM_NET =
      """
      {"class_name": "LSTM", "config": {"name": "l", "units": 3%s}},
      {"class_name": "Dense", "config": {"name": "d", "units": 1}}""";

  private Path weights(Map<String, long[][]> shapes) {
    Random r = new Random(3);
    Map<String, KerasWeights.Group> groups = new LinkedHashMap<>();
    shapes.forEach(
        (layer, ws) -> {
          List<WeightArray> arrays = new java.util.ArrayList<>();
          String[] names = {"kernel", "recurrent_kernel", "bias"};
          for (int i = 0; i < ws.length; i++) {
            String n = ws.length == 2 && i == 1 ? "bias" : names[i];
            float[] v = new float[(int) Shape.of(ws[i]).size()];
            for (int j = 0; j < v.length; j++) {
              v[j] = (float) r.nextGaussian();
            }
            arrays.add(new WeightArray(layer + "/" + n + ":0", Shape.of(ws[i]), v));
          }
          groups.put(layer, new KerasWeights.Group(arrays, Map.of()));
        });
    Path file = tmp.resolve("w" + System.nanoTime() + ".h5");
    TestFiles.writeKeras2Weights(
        file,
        new KerasWeights(KerasWeights.Layout.KERAS2, new KerasWeights.Group(List.of(), groups)),
        1);
    return file;
  }

  private float[] predict(String json, Path weights, long... xShape) throws IOException {
    Path file = tmp.resolve("m" + System.nanoTime() + ".json");
    Files.writeString(file, json);
    return predict(KerasModelFile.read(file, weights), xShape);
  }

  private static float[] predict(KerasModelFile file, long... xShape) {
    float[] x = new float[(int) Shape.of(xShape).size()];
    Random r = new Random(8);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    try (KerasModel model = KerasModel.build(file);
        TFloat32 in = TFloat32.tensorOf(Shape.of(xShape), DataBuffers.of(x, true, false))) {
      return TestData.predict(model, Map.of(model.inputs().keySet().iterator().next(), in), null);
    }
  }

  @Test
  void denseInputFromItsKernel() throws IOException {
    Path w = weights(Map.of("d1", new long[][] {{4, 3}, {3}}, "d2", new long[][] {{3, 2}, {2}}));
    float[] expected =
        predict(sequential(", \"batch_input_shape\": [null, 4]", DENSE_MLP, ""), w, 5, 4);
    // Dense kernel [4, 3]: the input is (None, 4)
    assertThat(predict(sequential("", DENSE_MLP, ""), w, 5, 4)).containsExactly(expected);
  }

  @Test
  void convolutionInputFromItsKernelLeavesTheImageSizeOpen() throws IOException {
    Path w =
        weights(Map.of("c", new long[][] {{3, 3, 3, 2}, {2}}, "d", new long[][] {{2, 1}, {1}}));
    float[] expected =
        predict(
            sequential(", \"batch_input_shape\": [null, null, null, 3]", CONV_NET, ""),
            w,
            2,
            5,
            6,
            3);
    // kernel [3, 3, 3, 2]: (None, None, None, 3); any image size runs
    assertThat(predict(sequential("", CONV_NET, ""), w, 2, 5, 6, 3)).containsExactly(expected);
  }

  @Test
  void recurrentInputFromItsKernel() throws IOException {
    Path w =
        weights(
            Map.of("l", new long[][] {{2, 12}, {3, 12}, {12}}, "d", new long[][] {{3, 1}, {1}}));
    float[] expected =
        predict(sequential(", \"batch_input_shape\": [null, 4, 2]", LSTM_NET, ""), w, 3, 4, 2);
    assertThat(predict(sequential("", LSTM_NET, ""), w, 3, 4, 2)).containsExactly(expected);
  }

  @Test
  void buildInputShapeAndKeras3BuildConfig() throws IOException {
    Path w = weights(Map.of("d1", new long[][] {{4, 3}, {3}}, "d2", new long[][] {{3, 2}, {2}}));
    float[] expected =
        predict(sequential(", \"batch_input_shape\": [null, 4]", DENSE_MLP, ""), w, 5, 4);
    assertThat(predict(sequential("", DENSE_MLP, "\"build_input_shape\": [null, 4]"), w, 5, 4))
        .containsExactly(expected);
    // Keras 3 writes build_config beside each built layer's config
    String firstWithBuildConfig =
        """
        {"class_name": "Dense", "config": {"name": "d1", "units": 3, "activation": "relu"},
         "build_config": {"input_shape": [null, 4]}},
        {"class_name": "Dense", "config": {"name": "d2", "units": 2}}""";
    assertThat(predict(sequential("", firstWithBuildConfig, ""), w, 5, 4))
        .containsExactly(expected);
  }

  @Test
  void aShapeNothingGivesIsRefusedNamingTheFix() throws IOException {
    Path file = tmp.resolve("bn.json");
    Files.writeString(
        file,
        sequential(
            "", "{\"class_name\": \"BatchNormalization\", \"config\": {\"name\": \"bn\"%s}}", ""));
    KerasModelFile keras = KerasModelFile.read(file);
    assertThatThrownBy(() -> KerasModel.build(keras))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("The Sequential model 's' in bn.json does not say its input shape")
        .hasMessageContaining("KerasModelFile.withInputShape(\"bn_input\", ...)");
    // the override
    try (KerasModel model = KerasModel.build(keras.withInputShape("bn_input", 3))) {
      assertThat(model.inputs().get("bn_input").shape().asArray()).containsExactly(-1, 3);
    }
    assertThatThrownBy(() -> keras.withInputShape("nope", 3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("has no input 'nope'; its inputs: [bn_input]");
  }

  @Test
  void aGuessThatCannotReachFlattenNamesTheOverride() throws IOException {
    String convFlatten =
        """
        {"class_name": "Conv2D", "config": {"name": "c", "filters": 2, "kernel_size": [3, 3]%s}},
        {"class_name": "Flatten", "config": {"name": "f"}},
        {"class_name": "Dense", "config": {"name": "d", "units": 1}}""";
    Path w =
        weights(Map.of("c", new long[][] {{3, 3, 3, 2}, {2}}, "d", new long[][] {{18, 1}, {1}}));
    Path file = tmp.resolve("cf.json");
    Files.writeString(file, sequential("", convFlatten, ""));
    KerasModelFile keras = KerasModelFile.read(file, w);
    assertThatThrownBy(() -> KerasModel.build(keras))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was inferred from the weights of layer 'c' (Conv2D) as")
        .hasMessageContaining("(None, None, None, 3)")
        .hasMessageContaining("KerasModelFile.withInputShape(\"c_input\", ...)");
    // 5x5 images: valid 3x3 conv -> 3x3x2 = 18 features, as the Dense kernel says
    assertThat(predict(keras.withInputShape("c_input", 5, 5, 3), 2, 5, 5, 3)).hasSize(2);
  }
}
