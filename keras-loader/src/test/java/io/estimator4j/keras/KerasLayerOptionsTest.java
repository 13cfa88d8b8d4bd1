package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Layer options that the reference files do not vary (bilinear up-sampling and its two conventions,
 * dilated transposed convolutions, causal depthwise and separable 1D convolutions, Concatenate's
 * masks, Softmax's mask, Keras 1's cosine Merge, Cropping3D's default) and the refusals of options
 * that are not implemented. Weights come from constant initializers so that every expected value is
 * worked out by hand beside its assertion.
 */
class KerasLayerOptionsTest {
  @TempDir Path tmp;

  private static final String ONES = "{\"class_name\": \"Ones\", \"config\": {}}";

  private static String input(String name, String shape) {
    return "{\"class_name\": \"InputLayer\", \"name\": \""
        + name
        + "\", \"inbound_nodes\": [],"
        + " \"config\": {\"name\": \""
        + name
        + "\", \"batch_input_shape\": [null, "
        + shape
        + "], \"dtype\": \"float32\"}}";
  }

  /** A layer called once on the layers named in {@code inbound}. */
  private static String layer(String cls, String name, String config, String... inbound) {
    StringBuilder nodes = new StringBuilder();
    for (String in : inbound) {
      nodes
          .append(nodes.length() == 0 ? "" : ", ")
          .append("[\"")
          .append(in)
          .append("\", 0, 0, {}]");
    }
    return "{\"class_name\": \""
        + cls
        + "\", \"name\": \""
        + name
        + "\", \"config\": {\"name\": \""
        + name
        + "\""
        + (config.isEmpty() ? "" : ", " + config)
        + "}, \"inbound_nodes\": [["
        + nodes
        + "]]}";
  }

  /** A functional model saved by {@code version} from inputs {@code ins} to the last layer. */
  private KerasModel model(String version, String[] ins, String output, String... layers)
      throws IOException {
    StringBuilder inputs = new StringBuilder();
    for (String in : ins) {
      inputs.append(inputs.length() == 0 ? "" : ", ").append("[\"").append(in).append("\", 0, 0]");
    }
    String json =
        "{\"class_name\": \"Functional\", \"keras_version\": \""
            + version
            + "\","
            + " \"config\": {\"name\": \"m\", \"layers\": ["
            + String.join(", ", layers)
            + "],"
            + " \"input_layers\": ["
            + inputs
            + "], \"output_layers\": [[\""
            + output
            + "\", 0, 0]]}}";
    Path file = Files.createTempFile(tmp, "model", ".json");
    Files.writeString(file, json);
    return KerasModel.load(file);
  }

  private static float[] run(KerasModel m, Shape shape, float[]... values) {
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    int i = 0;
    for (String name : m.inputs().keySet()) {
      feeds.put(name, TFloat32.tensorOf(shape, DataBuffers.of(values[i++], true, false)));
    }
    try {
      return TestData.predict(m, feeds, null);
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  private static void assertClose(float[] actual, double... expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-5));
    }
  }

  private KerasModel upSampling(String version, String interpolation) throws IOException {
    return model(
        version,
        new String[] {"x"},
        "up",
        input("x", "2, 2, 1"),
        layer(
            "UpSampling2D",
            "up",
            "\"size\": [2, 2], \"data_format\": \"channels_last\","
                + " \"interpolation\": \""
                + interpolation
                + "\"",
            "x"));
  }

  @Test
  void bilinearUpSamplingFollowsTheKerasVersionThatSavedTheModel() throws IOException {
    float[] image = {1, 2, 3, 4}; // value 1 + 2 * row + col
    // tf.keras 2 / Keras 3 (tf.image.resize, half-pixel centres): first row samples columns
    // (i + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1) -> 1 + c
    for (String tfKeras : new String[] {"2.4.0", "2.2.4-tf", "2.3.0-tf", "2.11.0"}) {
      try (KerasModel m = upSampling(tfKeras, "bilinear")) {
        float[] y = run(m, Shape.of(1, 2, 2, 1), image);
        assertClose(java.util.Arrays.copyOf(y, 4), 1, 1.25, 1.75, 2);
        // last row: row fraction 1 -> 3 + c
        assertClose(java.util.Arrays.copyOfRange(y, 12, 16), 3, 3.25, 3.75, 4);
      }
    }
    // standalone Keras 2.2 (tf.image.resize_bilinear on TensorFlow 1): columns i / 2 = 0, 0.5,
    // 1, 1.5 (clamped to 1) -> 1, 1.5, 2, 2; the second row samples row 0.5 -> 2, 2.5, 3, 3
    try (KerasModel m = upSampling("2.2.4", "bilinear")) {
      float[] y = run(m, Shape.of(1, 2, 2, 1), image);
      assertClose(java.util.Arrays.copyOf(y, 8), 1, 1.5, 2, 2, 2, 2.5, 3, 3);
    }
  }

  @Test
  void otherInterpolationsAreRefusedByName() {
    assertThatThrownBy(() -> upSampling("3.3.3", "bicubic").close())
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContaining("'up'")
        .hasMessageContaining("interpolation 'bicubic' is not supported");
  }

  @Test
  void dilatedTransposedConvolutionSpreadsTheKernelTaps() throws IOException {
    // kernel [1, 1] dilated by 2 is [1, 0, 1]; the transpose scatters x[i] * k'[j - i]:
    // y = [x0, x1, x0, x1] = [1, 2, 1, 2], length 2 + (3 - 1) = 4
    try (KerasModel m =
        model(
            "2.4.0",
            new String[] {"x"},
            "t",
            input("x", "2, 1"),
            layer(
                "Conv1DTranspose",
                "t",
                "\"filters\": 1, \"kernel_size\": [2], \"strides\": [1],"
                    + " \"padding\": \"valid\", \"dilation_rate\": [2], \"output_padding\": null,"
                    + " \"use_bias\": false, \"kernel_initializer\": "
                    + ONES,
                "x"))) {
      assertThat(m.outputs().get("t").shape().asArray()).containsExactly(-1, 4, 1);
      assertClose(run(m, Shape.of(1, 2, 1), new float[] {1, 2}), 1, 2, 1, 2);
    }
  }

  @Test
  void outputPaddingMustBeSmallerThanTheStride() {
    assertThatThrownBy(
            () ->
                model(
                        "2.4.0",
                        new String[] {"x"},
                        "t",
                        input("x", "2, 2, 1"),
                        layer(
                            "Conv2DTranspose",
                            "t",
                            "\"filters\": 1, \"kernel_size\": [2, 2],"
                                + " \"strides\": [1, 1], \"output_padding\": [1, 1]",
                            "x"))
                    .close())
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContaining(
            "output_padding must give one value per spatial axis, each smaller"
                + " than its stride");
  }

  @Test
  void causalDepthwiseAndSeparableConv1DSeeOnlyThePast() throws IOException {
    // causal: x = [1, 2, 3] left-padded by dilation * (k - 1) = 1 -> [0, 1, 2, 3]; kernel [1, 1]
    // -> [0 + 1, 1 + 2, 2 + 3] = [1, 3, 5]
    try (KerasModel m =
        model(
            "2.8.0",
            new String[] {"x"},
            "d",
            input("x", "3, 1"),
            layer(
                "DepthwiseConv1D",
                "d",
                "\"kernel_size\": [2], \"padding\": \"causal\","
                    + " \"depth_multiplier\": 1, \"use_bias\": false, \"depthwise_initializer\": "
                    + ONES,
                "x"))) {
      assertClose(run(m, Shape.of(1, 3, 1), new float[] {1, 2, 3}), 1, 3, 5);
    }
    // separable, depth_multiplier 2: two depthwise channels [1, 3, 5], summed by the pointwise
    // ones kernel -> [2, 6, 10]
    try (KerasModel m =
        model(
            "2.8.0",
            new String[] {"x"},
            "s",
            input("x", "3, 1"),
            layer(
                "SeparableConv1D",
                "s",
                "\"filters\": 1, \"kernel_size\": [2],"
                    + " \"padding\": \"causal\", \"depth_multiplier\": 2, \"use_bias\": false,"
                    + " \"depthwise_initializer\": "
                    + ONES
                    + ", \"pointwise_initializer\": "
                    + ONES,
                "x"))) {
      assertClose(run(m, Shape.of(1, 3, 1), new float[] {1, 2, 3}), 2, 6, 10);
    }
  }

  /** Masking(x) and y concatenated along {@code axis}, then averaged over the time steps. */
  private KerasModel maskedConcat(String version, int axis) throws IOException {
    return model(
        version,
        new String[] {"x", "y"},
        "avg",
        input("x", "2, 1"),
        input("y", "2, 1"),
        layer("Masking", "mask", "\"mask_value\": 0.0", "x"),
        layer("Concatenate", "cat", "\"axis\": " + axis, "mask", "y"),
        layer("GlobalAveragePooling1D", "avg", "\"data_format\": \"channels_last\"", "cat"));
  }

  @Test
  void concatenateConcatenatesOrReducesTheMasksAsKerasDoes() throws IOException {
    float[] x = {0, 4}; // step 0 is masked
    float[] y = {2, 6}; // no mask
    // along time: masks [false, true] ++ [true, true]; mean of the unmasked 4, 2, 6 = 4
    try (KerasModel m = maskedConcat("2.4.0", 1)) {
      assertClose(run(m, Shape.of(1, 2, 1), x, y), 4);
    }
    // along the features, Keras 2: all([mask, true]) over the features = x's mask; mean of step
    // 1 only: [4, 6]
    try (KerasModel m = maskedConcat("2.4.0", -1)) {
      assertClose(run(m, Shape.of(1, 2, 1), x, y), 4, 6);
    }
    // Keras 3 reduces with any: y's all-true mask wins, both steps count: [(0 + 4) / 2, (2 + 6)
    // / 2] = [2, 4]
    try (KerasModel m = maskedConcat("3.3.3", -1)) {
      assertClose(run(m, Shape.of(1, 2, 1), x, y), 2, 4);
    }
  }

  private KerasModel maskedSoftmax(String version) throws IOException {
    return model(
        version,
        new String[] {"x"},
        "sm",
        input("x", "1, 3"),
        layer("Masking", "mask", "\"mask_value\": 0.0", "x"),
        layer("Softmax", "sm", "\"axis\": -1", "mask"));
  }

  @Test
  void softmaxAppliesTheMaskKerasPassesIt() throws IOException {
    float[] masked = {0, 0, 0}; // Masking: the only step is masked
    // x + (1 - 0) * -1e9 on every entry: equal logits -> 1/3 each
    try (KerasModel m = maskedSoftmax("2.5.0")) {
      assertClose(run(m, Shape.of(1, 1, 3), masked), 1 / 3.0, 1 / 3.0, 1 / 3.0);
    }
    // Keras 3.10+ also multiplies by the mask: a fully masked slice gives zeros
    try (KerasModel m = maskedSoftmax("3.10.0")) {
      assertClose(run(m, Shape.of(1, 1, 3), masked), 0, 0, 0);
    }
    // an unmasked step: softmax([ln 1, ln 2, ln 1]) = [0.25, 0.5, 0.25]
    try (KerasModel m = maskedSoftmax("2.5.0")) {
      assertClose(
          run(m, Shape.of(1, 1, 3), new float[] {0, (float) Math.log(2), 0}), 0.25, 0.5, 0.25);
    }
    assertThatThrownBy(() -> maskedSoftmax("2.4.0").predict(Map.of()))
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContaining("a mask reaches this Softmax layer");
  }

  @Test
  void keras1CosineMerge() throws IOException {
    // cos([3, 4], [4, 3]) = 24 / sqrt(25 * 25) = 0.96, shape [batch, 1, 1]
    try (KerasModel m =
        model(
            "1.2.2",
            new String[] {"x", "y"},
            "cos",
            input("x", "2"),
            input("y", "2"),
            layer(
                "Merge",
                "cos",
                "\"mode\": \"cos\", \"mode_type\": \"raw\"," + " \"dot_axes\": -1",
                "x",
                "y"))) {
      assertThat(m.outputs().get("cos").shape().asArray()).containsExactly(-1, 1, 1);
      assertClose(run(m, Shape.of(1, 2), new float[] {3, 4}, new float[] {4, 3}), 0.96);
    }
  }

  @Test
  void cropping3dDefaultsToOneOnEverySide() throws IOException {
    float[] cube = new float[27];
    for (int i = 0; i < cube.length; i++) {
      cube[i] = i;
    }
    // 3x3x3 cropped by 1 on each side: the centre, index 9 + 3 + 1 = 13
    try (KerasModel m =
        model(
            "2.4.0",
            new String[] {"x"},
            "c",
            input("x", "3, 3, 3, 1"),
            layer("Cropping3D", "c", "\"data_format\": \"channels_last\"", "x"))) {
      assertClose(run(m, Shape.of(1, 3, 3, 3, 1), cube), 13);
    }
  }

  @Test
  void keras1SpellingsLoadAndUnsupportedOptionsAreRefusedByName() throws IOException {
    // Keras 1 spellings are converted as Keras 2 converts them (LegacyKeras), not refused
    try (KerasModel m =
        model(
            "1.2.2",
            new String[] {"x"},
            "c",
            input("x", "4, 4, 1"),
            layer(
                "Convolution2D",
                "c",
                "\"nb_filter\": 2, \"nb_row\": 3, \"nb_col\": 3,"
                    + " \"border_mode\": \"same\", \"dim_ordering\": \"tf\"",
                "x"))) {
      assertThat(m.outputs().get("c").shape().asArray()).containsExactly(-1, 4, 4, 2);
    }
    try (KerasModel m =
        model(
            "1.2.2",
            new String[] {"x"},
            "p",
            input("x", "4, 4, 1"),
            layer(
                "MaxPooling2D",
                "p",
                "\"pool_size\": [3, 3], \"strides\": [2, 2]," + " \"border_mode\": \"same\"",
                "x"))) {
      // same padding: ceil(4 / 2) = 2 (valid would give 1)
      assertThat(m.outputs().get("p").shape().asArray()).containsExactly(-1, 2, 2, 1);
    }
    assertThatThrownBy(
            () ->
                model(
                        "3.3.3",
                        new String[] {"x"},
                        "n",
                        input("x", "4"),
                        layer(
                            "LayerNormalization", "n", "\"axis\": -1, \"rms_scaling\": true", "x"))
                    .close())
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContaining("rms_scaling");
    assertThatThrownBy(
            () ->
                model(
                        "3.3.3",
                        new String[] {"x"},
                        "d",
                        input("x", "4"),
                        layer("Dense", "d", "\"units\": 2, \"lora_rank\": 4", "x"))
                    .close())
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContaining("LoRA");
    assertThatThrownBy(
            () ->
                model(
                        "2.4.0",
                        new String[] {"x"},
                        "d",
                        input("x", "4, 1"),
                        layer(
                            "Conv1DTranspose",
                            "d",
                            "\"filters\": 1, \"kernel_size\": 2, \"groups\": 2",
                            "x"))
                    .close())
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContaining("groups=2");
  }
}
