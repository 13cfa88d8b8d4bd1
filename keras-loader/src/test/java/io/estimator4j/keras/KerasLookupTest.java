package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import io.estimator4j.savedmodel.SavedModelPredictor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * StringLookup, IntegerLookup and Hashing against the examples of Keras's own documentation
 * (keras.io, tf.keras.layers.* docstrings), whose outputs Keras printed: the vocabulary from the
 * config and from a Keras 3 archive's assets, OOV and mask ids, the encoded output modes, FarmHash
 * and SipHash bins.
 */
class KerasLookupTest {
  @TempDir Path tmp;

  private static String model(String dtype, String width, String layer) {
    return """
        {"class_name": "Functional", "keras_version": "2.13.1", "config": {"name": "m", "layers": [
          {"class_name": "InputLayer", "name": "x", "inbound_nodes": [],
           "config": {"name": "x", "batch_input_shape": [null%s], "dtype": "%s"}},
          %s],
         "input_layers": [["x", 0, 0]], "output_layers": [["l", 0, 0]]}}
        """
        .formatted(
            width,
            dtype,
            layer.replace(
                "\"config\"",
                "\"name\": \"l\", \"inbound_nodes\": [[[\"x\", 0, 0, {}]]], \"config\""));
  }

  private long[] runStrings(String json, String[][] rows) throws IOException {
    Path file = tmp.resolve("m" + System.nanoTime() + ".json");
    Files.writeString(file, json);
    try (KerasModel model = KerasModel.load(file)) {
      return run(model, strings(rows));
    }
  }

  private static TString strings(String[][] rows) {
    return TString.tensorOf(org.tensorflow.ndarray.StdArrays.ndCopyOf(rows));
  }

  private static long[] run(KerasModel model, Tensor in) {
    try (in) {
      Map<String, Tensor> out = model.predict(Map.of("x", in));
      try {
        Tensor t = out.get("l");
        if (t instanceof TFloat32 f) {
          float[] v = TestData.floats(f);
          long[] l = new long[v.length];
          for (int i = 0; i < v.length; i++) {
            l[i] = (long) v[i];
          }
          return l;
        }
        TInt64 ids = (TInt64) t;
        long[] v = new long[(int) ids.size()];
        ids.copyTo(DataBuffers.of(v, false, false));
        return v;
      } finally {
        out.values().forEach(Tensor::close);
      }
    }
  }

  private static final String[][] DATA = {{"a", "c", "d"}, {"d", "z", "b"}};

  @Test
  void stringLookupAsKerasDocumentsIt() throws IOException {
    String vocab = "\"vocabulary\": [\"a\", \"b\", \"c\", \"d\"]";
    // StringLookup(vocabulary=vocab): [[1, 3, 4], [4, 0, 2]]
    assertThat(
            runStrings(
                model(
                    "string",
                    ", 3",
                    "{\"class_name\": \"StringLookup\", \"config\": {" + vocab + "}}"),
                DATA))
        .containsExactly(1, 3, 4, 4, 0, 2);
    // num_oov_indices=2 on [["a", "c", "d"], ["m", "z", "b"]]: [[2, 4, 5], [0, 1, 3]] (the
    // docstring: OOV "m" hashes to 0, "z" to 1; in-vocabulary ids move up by one)
    assertThat(
            runStrings(
                model(
                    "string",
                    ", 3",
                    "{\"class_name\": \"StringLookup\", \"config\": {"
                        + vocab
                        + ", \"num_oov_indices\": 2}}"),
                new String[][] {{"a", "c", "d"}, {"m", "z", "b"}}))
        .containsExactly(2, 4, 5, 0, 1, 3);
    // output_mode="multi_hot" on [["a", "c", "d", "d"], ["d", "z", "b", "z"]]:
    // [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]
    assertThat(
            runStrings(
                model(
                    "string",
                    ", 4",
                    "{\"class_name\": \"StringLookup\", \"config\": {"
                        + vocab
                        + ", \"output_mode\": \"multi_hot\"}}"),
                new String[][] {{"a", "c", "d", "d"}, {"d", "z", "b", "z"}}))
        .containsExactly(0, 1, 0, 1, 1, 1, 0, 1, 0, 1);
    // mask_token="": 0 for "", OOV 1, tokens from 2
    assertThat(
            runStrings(
                model(
                    "string",
                    ", 3",
                    "{\"class_name\": \"StringLookup\", \"config\": {"
                        + vocab
                        + ", \"mask_token\": \"\"}}"),
                new String[][] {{"a", "", "z"}}))
        .containsExactly(2, 0, 1);
  }

