package io.estimator4j.keras;

import static io.estimator4j.testing.Corpus.fails;
import static io.estimator4j.testing.Corpus.succeeds;
import static io.estimator4j.testing.Corpus.write;
import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.io.Dims;
import io.estimator4j.keras.file.KerasFileException;
import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import io.estimator4j.testing.Corpus;
import io.estimator4j.testing.TestData;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The malformed-input corpus of the Keras loader: architecture JSON with absurd sizes (2^62,
 * Long.MAX, negative, overflowing an int, null, text), parameter counts beyond the limit, damaged
 * HDF5 files and .keras archives. Every case ends in the exact exception kind with a message naming
 * the file, the layer and the value, or in a correct model; none aborts the JVM.
 */
class MalformedKerasCorpusTest {

  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  @Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void endsInACleanErrorOrTheRightResult(Corpus.Case c) throws Exception {
    Corpus.run(c, dir);
  }

  static Stream<Corpus.Case> cases() {
    List<Corpus.Case> all = new ArrayList<>();
    all.addAll(json());
    all.addAll(files());
    return all.stream();
  }

  // ------------------------------------------------------------------------ architecture JSON

  /** A Sequential model of these layer JSONs (the first one should carry batch_input_shape). */
  static String sequential(String... layers) {
    return "{\"class_name\": \"Sequential\", \"keras_version\": \"2.4.0\", \"config\": {\"name\":"
        + " \"s\", \"layers\": ["
        + String.join(", ", layers)
        + "]}}";
  }

  static String layer(String cls, String name, String config) {
    return "{\"class_name\": \""
        + cls
        + "\", \"config\": {\"name\": \""
        + name
        + "\""
        + (config.isEmpty() ? "" : ", " + config)
        + "}}";
  }

  /** Dense(units) on inputs of {@code features}. */
  static String dense(String units, String features) {
    return sequential(
        layer(
            "Dense",
            "d",
            "\"units\": " + units + ", \"batch_input_shape\": [null, " + features + "]"));
  }

  /** Writes {@code json} as m.json and builds it. */
  private static Corpus.Action build(String json) {
    return d ->
        KerasModel.build(
            KerasModelFile.read(write(d, "m.json", json.getBytes(StandardCharsets.UTF_8))));
  }

  private static Corpus.Case refused(String name, String json, String... fragments) {
    return fails("keras-json", name, IllegalArgumentException.class, build(json), fragments);
  }

