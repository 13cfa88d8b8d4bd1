package io.estimator4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estimator4j.keras.KerasModelFile;
import io.estimator4j.npy.Npy;
import io.estimator4j.savedmodel.JavaArray;
import io.estimator4j.testing.TestData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/**
 * {@code e4j keras convert | show}: a Keras reference case converted, then run through {@code e4j
 * saved-model run} on the case's .npy inputs, gives Keras's own predictions.
 */
class KerasCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path CASES = TestData.path("keras/cases");

  @TempDir Path tmp;

  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int execute(Object... args) {
    out = new StringWriter();
    err = new StringWriter();
    CommandLine cli = E4j.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    return cli.execute(Stream.of(args).map(String::valueOf).toArray(String[]::new));
  }

  /** The error output is one line naming the command, with no stack trace. */
  private void assertOneLineError(String command, String... fragments) {
    assertThat(err.toString().lines()).hasSize(1);
    assertThat(err.toString()).startsWith("e4j keras " + command + ": ").doesNotContain("\tat ");
    for (String f : fragments) {
      assertThat(err.toString()).contains(f);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dl4j-ReLU_0", "dl4j-cnn_batch_norm", "dl4j-simple_rnn_tf_keras_2"})
  void convertedModelRunsThroughSavedModelRunWithKerasNumbers(String name) throws IOException {
    Path dir = CASES.resolve(name);
    JsonNode spec = JSON.readTree(dir.resolve("case.json").toFile());
    String input = spec.path("inputs").get(0).asText();
    String output = spec.path("outputs").get(0).asText();
    Path model = tmp.resolve("serving/" + name + "/1");

    int rc = execute("keras", "convert", dir.resolve("model.h5"), model);
    assertThat(err.toString()).isEmpty();
    assertThat(rc).isZero();
    assertThat(out.toString())
        .contains("SavedModel written to " + model)
        .contains(
            "signature_def['serving_default'] (tag-set 'serve', method"
                + " tensorflow/serving/predict):")
        .contains("  input  " + input + ": DT_FLOAT shape (-1, ")
        .contains("  output " + output + ": DT_FLOAT shape (-1, ");

    assertRunGivesKerasNumbers(model, dir);
  }

  /** {@code e4j saved-model run} on the case's input saves the case's expected output. */
  private void assertRunGivesKerasNumbers(Path model, Path dir) throws IOException {
    JsonNode spec = JSON.readTree(dir.resolve("case.json").toFile());
    String input = spec.path("inputs").get(0).asText();
    String output = spec.path("outputs").get(0).asText();
    Path results = Files.createTempDirectory(tmp, "results");
    int rc =
        execute(
            "saved-model",
            "run",
            model,
            "--signature",
            "serving_default",
            "--inputs",
            input + "=" + float32(dir.resolve("inputs/0_" + input + ".npy")),
            "--outdir",
            results);
    assertThat(err.toString()).isEmpty();
    assertThat(rc).isZero();
    assertThat(out.toString()).contains("Result for output key " + output + ": DT_FLOAT");

    JavaArray got = read(results.resolve(output + ".npy"));
    JavaArray expected = read(dir.resolve("expected/0_" + output + ".npy"));
    assertThat(got.shape()).isEqualTo(expected.shape());
    float[] g = (float[]) got.values();
    float[] e = floats(expected);
    double atol = spec.path("atol").asDouble();
    double rtol = spec.path("rtol").asDouble();
    List<String> off = new ArrayList<>();
    for (int i = 0; i < g.length; i++) {
      if (!(Math.abs(g[i] - e[i]) <= atol + rtol * Math.abs(e[i]))) {
        off.add(i + ": " + g[i] + " vs " + e[i]);
      }
    }
    assertThat(off).as("elements beyond atol + rtol * |expected|").isEmpty();
  }

  @Test
  void showPrintsTheSummary() {
    assertThat(execute("keras", "show", CASES.resolve("dl4j-ReLU_0/model.h5"))).isZero();
    // Dense(32) on 16 features: 32 * (16 + 1) = 544 parameters
    assertThat(out.toString())
        .startsWith("Model: \"sequential_1\"\n")
        .contains("Layer (type)                 Output Shape              Param #\n")
        .contains("dense (Dense)                (None, 32)                544\n")
        .contains("re_lu_1 (ReLU)               (None, 32)                0\n")
        .contains("Total params: 544\nTrainable params: 544\nNon-trainable params: 0\n");
  }

  @Test
  void functionalModelsShowTheirConnections() {
    // Dense(8) on 16: 136; Dense(8) on 32: 264; Add; Dense(4) on 8: 36
    Path config = TestData.path("keras/configs/simple_add_tf_keras_2.json");
    assertThat(execute("keras", "show", config)).isZero();
    assertThat(out.toString())
        .contains("Connected to")
        .contains("input_3 (InputLayer)            [(None, 16)]         0\n")
        .containsPattern("add_2 \\(Add\\) .* dense_4\\[0\\]\\[0\\]\n +dense_5\\[0\\]\\[0\\]\n")
        .contains("Total params: 436\n");
  }

  @Test
  void architectureJsonTakesItsWeightsFromWeights() throws IOException {
    // the architecture of a case as model.to_json() writes it; its model.h5 holds the weights
    Path h5 = CASES.resolve("dl4j-ReLU_0/model.h5");
    Path json = tmp.resolve("architecture.json");
    JSON.writeValue(json.toFile(), KerasModelFile.read(h5).modelConfig());
    assertThat(execute("keras", "show", h5)).isZero();
    String fromH5 = out.toString();
    assertThat(execute("keras", "show", json, "--weights", h5)).isZero();
    assertThat(out.toString()).isEqualTo(fromH5);
    assertThat(execute("keras", "convert", json, tmp.resolve("1"), "--weights", h5)).isZero();
    assertRunGivesKerasNumbers(tmp.resolve("1"), h5.getParent());
  }

  @Test
  void helpListsConvertAndShow() {
    assertThat(execute("keras", "--help")).isZero();
    assertThat(out.toString()).contains("convert").contains("show");
    assertThat(execute("keras", "convert", "--help")).isZero();
    assertThat(out.toString()).contains("MODEL").contains("OUT_DIR").contains("--weights");
  }

  @Test
  void convertRefusesANonEmptyOutputDirectory() throws IOException {
    Path outDir = Files.createDirectories(tmp.resolve("1"));
    Files.writeString(outDir.resolve("keep.txt"), "mine");
    assertThat(execute("keras", "convert", CASES.resolve("dl4j-ReLU_0/model.h5"), outDir))
        .isEqualTo(1);
    assertOneLineError("convert", outDir.toString(), "exists and is not empty");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void missingModelIsAOneLineError() {
    Path missing = tmp.resolve("no-such-model.h5");
    assertThat(execute("keras", "convert", missing, tmp.resolve("1"))).isEqualTo(1);
    assertOneLineError("convert", missing.toString(), "no such Keras model file");
    assertThat(execute("keras", "show", missing)).isEqualTo(1);
    assertOneLineError("show", missing.toString());
    assertThat(tmp.resolve("1")).doesNotExist();
  }

  @Test
  void unsupportedLayerIsAOneLineErrorNamingIt() {
    Path yolo = TestData.path("keras/configs/yolo9000_tf_keras_2.json");
    assertThat(execute("keras", "convert", yolo, tmp.resolve("1"))).isEqualTo(1);
    assertOneLineError("convert", "space_to_depth_x2", "Lambda");
    assertThat(tmp.resolve("1")).doesNotExist();
  }

  @Test
  void missingArgumentsAreUsageErrors() {
    assertThat(execute("keras", "convert", CASES.resolve("dl4j-ReLU_0/model.h5"))).isEqualTo(2);
    assertThat(err.toString()).contains("Missing required parameter: 'OUT_DIR'");
  }

  /**
   * The .npy file itself when it holds float32; else a float32 copy. Some cases store float64
   * inputs, which Keras casts; saved-model run feeds dtypes exactly and asks for float32, as its
   * error message says ("Fix: save it as float32").
   */
  private Path float32(Path npy) throws IOException {
    JavaArray a = read(npy);
    if (a.values() instanceof float[]) {
      return npy;
    }
    Path copy = Files.createTempFile(tmp, "float32-", ".npy");
    try (TFloat32 t =
        TFloat32.tensorOf(Shape.of(a.shape()), DataBuffers.of(floats(a), true, false))) {
      Npy.write(copy, t);
    }
    return copy;
  }

  private static JavaArray read(Path npy) throws IOException {
    try (Tensor t = Npy.read(npy)) {
      return JavaArray.of(t);
    }
  }

  private static float[] floats(JavaArray a) {
    if (a.values() instanceof float[] f) {
      return f;
    }
    double[] d = (double[]) a.values();
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