  @Test
  void integerLookupAsKerasDocumentsIt() throws IOException {
    // IntegerLookup(vocabulary=[12, 36, 1138, 42]) on [[12, 1138, 42], [42, 1000, 36]]:
    // [[1, 3, 4], [4, 0, 2]]
    Path file = tmp.resolve("int.json");
    Files.writeString(
        file,
        model(
            "int64",
            ", 3",
            "{\"class_name\": \"IntegerLookup\", \"config\": {\"vocabulary\": [12, 36, 1138, 42]}}"));
    try (KerasModel model = KerasModel.load(file)) {
      assertThat(
              run(
                  model,
                  TInt64.tensorOf(
                      org.tensorflow.ndarray.StdArrays.ndCopyOf(
                          new long[][] {{12, 1138, 42}, {42, 1000, 36}}))))
          .containsExactly(1, 3, 4, 4, 0, 2);
    }
  }

  @Test
  void hashingAsKerasDocumentsIt() throws IOException {
    String[][] ae = {{"A"}, {"B"}, {"C"}, {"D"}, {"E"}};
    // Hashing(num_bins=3): [[1], [0], [1], [1], [2]] (FarmHash64)
    assertThat(
            runStrings(
                model(
                    "string",
                    ", 1",
                    "{\"class_name\": \"Hashing\", \"config\": {\"num_bins\": 3}}"),
                ae))
        .containsExactly(1, 0, 1, 1, 2);
    // Hashing(num_bins=3, mask_value=''): [A, B, '', C, D] -> [[1], [1], [0], [2], [2]]
    assertThat(
            runStrings(
                model(
                    "string",
                    ", 1",
                    "{\"class_name\": \"Hashing\", \"config\": {\"num_bins\": 3, \"mask_value\": \"\"}}"),
                new String[][] {{"A"}, {"B"}, {""}, {"C"}, {"D"}}))
        .containsExactly(1, 1, 0, 2, 2);
    // Hashing(num_bins=3, salt=[133, 137]): [[1], [2], [1], [0], [2]] (SipHash64)
    assertThat(
            runStrings(
                model(
                    "string",
                    ", 1",
                    "{\"class_name\": \"Hashing\", \"config\": {\"num_bins\": 3, \"salt\": [133, 137]}}"),
                ae))
        .containsExactly(1, 2, 1, 0, 2);
  }

