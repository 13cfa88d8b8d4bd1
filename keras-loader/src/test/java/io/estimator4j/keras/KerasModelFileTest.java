package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.estimator4j.keras.file.KerasFileException;
import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import io.estimator4j.keras.file.WeightArray;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;

/** Reading Keras files: every layout the loader accepts, and a clear error for each bad file. */
class KerasModelFileTest {
  private static final String CNN = "cases/dl4j-cnn_batch_norm";
  private static final String ELU = "cases/dl4j-ELU_0";

  @TempDir Path tmp;

  @Test
  void readsAFullHdf5Model() throws IOException {
    KerasModelFile file = KerasModelFile.read(TestData.keras(CNN + "/model.h5"));
    assertThat(file.format()).isEqualTo(KerasModelFile.Format.HDF5);
    assertThat(file.kerasVersion()).contains("2.1.3");
    assertThat(file.backend()).contains("tensorflow");
    assertThat(file.modelConfig().path("class_name").asText()).isEqualTo("Sequential");
    assertThat(file.trainingConfig()).isPresent();
    KerasWeights w = file.weights().orElseThrow();
    assertThat(w.layout()).isEqualTo(KerasWeights.Layout.KERAS2);
    assertThat(w.root().groups().keySet())
        .containsExactly(
            "conv2d_1",
            "batch_normalization_1",
            "activation_1",
            "conv2d_2",
            "flatten_1",
            "dense_1");
    // weight_names order, not the file's alphabetical order
    assertThat(w.root().group("batch_normalization_1").vars())
        .extracting(WeightArray::name)
        .containsExactly(
            "batch_normalization_1/gamma:0",
            "batch_normalization_1/beta:0",
            "batch_normalization_1/moving_mean:0",
            "batch_normalization_1/moving_variance:0");
    assertThat(w.root().group("conv2d_1").vars().get(0).shape().asArray())
        .containsExactly(3, 3, 3, 1);
  }

  @Test
  void jsonArchitectureWithAWeightsOnlyFileGivesKerasNumbers() throws IOException {
    KerasModelFile full = KerasModelFile.read(TestData.keras(CNN + "/model.h5"));
    Path json = tmp.resolve("cnn.json");
    Files.write(json, TestFiles.JSON.writeValueAsBytes(full.modelConfig()));
    Path weights = tmp.resolve("cnn_weights.h5");
    TestFiles.writeKeras2Weights(weights, full.weights().orElseThrow(), 1);

    KerasModelFile file = KerasModelFile.read(json, weights);
    assertThat(file.format()).isEqualTo(KerasModelFile.Format.JSON);
    assertPredictsCase(file, CNN);
  }

  @Test
  void readsLayerNamesSplitIntoChunks() throws IOException {
    KerasModelFile full = KerasModelFile.read(TestData.keras(CNN + "/model.h5"));
    Path json = tmp.resolve("cnn.json");
    Files.write(json, TestFiles.JSON.writeValueAsBytes(full.modelConfig()));
    Path weights = tmp.resolve("chunked.h5");
    TestFiles.writeKeras2Weights(weights, full.weights().orElseThrow(), 3);
    try (HdfFile h5 = new HdfFile(weights)) {
      assertThat(h5.getAttributes())
          .containsKeys("layer_names0", "layer_names1", "layer_names2")
          .doesNotContainKey("layer_names");
    }
    KerasModelFile file = KerasModelFile.read(json, weights);
    assertThat(file.weights().orElseThrow().root().groups().keySet())
        .containsExactlyElementsOf(full.weights().orElseThrow().root().groups().keySet());
    assertPredictsCase(file, CNN);
  }

  @Test
  void readsAKeras3Archive() throws IOException {
    KerasModelFile keras2 = KerasModelFile.read(TestData.keras(CNN + "/model.h5"));
    Path archive = tmp.resolve("cnn.keras");
    TestFiles.writeKeras3Archive(archive, keras2);

    KerasModelFile file = KerasModelFile.read(archive);
    assertThat(file.format()).isEqualTo(KerasModelFile.Format.KERAS_ARCHIVE);
    assertThat(file.kerasVersion()).contains("3.6.0");
    assertThat(file.isKeras3()).isTrue();
    KerasWeights w = file.weights().orElseThrow();
    assertThat(w.layout()).isEqualTo(KerasWeights.Layout.KERAS3);
    assertThat(w.root().group("layers").groups().keySet())
        .contains("conv2d", "conv2d_1", "batch_normalization", "dense");
    try (KerasModel model = KerasModel.build(file)) {
      assertThat(model.inputs().keySet()).containsExactly("input_layer");
      assertThat(model.outputs().keySet()).containsExactly("dense_1");
      assertThat(predict(model, "input_layer", CNN + "/inputs/0_conv2d_1_input.npy"))
          .satisfies(got -> assertCase(got, CNN + "/expected/0_dense_1.npy"));
    }
  }