  static List<Corpus.Case> json() {
    String units = "Setting 'units' of layer 'd' (Dense) in m.json";
    String conv = "layer 'c' (Conv2D) in m.json";
    return List.of(
        refused(
            "units 4294967299 (wraps to 3 as an int)",
            dense("4294967299", "4"),
            units + " is 4294967299, which does not fit in a 32-bit int",
            "would wrap to 3",
            "Fix: correct the setting in the model's config"),
        refused(
            "units 2^62",
            dense("4611686018427387904", "4"),
            units + " is 4611686018427387904, which does not fit in a 32-bit int"),
        refused(
            "units Long.MAX",
            dense("9223372036854775807", "4"),
            units + " is 9223372036854775807, which does not fit in a 32-bit int"),
        refused(
            "units beyond 64 bits",
            dense("99999999999999999999", "4"),
            units + " is 99999999999999999999, beyond the 64-bit range"),
        refused("units -5", dense("-5", "4"), units + " is -5; it must be a positive integer"),
        refused("units 0", dense("0", "4"), units + " is 0; it must be a positive integer"),
        refused(
            "units null",
            dense("null", "4"),
            units + " is null; Keras requires a positive integer there"),
        refused(
            "units absent",
            sequential(layer("Dense", "d", "\"batch_input_shape\": [null, 4]")),
            units + " is absent; Keras requires a positive integer there"),
        refused(
            "units as text", dense("\"ten\"", "4"), units + " should be an integer; found \"ten\""),
        refused("units 3.5", dense("3.5", "4"), units + " should be an integer; found 3.5"),
        refused("units 1e400", dense("1e400", "4"), units + " should be an integer"),
        refused(
            "units 2^31 - 1 on 4 features: parameters beyond the limit",
            dense("2147483647", "4"),
            "Weight 'kernel' of layer 'd' (Dense) in m.json would hold 8589934588 parameters",
            "(32.0 GiB as float32), more than the limit of",
            "Fix: check the layer sizes in the config"),
        refused(
            "4294967296 input features",
            dense("3", "4294967296"),
            "Weight 'kernel' of layer 'd' (Dense) in m.json would hold 12884901888 parameters"),
        fails(
            "keras-json",
            "parameters beyond -De4j.maxBytes=1m",
            IllegalArgumentException.class,
            d ->
                Corpus.withProperty(Dims.MAX_BYTES_PROPERTY, "1m", build(dense("1000", "1000")), d),
            "would hold 1000000 parameters (3.8 MiB as float32), more than the limit of 262144"
                + " parameters (1.0 MiB, -De4j.maxBytes=1m)"),
        refused(
            "many layers adding up beyond the limit",
            sequential(
                layer("Dense", "d1", "\"units\": 10000, \"batch_input_shape\": [null," + " 10000]"),
                layer("Dense", "d2", "\"units\": 10000"),
                layer("Dense", "d3", "\"units\": 10000"),
                layer("Dense", "d4", "\"units\": 10000"),
                layer("Dense", "d5", "\"units\": 10000"),
                layer("Dense", "d6", "\"units\": 10000")),
            "The model in m.json, with weight 'kernel' of layer 'd6' (Dense) in m.json, would hold"),
        refused(
            "negative input dimension",
            dense("3", "-3"),
            "Dimension 1 of setting 'batch_input_shape' of layer 'd' in m.json [null,-3] is -3;"
                + " a dimension cannot be negative"),
        refused(
            "input shape whose element count overflows",
            sequential(
                layer(
                    "Flatten",
                    "f",
                    "\"batch_input_shape\": [null, 4294967296," + " 4294967296, 4294967296]"))),
        refused(
            "input shape that is text",
            dense("3", "4").replace("[null, 4]", "\"abc\""),
            "Setting 'batch_input_shape' of layer 'd' in m.json should be a list of dimensions;"
                + " found \"abc\""),
        refused(
            "input dimension 4.5",
            dense("3", "4.5"),
            "Dimension 1 of setting 'batch_input_shape' of layer 'd' in m.json [null,4.5] should"
                + " be an integer; found 4.5"),
        refused(
            "input shape without the batch",
            sequential(layer("Dense", "d", "\"units\": 3, \"batch_input_shape\": []")),
            "is [], which lacks the batch dimension"),
        refused(
            "Conv2D filters 2^31",
            sequential(
                layer(
                    "Conv2D",
                    "c",
                    "\"filters\":"
                        + " 2147483648, \"kernel_size\": [3, 3], \"batch_input_shape\": [null, 8, 8, 1]")),
            "Setting 'filters' of " + conv + " is 2147483648, which does not fit in a 32-bit int"),
        refused(
            "Conv2D kernel_size of one value in a list",
            sequential(
                layer(
                    "Conv2D",
                    "c",
                    "\"filters\": 2, \"kernel_size\": [3], \"batch_input_shape\": [null, 8, 8, 1]")),
            "Setting 'kernel_size' of " + conv + " should be 2 integers; found [3]"),
        refused(
            "Conv2D kernel_size -1",
            sequential(
                layer(
                    "Conv2D",
                    "c",
                    "\"filters\": 2, \"kernel_size\": [-1, 3], \"batch_input_shape\": [null, 8, 8,"
                        + " 1]")),
            "Element 0 of setting 'kernel_size' of "
                + conv
                + " is -1; it must be a positive"
                + " integer"),
        refused(
            "Conv2D strides 0",
            sequential(
                layer(
                    "Conv2D",
                    "c",
                    "\"filters\": 2, \"kernel_size\": 3, \"strides\": 0, \"batch_input_shape\": [null,"
                        + " 8, 8, 1]")),
            "Setting 'strides' of " + conv + " is 0; it must be a positive integer"),
        refused(
            "ZeroPadding2D padding -2",
            sequential(
                layer(
                    "ZeroPadding2D",
                    "z",
                    "\"padding\": -2, \"batch_input_shape\": [null, 8, 8, 1]")),
            "A value of setting 'padding' of layer 'z' (ZeroPadding2D) in m.json is -2; it must"
                + " be at least 0"),
        refused(
            "Embedding input_dim null",
            sequential(
                layer(
                    "Embedding",
                    "e",
                    "\"input_dim\": null, \"output_dim\": 4, \"batch_input_shape\": [null, 5]")),
            "Setting 'input_dim' of layer 'e' (Embedding) in m.json is null"),
        refused(
            "Embedding of 2^31 - 1 words by 1000",
            sequential(
                layer(
                    "Embedding",
                    "e",
                    "\"input_dim\": 2147483647, \"output_dim\": 1000, \"batch_input_shape\": [null,"
                        + " 5]")),
            "Weight 'embeddings' of layer 'e' (Embedding) in m.json would hold 2147483647000"
                + " parameters"),
        refused(
            "RepeatVector n -1",
            sequential(layer("RepeatVector", "r", "\"n\": -1, \"batch_input_shape\": [null, 5]")),
            "Setting 'n' of layer 'r' (RepeatVector) in m.json is -1; it must be a positive"
                + " integer"),
        refused(
            "Reshape target 4294967296",
            sequential(
                layer(
                    "Reshape",
                    "r",
                    "\"target_shape\": [4294967296], \"batch_input_shape\": [null, 5]")),
            "Element 0 of setting 'target_shape' of layer 'r' (Reshape) in m.json is 4294967296,"
                + " which does not fit in a 32-bit int"),
        refused(
            "LSTM units 4294967300",
            sequential(
                layer("LSTM", "l", "\"units\": 4294967300, \"batch_input_shape\": [null, 3, 2]")),
            "Setting 'units' of layer 'l' (LSTM) in m.json is 4294967300, which does not fit in a"
                + " 32-bit int"),
        refused(
            "Dropout rate that is text",
            sequential(
                layer("Dense", "d", "\"units\": 2, \"batch_input_shape\": [null, 3]"),
                layer("Dropout", "x", "\"rate\": \"half\"")),
            "Setting 'rate' of layer 'x' (Dropout) in m.json should be a number; found \"half\""),
        refused(
            "functional reference to node 4294967296",
            """
            {"class_name": "Functional", "config": {"name": "f", "layers": [
              {"class_name": "InputLayer", "name": "in", "config": {"name": "in",
                "batch_input_shape": [null, 3]}, "inbound_nodes": []},
              {"class_name": "Dense", "name": "d", "config": {"name": "d", "units": 2},
                "inbound_nodes": [[["in", 4294967296, 0, {}]]]}],
              "input_layers": [["in", 0, 0]], "output_layers": [["d", 0, 0]]}}""",
            "Layer 'd' in m.json: The node index of a reference to layer 'in' is 4294967296,"
                + " which does not fit in a 32-bit int"),
        fails(
            "keras-json",
            "unknown layer class",
            UnsupportedKerasLayerException.class,
            build(
                sequential(
                    layer("Dense", "d", "\"units\": 2, \"batch_input_shape\": [null," + " 3]"),
                    layer("FancyAttention", "x", ""))),
            "Unsupported layer 'FancyAttention' (layer 'x') in m.json"),
        fails(
            "keras-json",
            "Lambda layer (Python code)",
            UnsupportedKerasLayerException.class,
            build(
                sequential(
                    layer("Dense", "d", "\"units\": 2, \"batch_input_shape\": [null," + " 3]"),
                    layer("Lambda", "lam", "\"function\": \"4wEAAAAAAAAA\""))),
            "holds a serialized Python function",
            "never executed"),
        fails(
            "keras-json",
            "not JSON",
            KerasFileException.class,
            build("{\"class_name\": \"Sequential\", "),
            "m.json: the architecture is not valid" + " JSON"),
        fails(
            "keras-json",
            "a JSON list",
            KerasFileException.class,
            build("[1, 2]"),
            "m.json: the architecture is not a JSON object"),
        refused(
            "Sequential without layers",
            sequential(),
            "The Sequential model in m.json has" + " no layers"),
        succeeds(
            "keras-json",
            "a good Dense model",
            build(dense("3", "4")),
            r -> {
              KerasModel m = (KerasModel) r;
              assertThat(m.outputs().get("d").shape().asArray()).containsExactly(-1, 3);
              assertThat(m.trainableVariables()).hasSize(2);
            }));
  }