  @Test
  void keras3ArchiveVocabularyInAssetsAndTheSavedModelKeepsTheTable() throws IOException {
    String config =
        """
        {"module": "keras", "class_name": "Functional", "config": {"name": "functional",
         "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "name": "x",
           "config": {"batch_shape": [null, 3], "dtype": "string", "name": "x"}, "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "StringLookup", "name": "l",
           "config": {"name": "l", "max_tokens": null, "num_oov_indices": 1, "oov_token": "[UNK]",
             "mask_token": null, "output_mode": "int", "vocabulary": null, "invert": false},
           "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
             "shape": [null, 3], "dtype": "string", "keras_history": ["x", 0, 0]}}],
             "kwargs": {}}]}],
         "input_layers": [["x", 0, 0]], "output_layers": [["l", 0, 0]]}}
        """;
    Path archive = tmp.resolve("lookup.keras");
    try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(archive))) {
      zip.putNextEntry(new java.util.zip.ZipEntry("metadata.json"));
      zip.write("{\"keras_version\": \"3.6.0\"}".getBytes(StandardCharsets.UTF_8));
      zip.putNextEntry(new java.util.zip.ZipEntry("config.json"));
      zip.write(config.getBytes(StandardCharsets.UTF_8));
      // save_assets writes get_vocabulary(include_special_tokens=True): the OOV token first
      zip.putNextEntry(new java.util.zip.ZipEntry("assets/layers/string_lookup/vocabulary.txt"));
      zip.write("[UNK]\na\nb\nc\nd".getBytes(StandardCharsets.UTF_8));
    }
    try (KerasModel model = KerasModel.build(KerasModelFile.read(archive))) {
      assertThat(run(model, strings(DATA))).containsExactly(1, 3, 4, 4, 0, 2);
      Path saved = KerasSavedModel.convert(model, tmp.resolve("saved"));
      try (SavedModelPredictor p = SavedModelPredictor.load(saved, Set.of("serve"));
          TString in = strings(DATA)) {
        Map<String, Tensor> out = p.predict("serving_default", Map.of("x", in));
        try {
          TInt64 ids = (TInt64) out.get("l");
          long[] v = new long[6];
          ids.copyTo(DataBuffers.of(v, false, false));
          assertThat(v).containsExactly(1, 3, 4, 4, 0, 2);
        } finally {
          out.values().forEach(Tensor::close);
        }
      }
    }
  }

  @Test
  void textVectorizationAsKerasDocumentsIt() throws IOException {
    // The docstring's example: adapt() on ["foo", "bar", "baz"] gives the vocabulary
    // ['', '[UNK]', 'baz', 'bar', 'foo']; with output_sequence_length=4,
    // [["foo qux bar"], ["qux baz"]] -> [[4, 1, 3, 0], [1, 2, 0, 0]]
    String layer =
        "{\"class_name\": \"TextVectorization\", \"config\": {\"max_tokens\": 5000,"
            + " \"standardize\": \"lower_and_strip_punctuation\", \"split\": \"whitespace\","
            + " \"ngrams\": null, \"output_mode\": \"int\", \"output_sequence_length\": 4,"
            + " \"vocabulary\": [\"baz\", \"bar\", \"foo\"]}}";
    assertThat(
            runStrings(
                model("string", ", 1", layer), new String[][] {{"foo qux bar"}, {"qux baz"}}))
        .containsExactly(4, 1, 3, 0, 1, 2, 0, 0);
    // lower case and ASCII punctuation removed; longer texts truncated to 4 tokens
    assertThat(
            runStrings(
                model("string", ", 1", layer),
                new String[][] {{"Foo, BAR!"}, {"foo bar baz foo bar"}}))
        .containsExactly(4, 3, 0, 0, 4, 3, 2, 4);
    // no output_sequence_length: padded to the longest text of the batch
    assertThat(
            runStrings(
                model(
                    "string",
                    ", 1",
                    layer.replace(
                        "\"output_sequence_length\": 4", "\"output_sequence_length\": null")),
                new String[][] {{"foo"}, {"bar baz qux"}}))
        .containsExactly(4, 0, 0, 3, 2, 1);
  }

  @Test
  void anAdaptedVocabularyInAnHdf5FileIsRefused() throws IOException {
    Path file = tmp.resolve("adapted.json");
    Files.writeString(
        file,
        model(
            "string",
            ", 3",
            "{\"class_name\": \"StringLookup\", \"config\": {\"vocabulary\": null}}"));
    KerasModelFile keras = KerasModelFile.read(file);
    assertThatThrownBy(() -> KerasModel.build(keras))
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContaining("layer 'l' (StringLookup)")
        .hasMessageContaining("vocabulary was adapted");
  }
}