  @Test
  void architectureOnlyJsonUsesTheInitializers() throws IOException {
    try (KerasModel model = KerasModel.load(TestData.keras("configs/keras2_mlp_config.json"))) {
      assertThat(model.trainableVariables()).isNotEmpty();
      assertThat(model.nonTrainableVariables())
          .extracting(v -> v.op().name())
          .anySatisfy(n -> assertThat(n).endsWith("/moving_mean"));
    }
  }

  @Test
  void constantsModeFreezesTheWeights() throws IOException {
    KerasModelFile file = KerasModelFile.read(TestData.keras(ELU + "/model.h5"));
    try (KerasModel model = KerasModel.build(file, KerasModel.WeightMode.CONSTANTS)) {
      assertThat(model.trainableVariables()).isEmpty();
      assertCase(
          predict(model, "dense_input", ELU + "/inputs/0_dense_input.npy"),
          ELU + "/expected/0_elu_1.npy");
    }
    try (KerasModel model = KerasModel.build(file)) {
      assertThat(model.trainableVariables())
          .extracting(v -> v.op().name())
          .containsExactly("dense/kernel", "dense/bias");
    }
  }

  // ---- error paths ----

  @Test
  void refusesAFileThatIsNotHdf5() throws IOException {
    Path notH5 = tmp.resolve("model.h5");
    Files.writeString(notH5, "this is not a Keras model\n");
    assertThatThrownBy(() -> KerasModelFile.read(notH5))
        .isInstanceOf(KerasFileException.class)
        .hasMessageContaining(notH5.toString())
        .hasMessageContaining("is not an HDF5 file");
  }

  @Test
  void refusesATruncatedFile() throws IOException {
    byte[] bytes = Files.readAllBytes(TestData.keras(CNN + "/model.h5"));
    Path cut = tmp.resolve("cut.h5");
    Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
    assertThatThrownBy(() -> KerasModelFile.read(cut))
        .isInstanceOf(KerasFileException.class)
        .hasMessageContaining(cut.toString())
        .hasMessageContaining("is truncated")
        .hasMessageContaining(Integer.toString(bytes.length / 2));
  }

  @Test
  void refusesAnHdf5FileWithoutModelConfig() throws IOException {
    Path empty = tmp.resolve("empty.h5");
    try (WritableHdfFile h5 = HdfFile.write(empty)) {
      h5.putAttribute("keras_version", "2.3.1");
    }
    assertThatThrownBy(() -> KerasModelFile.read(empty))
        .isInstanceOf(KerasFileException.class)
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("holds no model_config");

    Path weightsOnly = tmp.resolve("weights.h5");
    TestFiles.writeKeras2Weights(
        weightsOnly,
        KerasModelFile.read(TestData.keras(ELU + "/model.h5")).weights().orElseThrow(),
        1);
    assertThatThrownBy(() -> KerasModelFile.read(weightsOnly))
        .isInstanceOf(KerasFileException.class)
        .hasMessageContaining("weights.h5")
        .hasMessageContaining("holds weights only (no model_config attribute)")
        .hasMessageContaining("KerasModelFile.read(architectureJson, weightsFile)");
  }

  @Test
  void refusesAMissingFile() {
    assertThatThrownBy(() -> KerasModelFile.read(tmp.resolve("nope.h5")))
        .isInstanceOf(NoSuchFileException.class)
        .hasMessageContaining("nope.h5");
  }

  @Test
  void namesAnUnknownLayerClassAndTheLayer() throws IOException {
    Path json = tmp.resolve("fancy.json");
    Files.writeString(
        json,
        """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "Dense", "config": {"name": "dense_1", "units": 2,
             "batch_input_shape": [null, 3]}},
          {"class_name": "FancyAttention", "config": {"name": "fancy_1"}}]}}""");
    KerasModelFile file = KerasModelFile.read(json);
    assertThatThrownBy(() -> KerasModel.build(file))
        .isInstanceOfSatisfying(
            UnsupportedKerasLayerException.class,
            e -> {
              assertThat(e.className()).isEqualTo("FancyAttention");
              assertThat(e.layerName()).isEqualTo("fancy_1");
            })
        .hasMessageContaining("Unsupported layer 'FancyAttention' (layer 'fancy_1') in fancy.json");
  }

