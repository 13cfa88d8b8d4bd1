package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.keras.file.KerasFileException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;

/**
 * The reader is chosen by a file's first bytes, never its name, as Keras chooses its loader ({@code
 * zipfile.is_zipfile}, {@code h5py.is_hdf5}): Keras 2 wrote HDF5 into files named {@code .keras}
 * before 2.13, and files get renamed.
 */
class KerasFileKindTest {
  private static final String CNN = "cases/dl4j-cnn_batch_norm";

  @TempDir Path tmp;

  @Test
  void aDotKerasFileThatIsHdf5InsideIsReadAsHdf5() throws IOException {
    Path file = tmp.resolve("model.keras");
    Files.copy(TestData.keras(CNN + "/model.h5"), file);
    KerasModelFile read = KerasModelFile.read(file);
    assertThat(read.format()).isEqualTo(KerasModelFile.Format.HDF5);
    assertThat(read.isKeras3()).isFalse();
    assertPredictsCase(read);
  }

  @Test
  void anH5FileThatIsAnArchiveIsReadAsAnArchive() throws IOException {
    Path file = tmp.resolve("model.h5");
    TestFiles.writeKeras3Archive(file, KerasModelFile.read(TestData.keras(CNN + "/model.h5")));
    KerasModelFile read = KerasModelFile.read(file);
    assertThat(read.format()).isEqualTo(KerasModelFile.Format.KERAS_ARCHIVE);
    assertPredictsCase(read);
  }

  @Test
  void aJsonFileThatIsHdf5IsReadAsHdf5() throws IOException {
    Path file = tmp.resolve("model.json");
    Files.copy(TestData.keras(CNN + "/model.h5"), file);
    assertThat(KerasModelFile.read(file).format()).isEqualTo(KerasModelFile.Format.HDF5);
  }

  @Test
  void jsonWithAByteOrderMarkAndAnyNameIsReadAsJson() throws IOException {
    KerasModelFile full = KerasModelFile.read(TestData.keras(CNN + "/model.h5"));
    Path file = tmp.resolve("architecture.h5");
    byte[] json = TestFiles.JSON.writeValueAsBytes(full.modelConfig());
    byte[] withBom = new byte[json.length + 4];
    withBom[0] = (byte) 0xEF;
    withBom[1] = (byte) 0xBB;
    withBom[2] = (byte) 0xBF;
    withBom[3] = '\n';
    System.arraycopy(json, 0, withBom, 4, json.length);
    Files.write(file, withBom);
    KerasModelFile read = KerasModelFile.read(file);
    assertThat(read.format()).isEqualTo(KerasModelFile.Format.JSON);
    assertThat(read.modelConfig()).isEqualTo(full.modelConfig());
  }

  @Test
  void randomBytesAreRefusedWhateverTheName() throws IOException {
    byte[] noise = new byte[4096];
    new Random(3).nextBytes(noise);
    noise[0] = 'x'; // not P, not {, not the HDF5 signature
    for (String name : new String[] {"noise.h5", "noise.keras", "noise.json", "noise.bin"}) {
      Path file = tmp.resolve(name);
      Files.write(file, noise);
      assertThatThrownBy(() -> KerasModelFile.read(file))
          .as(name)
          .isInstanceOf(KerasFileException.class)
          .hasMessageContaining(name);
    }
    assertThatThrownBy(() -> KerasModelFile.read(tmp.resolve("noise.bin")))
        .hasMessageContaining("is not an HDF5 file");
  }

  @Test
  void aSavedModelDirectoryIsRefusedWithTheLoaderToUse() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("export/1"));
    Files.write(dir.resolve("saved_model.pb"), new byte[] {8, 1});
    assertThatThrownBy(() -> KerasModelFile.read(dir))
        .isInstanceOf(KerasFileException.class)
        .hasMessageContaining("is a TensorFlow SavedModel directory, not a Keras file")
        .hasMessageContaining("SavedModelPredictor");
  }

  @Test
  void weightsFromAnArchiveAndARefusedJsonWeightsFile() throws IOException {
    KerasModelFile full = KerasModelFile.read(TestData.keras(CNN + "/model.h5"));
    Path archive = tmp.resolve("weights.weights.h5"); // a .keras archive under a weights name
    TestFiles.writeKeras3Archive(archive, full);
    assertThat(KerasModelFile.readWeights(archive).root().group("layers").groups().keySet())
        .contains("conv2d", "batch_normalization", "dense");

    Path json = tmp.resolve("weights.h5");
    Files.write(json, TestFiles.JSON.writeValueAsBytes(full.modelConfig()));
    assertThatThrownBy(() -> KerasModelFile.readWeights(json))
        .isInstanceOf(KerasFileException.class)
        .hasMessageContaining("weights.h5")
        .hasMessageContaining("is a JSON architecture, not a weights file");
  }

  @Test
  void aWholeModelGivenAsTheArchitectureTakesTheOtherFilesWeights() throws IOException {
    KerasModelFile full = KerasModelFile.read(TestData.keras(CNN + "/model.h5"));
    Path weights = tmp.resolve("w.h5");
    TestFiles.writeKeras2Weights(weights, full.weights().orElseThrow(), 1);
    KerasModelFile read = KerasModelFile.read(TestData.keras(CNN + "/model.h5"), weights);
    assertThat(read.format()).isEqualTo(KerasModelFile.Format.HDF5);
    assertThat(read.trainingConfig()).isPresent();
    assertPredictsCase(read);
  }

  @Test
  void sniffsByContent() throws IOException {
    Path zip = tmp.resolve("a.json");
    Files.write(zip, new byte[] {'P', 'K', 5, 6, 0, 0, 0, 0}); // an empty zip
    assertThat(KerasModelFile.sniff(zip)).isEqualTo(KerasModelFile.Kind.ZIP);
    Path json = tmp.resolve("b.keras");
    Files.writeString(json, "  \n {\"class_name\": \"Sequential\"}", StandardCharsets.UTF_8);
    assertThat(KerasModelFile.sniff(json)).isEqualTo(KerasModelFile.Kind.JSON);
    Path userBlock = tmp.resolve("c.bin");
    byte[] b = new byte[600];
    byte[] sig = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    System.arraycopy(sig, 0, b, 512, sig.length); // after a 512-byte user block
    Files.write(userBlock, b);
    assertThat(KerasModelFile.sniff(userBlock)).isEqualTo(KerasModelFile.Kind.HDF5);
    Path empty = tmp.resolve("d.h5");
    Files.write(empty, new byte[0]);
    assertThat(KerasModelFile.sniff(empty)).isEqualTo(KerasModelFile.Kind.UNKNOWN);
  }

  private static void assertPredictsCase(KerasModelFile file) throws IOException {
    try (KerasModel model = KerasModel.build(file);
        Tensor in = TestNpy.read(TestData.keras(CNN + "/inputs/0_conv2d_1_input.npy")).toTensor()) {
      float[] got =
          TestData.predict(model, Map.of(model.inputs().keySet().iterator().next(), in), null);
      TestNpy.Array expected = TestNpy.read(TestData.keras(CNN + "/expected/0_dense_1.npy"));
      KerasCasesTest.assertClose("dense_1", got, expected.values(), 1e-4, 1e-3);
    }
  }
}
