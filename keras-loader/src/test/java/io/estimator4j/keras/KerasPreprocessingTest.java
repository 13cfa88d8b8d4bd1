package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Keras preprocessing layers whose state lives in the model (Normalization's adapted mean, variance
 * and integer count; Discretization's boundaries; CategoryEncoding; Resizing; CenterCrop) and the
 * augmentation layers (identity at inference), with values worked out by hand.
 */
class KerasPreprocessingTest {
  @TempDir Path tmp;

  private Path sequential(String name, String batchShape, String dtype, String layer)
      throws IOException {
    Path file = tmp.resolve(name + ".json");
    Files.writeString(
        file,
        "{\"class_name\": \"Sequential\", \"keras_version\": \"2.13.1\","
            + " \"config\": {\"name\": \"seq\", \"layers\": [{\"class_name\": \"InputLayer\","
            + " \"config\": {\"name\": \"x\", \"batch_input_shape\": "
            + batchShape
            + ", \"dtype\": \""
            + dtype
            + "\"}}, "
            + layer
            + "]}}");
    return file;
  }

  private static float[] run(KerasModel m, Tensor x) {
    return TestData.predict(m, Map.of("x", x), null);
  }

  private static TFloat32 floats(long[] shape, float... v) {
    return TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(v, true, false));
  }

  @Test
  void normalizationUsesTheAdaptedWeightsIncludingAnIntegerCount() throws IOException {
    Path json =
        sequential(
            "norm",
            "[null, 2]",
            "float32",
            "{\"class_name\": \"Normalization\", \"config\": {\"name\": \"normalization\","
                + " \"axis\": [-1], \"mean\": null, \"variance\": null, \"invert\": false}}");
    Path weights = tmp.resolve("norm.h5");
    try (WritableHdfFile h5 = HdfFile.write(weights)) {
      h5.putAttribute("layer_names", new String[] {"normalization"});
      WritableGroup layer = h5.putGroup("normalization");
      layer.putAttribute(
          "weight_names",
          new String[] {
            "normalization/mean:0", "normalization/variance:0", "normalization/count:0"
          });
      WritableGroup g = layer.putGroup("normalization");
      g.putDataset("mean:0", new float[] {1, 2});
      g.putDataset("variance:0", new float[] {4, 9});
      g.putDataset("count:0", 5L); // adapt() counts examples in an int64 scalar
    }
    try (KerasModel m = KerasModel.build(KerasModelFile.read(json, weights));
        TFloat32 x = floats(new long[] {1, 2}, 3, 5)) {
      // (x - mean) / sqrt(variance) = [(3 - 1) / 2, (5 - 2) / 3]
      assertThat(run(m, x)).containsExactly(1f, 1f);
      assertThat(m.trainableVariables()).isEmpty();
    }
  }

  @Test
  void normalizationFromItsConfigAndInverted() throws IOException {
    Path json =
        sequential(
            "inv",
            "[null, 2]",
            "float32",
            "{\"class_name\": \"Normalization\", \"config\": {\"name\": \"n\", \"axis\": -1,"
                + " \"mean\": 1.0, \"variance\": [4.0, 0.0], \"invert\": true}}");
    try (KerasModel m = KerasModel.load(json);
        TFloat32 x = floats(new long[] {1, 2}, 1, 1)) {
      // invert: mean + x * max(sqrt(variance), 1e-7) = [1 + 2, 1 + 1e-7]
      float[] out = run(m, x);
      assertThat(out[0]).isEqualTo(3f);
      assertThat(out[1]).isCloseTo(1f, within(1e-6f));
    }
  }

  @Test
  void discretizationBucketsByItsBoundaries() throws IOException {
    Path json =
        sequential(
            "disc",
            "[null, 4]",
            "float32",
            "{\"class_name\": \"Discretization\", \"config\": {\"name\": \"d\","
                + " \"bin_boundaries\": [0.0, 1.0], \"output_mode\": \"int\"}}");
    try (KerasModel m = KerasModel.load(json);
        TFloat32 x = floats(new long[] {1, 4}, -1, 0.5f, 1, 2)) {
      Map<String, Tensor> out = m.predict(Map.of("x", x));
      try (TInt64 t = (TInt64) out.values().iterator().next()) {
        // below 0 -> 0, [0, 1) -> 1, from 1 on -> 2 (a value on a boundary goes up)
        assertThat(new long[] {t.getLong(0, 0), t.getLong(0, 1), t.getLong(0, 2), t.getLong(0, 3)})
            .containsExactly(0, 1, 2, 2);
      }
    }
  }

  @Test
  void categoryEncodingModes() throws IOException {
    for (String[] c :
        new String[][] {
          {"multi_hot", "[null, 3]", "1,0,1,0"},
          {"count", "[null, 3]", "1,0,2,0"},
          {"one_hot", "[null, 1]", "0,0,0,1"}
        }) {
      Path json =
          sequential(
              "cat_" + c[0],
              c[1],
              "int32",
              "{\"class_name\": \"CategoryEncoding\", \"config\": {\"name\": \"e\","
                  + " \"num_tokens\": 4, \"output_mode\": \""
                  + c[0]
                  + "\", \"sparse\": false}}");
      int[] ids = c[0].equals("one_hot") ? new int[] {3} : new int[] {0, 2, 2};
      try (KerasModel m = KerasModel.load(json);
          TInt32 x = TInt32.tensorOf(Shape.of(1, ids.length), DataBuffers.of(ids, true, false))) {
        // tokens [0, 2, 2]: present -> multi_hot [1, 0, 1, 0], counted -> [1, 0, 2, 0]
        String[] expected = c[2].split(",");
        float[] out = run(m, x);
        assertThat(out).as(c[0]).hasSize(4);
        for (int i = 0; i < 4; i++) {
          assertThat(out[i]).as(c[0] + " token %d", i).isEqualTo(Float.parseFloat(expected[i]));
        }
      }
    }
  }

  @Test
  void resizingBilinearAndNearestUseHalfPixelCentres() throws IOException {
    // tf.image.resize 2x2 -> 4x4: source coordinate (out + 0.5) / 2 - 0.5, clamped; bilinear
    // rows of [[1, 2], [3, 4]]: y = 0 -> row 0, y = 1 -> 0.75 row 0 + 0.25 row 1, y = 2 -> 0.25
    // row 0 + 0.75 row 1, y = 3 -> row 1; the same along x
    float[] bilinear = {
      1, 1.25f, 1.75f, 2, 1.5f, 1.75f, 2.25f, 2.5f, 2.5f, 2.75f, 3.25f, 3.5f, 3, 3.25f, 3.75f, 4
    };
    // nearest: floor((out + 0.5) / 2) = 0, 0, 1, 1
    float[] nearest = {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4};
    for (String mode : new String[] {"bilinear", "nearest"}) {
      Path json =
          sequential(
              "resize_" + mode,
              "[null, 2, 2, 1]",
              "float32",
              "{\"class_name\": \"Resizing\", \"config\": {\"name\": \"r\", \"height\": 4,"
                  + " \"width\": 4, \"interpolation\": \""
                  + mode
                  + "\","
                  + " \"crop_to_aspect_ratio\": false}}");
      try (KerasModel m = KerasModel.load(json);
          TFloat32 x = floats(new long[] {1, 2, 2, 1}, 1, 2, 3, 4)) {
        assertThat(run(m, x))
            .as(mode)
            .containsExactly(mode.equals("bilinear") ? bilinear : nearest, within(1e-6f));
      }
    }
  }

  @Test
  void centerCropAndAugmentationAtInference() throws IOException {
    Path json =
        sequential(
            "crop",
            "[null, 4, 4, 1]",
            "float32",
            "{\"class_name\": \"RandomFlip\", \"config\": {\"name\": \"flip\", \"mode\":"
                + " \"horizontal\", \"seed\": 1}}, {\"class_name\": \"CenterCrop\", \"config\":"
                + " {\"name\": \"c\", \"height\": 2, \"width\": 2}}");
    float[] values = new float[16];
    for (int i = 0; i < 16; i++) {
      values[i] = i;
    }
    try (KerasModel m = KerasModel.load(json);
        TFloat32 x = floats(new long[] {1, 4, 4, 1}, values)) {
      // rows 1-2, columns 1-2 of the 4x4 grid 0..15 (the flip is the identity at inference)
      assertThat(run(m, x)).containsExactly(5f, 6f, 9f, 10f);
    }
  }

  @Test
  void aCropLargerThanTheInputIsRefusedNamingTheLayer() throws IOException {
    Path json =
        sequential(
            "big",
            "[null, 2, 2, 1]",
            "float32",
            "{\"class_name\": \"CenterCrop\", \"config\": {\"name\": \"crop\", \"height\": 3,"
                + " \"width\": 3}}");
    assertThatThrownBy(() -> KerasModel.load(json).close())
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContaining("'crop'")
        .hasMessageContaining("at least 3 x 3");
  }
}