  @Test
  void refusesLambdaLayersWithoutRunningThem() throws IOException {
    Path json = tmp.resolve("lambda.json");
    Files.writeString(
        json,
        """
        {"class_name": "Sequential", "config": {"name": "s", "layers": [
          {"class_name": "Lambda", "config": {"name": "evil", "batch_input_shape": [null, 3],
             "function": ["4wEAAAAAAAAAAQAAAAIAAABDAAAAcwgAAAB8AGQBFABTACkC", null, null],
             "function_type": "lambda", "arguments": {}}}]}}""");
    KerasModelFile file = KerasModelFile.read(json);
    assertThatThrownBy(() -> KerasModel.build(file))
        .isInstanceOfSatisfying(
            UnsupportedKerasLayerException.class,
            e -> {
              assertThat(e.className()).isEqualTo("Lambda");
              assertThat(e.layerName()).isEqualTo("evil");
            })
        .hasMessageContaining("Layer 'evil' (Lambda) in lambda.json")
        .hasMessageContaining("serialized Python function")
        .hasMessageContaining("never executed");
  }

  @Test
  void namesTheLayerAndWeightWhoseShapeDoesNotFit() throws IOException {
    KerasModelFile full = KerasModelFile.read(TestData.keras(ELU + "/model.h5"));
    ObjectNode config = full.modelConfig().deepCopy();
    ObjectNode dense = (ObjectNode) config.path("config").path("layers").get(0).path("config");
    dense.put("units", 31);
    Path json = tmp.resolve("elu31.json");
    Files.write(json, TestFiles.JSON.writeValueAsBytes(config));
    KerasModelFile file = KerasModelFile.read(json, TestData.keras(ELU + "/model.h5"));
    assertThatThrownBy(() -> KerasModel.build(file))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Weight 'kernel' (stored as 'dense/kernel:0')")
        .hasMessageContaining("layer 'dense' (Dense) in elu31.json")
        .hasMessageContaining("has shape [16, 32]")
        .hasMessageContaining("needs [16, 31]");
  }

  @Test
  void refusesWeightsOfAnUnsupportedDtype() throws IOException {
    Path weights = tmp.resolve("int_weights.h5");
    try (WritableHdfFile h5 = HdfFile.write(weights)) {
      h5.putAttribute("layer_names", new String[] {"dense"});
      WritableGroup layer = h5.putGroup("dense");
      layer.putAttribute("weight_names", new String[] {"dense/kernel:0"});
      layer.putGroup("dense").putDataset("kernel:0", new int[][] {{1, 2}, {3, 4}});
    }
    assertThatThrownBy(() -> KerasModelFile.readWeights(weights))
        .isInstanceOf(KerasFileException.class)
        .hasMessageContaining("int_weights.h5")
        .hasMessageContaining("weight 'dense/kernel:0' of layer 'dense'")
        .hasMessageContaining("unsupported dtype");
  }

  @Test
  void refusesAnArchiveWithoutConfig() throws IOException {
    Path zip = tmp.resolve("broken.keras");
    try (var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(zip))) {
      out.putNextEntry(new java.util.zip.ZipEntry("metadata.json"));
      out.write("{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    assertThatThrownBy(() -> KerasModelFile.read(zip))
        .isInstanceOf(KerasFileException.class)
        .hasMessageContaining("broken.keras")
        .hasMessageContaining("without config.json");
  }

  @Test
  void predictNamesMissingInputs() throws IOException {
    try (KerasModel model = KerasModel.load(TestData.keras(ELU + "/model.h5"))) {
      assertThatThrownBy(() -> model.predict(Map.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("takes inputs [dense_input]");
    }
  }

  // ---- helpers ----

  private static void assertPredictsCase(KerasModelFile file, String dir) throws IOException {
    try (KerasModel model = KerasModel.build(file)) {
      String input = model.inputs().keySet().iterator().next();
      String output = model.outputs().keySet().iterator().next();
      assertCase(
          predict(model, input, dir + "/inputs/0_" + input + ".npy"),
          dir + "/expected/0_" + output + ".npy");
    }
  }

  private static float[] predict(KerasModel model, String input, String npy) throws IOException {
    try (Tensor in = TestNpy.read(TestData.keras(npy)).toTensor()) {
      return TestData.predict(model, Map.of(input, in), null);
    }
  }

  private static void assertCase(float[] got, String expectedNpy) {
    try {
      TestNpy.Array expected = TestNpy.read(TestData.keras(expectedNpy));
      KerasCasesTest.assertClose(expectedNpy, got, expected.values(), 1e-4, 1e-3);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
