package io.estimator4j.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.keras.KerasModel;
import io.estimator4j.keras.KerasModelFile;
import io.estimator4j.keras.KerasSummary;
import io.jhdf.HdfFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * The three applications written as tf.keras 2.x writes them. Expected counts are Keras's own
 * {@code model.summary()} totals for {@code weights=None, include_top=True, classes=1000}, and the
 * layer order is checked at points Keras users rely on: InceptionV3's {@code mixed7} and {@code
 * mixed8} are layers 228 and 248 (the fine-tuning recipe of the Keras documentation freezes "the
 * first 249 layers", up to mixed8).
 */
class KerasApplicationsTest {
  @TempDir Path dir;

  @Test
  void inceptionV3HasKerasCountsNamesAndOrder() throws Exception {
    KerasApplications app = KerasApplications.of(KerasApplications.App.INCEPTION_V3);
    assertThat(app.totalParams()).isEqualTo(23_851_784L);
    assertThat(app.nonTrainableParams()).isEqualTo(34_432L);
    List<String> names = app.layerNames();
    assertThat(names).hasSize(313);
    assertThat(names.subList(0, 11))
        .containsExactly(
            "input_1",
            "conv2d",
            "batch_normalization",
            "activation",
            "conv2d_1",
            "batch_normalization_1",
            "activation_1",
            "conv2d_2",
            "batch_normalization_2",
            "activation_2",
            "max_pooling2d");
    assertThat(names.indexOf("mixed7")).isEqualTo(228);
    assertThat(names.indexOf("mixed8")).isEqualTo(248);
    assertThat(names).contains("conv2d_93", "concatenate_1", "mixed9_1", "avg_pool", "predictions");
    assertThat(names).doesNotContain("conv2d_94");
    // the loader reads the architecture back with Keras's counts
    KerasModelFile file = KerasModelFile.read(write(app, "inception"));
    try (KerasModel model = KerasModel.build(file)) {
      KerasSummary s = KerasSummary.of(model);
      assertThat(s.totalParams()).isEqualTo(23_851_784L);
      assertThat(s.nonTrainableParams()).isEqualTo(34_432L);
      assertThat(model.inputs().keySet()).containsExactly("input_1");
      assertThat(model.outputs().keySet()).containsExactly("predictions");
      assertThat(model.outputs().get("predictions").shape().asArray()).containsExactly(-1, 1000);
    }
  }

  @Test
  void resNet50HasKerasCountsAndOrder() {
    KerasApplications app = KerasApplications.of(KerasApplications.App.RESNET50);
    assertThat(app.totalParams()).isEqualTo(25_636_712L);
    assertThat(app.nonTrainableParams()).isEqualTo(53_120L);
    assertThat(app.layerNames()).hasSize(177);
    assertThat(app.layerNames().subList(7, 19))
        .containsExactly(
            "conv2_block1_1_conv",
            "conv2_block1_1_bn",
            "conv2_block1_1_relu",
            "conv2_block1_2_conv",
            "conv2_block1_2_bn",
            "conv2_block1_2_relu",
            "conv2_block1_0_conv",
            "conv2_block1_3_conv",
            "conv2_block1_0_bn",
            "conv2_block1_3_bn",
            "conv2_block1_add",
            "conv2_block1_out");
  }

  @Test
  // The NaN this test once gave after the wave-2 merges came from its input, not the model: it fed
  // TFloat32.tensorOf(shape), whose memory TensorFlow does not zero (a reused block holds what the
  // last tensor there left, NaN included). The pixels are now defined, and every variable is
  // compared with its array in the file once the session has started.
  void mobileNetV2WeightsFileLoadsAndRuns() throws Exception {
    KerasApplications app = KerasApplications.of(KerasApplications.App.MOBILENET_V2);
    assertThat(app.totalParams()).isEqualTo(3_538_984L);
    assertThat(app.nonTrainableParams()).isEqualTo(34_112L);
    assertThat(app.layerNames()).hasSize(156);
    Path json = dir.resolve("mobilenetv2.json");
    Path weights = dir.resolve("mobilenetv2_weights.h5");
    app.write(json, weights, 1);
    try (HdfFile h5 = new HdfFile(weights)) {
      // model.save_weights: layer_names in model.layers order, datasets at <layer>/<layer>/<w>:0
      assertThat((String[]) h5.getAttribute("layer_names").getData())
          .containsExactlyElementsOf(app.layerNames());
      assertThat(h5.getDatasetByPath("Conv1/Conv1/kernel:0").getDimensions())
          .containsExactly(3, 3, 3, 32);
      assertThat(h5.getDatasetByPath("bn_Conv1/bn_Conv1/moving_variance:0").getDimensions())
          .containsExactly(32);
    }
    float[] pixels = new float[224 * 224 * 3];
    java.util.Random r = new java.util.Random(3);
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = r.nextFloat() * 2 - 1;
    }
    KerasModelFile file = KerasModelFile.read(json, weights);
    float[] constants;
    try (KerasModel model = KerasModel.build(file, KerasModel.WeightMode.CONSTANTS)) {
      constants = predictions(model, pixels);
    }
    try (KerasModel model = KerasModel.build(file)) {
      KerasSummary s = KerasSummary.of(model);
      assertThat(s.totalParams()).isEqualTo(3_538_984L);
      assertThat(s.trainableParams()).isEqualTo(3_504_872L);
      float[] p = predictions(model, pixels);
      // the feed put every array of the file into its own variable: 52 BatchNormalization layers'
      // moving variances among them (ones, as weights=None writes them)
      int variances = 0;
      try (HdfFile h5 = new HdfFile(weights)) {
        List<org.tensorflow.op.core.Variable<TFloat32>> all =
            new java.util.ArrayList<>(model.trainableVariables());
        all.addAll(model.nonTrainableVariables());
        assertThat(all).hasSize(262);
        for (var v : all) {
          String name = v.op().name();
          String layer = name.substring(0, name.indexOf('/'));
          float[] stored = (float[]) h5.getDatasetByPath(layer + "/" + name + ":0").getDataFlat();
          float[] held = new float[stored.length];
          try (org.tensorflow.Result fetched = model.session().runner().fetch(v).run()) {
            ((TFloat32) fetched.get(0))
                .copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(held, false, false));
          }
          assertThat(held).as(name).isEqualTo(stored); // Arrays.equals: containsExactly is O(n²)
          if (name.endsWith("/moving_variance")) {
            variances++;
          }
        }
      }
      assertThat(variances).isEqualTo(52);
      // softmax over 1000 classes: the probabilities sum to 1; the weights as variables give what
      // the weights as constants give
      double sum = 0;
      for (float v : p) {
        sum += v;
      }
      assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));
      assertThat(p).containsExactly(constants, org.assertj.core.api.Assertions.within(1e-6f));
    }
  }

  private static float[] predictions(KerasModel model, float[] pixels) {
    try (TFloat32 x =
        TFloat32.tensorOf(
            Shape.of(1, 224, 224, 3),
            org.tensorflow.ndarray.buffer.DataBuffers.of(pixels, true, false))) {
      var out = model.predict(Map.of("input_1", x));
      try {
        float[] p = new float[1000];
        ((TFloat32) out.get("predictions"))
            .copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(p, false, false));
        return p;
      } finally {
        out.values().forEach(org.tensorflow.Tensor::close);
      }
    }
  }

  private Path write(KerasApplications app, String name) throws Exception {
    Path json = dir.resolve(name + ".json");
    java.nio.file.Files.writeString(json, app.toJson());
    return json;
  }
}