  // ------------------------------------------------------------------------ HDF5 and .keras

  private static Corpus.Action read(String name, byte[] bytes) {
    return d -> KerasModel.build(KerasModelFile.read(write(d, name, bytes)));
  }

  private static byte[] zip(String... namesAndContents) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ZipOutputStream z = new ZipOutputStream(out)) {
        for (int i = 0; i < namesAndContents.length; i += 2) {
          z.putNextEntry(new ZipEntry(namesAndContents[i]));
          z.write(namesAndContents[i + 1].getBytes(StandardCharsets.UTF_8));
        }
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] elu() {
    try {
      return Files.readAllBytes(TestData.path("keras/cases/dl4j-ELU_0/model.h5"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An HDF5 file holding model_config = {@code json} and no weights (jhdf writes it). */
  private static Corpus.Action h5WithConfig(String json) {
    return d -> {
      Path f = d.resolve("m.h5");
      try (WritableHdfFile h5 = HdfFile.write(f)) {
        h5.putAttribute("model_config", json);
        h5.putAttribute("keras_version", "2.4.0");
      }
      return KerasModel.build(KerasModelFile.read(f));
    };
  }

  static List<Corpus.Case> files() {
    byte[] elu = elu();
    byte[] archive =
        zip("metadata.json", "{\"keras_version\": \"3.6.0\"}", "config.json", dense("3", "4"));
    return List.of(
        fails(
            "keras-h5",
            "empty file",
            KerasFileException.class,
            read("m.h5", new byte[0]),
            "m.h5: is not an HDF5 file (no HDF5 signature)"),
        fails(
            "keras-h5",
            "text file",
            KerasFileException.class,
            read("m.h5", "hello\n".getBytes(StandardCharsets.UTF_8)),
            "is not an HDF5 file"),
        fails(
            "keras-h5",
            "signature only",
            KerasFileException.class,
            read("m.h5", Arrays.copyOf(elu, 8)),
            "m.h5: is truncated: it holds 8 bytes"),
        fails(
            "keras-h5",
            "cut in half",
            KerasFileException.class,
            read("m.h5", Arrays.copyOf(elu, elu.length / 2)),
            "is truncated: it holds "
                + elu.length / 2
                + " bytes but its HDF5 superblock says "
                + elu.length,
            "Copy or download the file again"),
        fails(
            "keras-h5",
            "superblock with offset size 3",
            KerasFileException.class,
            d -> {
              byte[] b = elu.clone();
              b[13] = 3; // version 0 superblock: size of offsets
              return KerasModel.build(KerasModelFile.read(write(d, "m.h5", b)));
            },
            "has a corrupt HDF5 superblock (offset size 3)"),
        fails(
            "keras-h5",
            "no model_config",
            KerasFileException.class,
            d -> {
              Path f = d.resolve("m.h5");
              try (WritableHdfFile h5 = HdfFile.write(f)) {
                h5.putAttribute("keras_version", "2.4.0");
              }
              return KerasModelFile.read(f);
            },
            "holds no model_config attribute"),
        fails(
            "keras-h5",
            "model_config with units 4294967299",
            IllegalArgumentException.class,
            h5WithConfig(dense("4294967299", "4")),
            "Setting 'units' of layer 'd' (Dense) in m.h5 is 4294967299, which does not fit in"
                + " a 32-bit int"),
        fails(
            "keras-h5",
            "model_config that is not JSON",
            KerasFileException.class,
            h5WithConfig("{not json"),
            "model_config is not valid JSON"),
        fails(
            "keras-h5",
            "weights of the wrong architecture",
            IllegalArgumentException.class,
            d ->
                KerasModel.build(
                    KerasModelFile.read(
                        write(
                            d,
                            "m.json",
                            sequential(
                                    layer(
                                        "Dense",
                                        "dense",
                                        "\"units\": 5," + " \"batch_input_shape\": [null, 16]"))
                                .getBytes(StandardCharsets.UTF_8)),
                        TestData.path("keras/cases/dl4j-ELU_0/model.h5"))),
            "Weight 'kernel' (stored as",
            "has shape [16, 32], but the layer needs [16, 5] for its input",
            "The weights do not match the architecture"),
        fails(
            "keras-h5",
            "integer weights",
            KerasFileException.class,
            d -> {
              Path w = d.resolve("w.h5");
              try (WritableHdfFile h5 = HdfFile.write(w)) {
                h5.putAttribute("layer_names", new String[] {"d"});
                var g = h5.putGroup("d");
                g.putAttribute("weight_names", new String[] {"kernel:0"});
                g.putDataset("kernel:0", new int[] {1, 2, 3});
              }
              return KerasModelFile.readWeights(w);
            },
            "weight 'kernel:0' of layer 'd' has the unsupported dtype",
            "Keras weights must be floating point"),
        succeeds(
            "keras-h5",
            "the real ELU model",
            read("m.h5", elu),
            r -> {
              KerasModel m = (KerasModel) r;
              assertThat(m.outputs().get("elu_1").shape().asArray()).containsExactly(-1, 32);
            }),
        fails(
            "keras-archive",
            "text file named .keras",
            KerasFileException.class,
            read("m.keras", "not a zip at all\n".getBytes(StandardCharsets.UTF_8)),
            "m.keras: is not a .keras archive (it is not a zip file)",
            "Fix: pass the file written by model.save(\"model.keras\")"),
        fails(
            "keras-archive",
            "empty file named .keras",
            KerasFileException.class,
            read("m.keras", new byte[0]),
            "m.keras: is not a .keras archive (it is empty)"),
        fails(
            "keras-archive",
            "zip cut short",
            KerasFileException.class,
            read("m.keras", Arrays.copyOf(archive, 40)),
            "m.keras: is not a readable .keras archive",
            "it may be truncated"),
        fails(
            "keras-archive",
            "zip without config.json",
            KerasFileException.class,
            read("m.keras", zip("metadata.json", "{}")),
            "is a zip without config.json"),
        fails(
            "keras-archive",
            "config.json that is not JSON",
            KerasFileException.class,
            read("m.keras", zip("config.json", "{oops")),
            "config.json is not valid JSON"),
        fails(
            "keras-archive",
            "model.weights.h5 that is not HDF5",
            KerasFileException.class,
            read("m.keras", zip("config.json", dense("3", "4"), "model.weights.h5", "junk")),
            "model.weights.h5: is not an HDF5 file"),
        fails(
            "keras-archive",
            "config with units 2^62",
            IllegalArgumentException.class,
            read("m.keras", zip("config.json", dense("4611686018427387904", "4"))),
            "Setting 'units' of layer 'd' (Dense) in m.keras is 4611686018427387904"),
        fails(
            "keras-archive",
            "zip bomb beyond -De4j.maxBytes=1m",
            KerasFileException.class,
            d ->
                Corpus.withProperty(
                    Dims.MAX_BYTES_PROPERTY,
                    "1m",
                    read(
                        "m.keras",
                        zip(
                            "config.json",
                            dense("3", "4"),
                            "model.weights.h5",
                            "0".repeat(3_000_000))),
                    d),
            "m.keras: Unpacking it up to entry 'model.weights.h5' takes 1048577 bytes",
            "more than the limit of 1.0 MiB (-De4j.maxBytes=1m)"),
        succeeds(
            "keras-archive",
            "a good archive without weights",
            read("m.keras", archive),
            r ->
                assertThat(((KerasModel) r).outputs().get("d").shape().asArray())
                    .containsExactly(-1, 3)));
  }
}
