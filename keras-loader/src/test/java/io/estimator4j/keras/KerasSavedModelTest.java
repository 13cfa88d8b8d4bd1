package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.savedmodel.SavedModelPredictor;
import io.estimator4j.savedmodel.ServingCheck;
import io.estimator4j.savedmodel.TensorInfos;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;

/**
 * Keras models converted to SavedModels: TensorFlow's C++ loader (SavedModelBundle.load, what TF
 * Serving runs) and SavedModelLoader load them, and serving_default gives Keras's reference numbers
 * and exactly what KerasModel.predict gives.
 */
class KerasSavedModelTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVING_DEFAULT = "serving_default";

  @TempDir Path tmp;

  /**
   * The dl4j reference cases (activations, conv1d, conv + batch norm, RNN, MLPs) and the Keras.js
   * cases whose output is their input (the identity Keras adds must survive the export); every
   * other Keras.js case runs in {@link #everyKerasJsCaseRoundTrips} (tagged slow: 181 conversions).
   */
  static Stream<String> cases() throws IOException {
    return KerasCasesTest.cases()
        .map(d -> d.getFileName().toString())
        .filter(n -> !n.startsWith("kerasjs-") || n.startsWith("kerasjs-activations.linear"));
  }

  static Stream<String> kerasJsCases() throws IOException {
    return KerasCasesTest.cases()
        .map(d -> d.getFileName().toString())
        .filter(n -> n.startsWith("kerasjs-"));
  }

  @Tag("slow")
  @ParameterizedTest(name = "{0}")
  @MethodSource("kerasJsCases")
  void everyKerasJsCaseRoundTrips(String name) throws IOException {
    bothLoadersGiveKerasNumbers(name);
  }

  /** A Keras reference case: its inputs and expected outputs in model order. */
  record Case(Path dir, List<String> inputs, List<String> outputs, double atol, double rtol) {
    static Case of(String name) throws IOException {
      Path dir = TestData.keras("cases/" + name);
      JsonNode spec = JSON.readTree(dir.resolve("case.json").toFile());
      List<String> ins = new ArrayList<>();
      spec.path("inputs").forEach(n -> ins.add(n.asText()));
      List<String> outs = new ArrayList<>();
      spec.path("outputs").forEach(n -> outs.add(n.asText()));
      return new Case(dir, ins, outs, spec.path("atol").asDouble(), spec.path("rtol").asDouble());
    }

    Path model() {
      return dir.resolve("model.h5");
    }

    Path input(int i) {
      return dir.resolve("inputs/" + i + "_" + inputs.get(i) + ".npy");
    }

    TestNpy.Array expected(int i) throws IOException {
      return TestNpy.read(dir.resolve("expected/" + i + "_" + outputs.get(i) + ".npy"));
    }

    Map<String, Tensor> feeds() throws IOException {
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      for (int i = 0; i < inputs.size(); i++) {
        feeds.put(inputs.get(i), TestNpy.read(input(i)).toTensor());
      }
      return feeds;
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void bothLoadersGiveKerasNumbers(String name) throws IOException {
    Case c = Case.of(name);
    Path out = KerasSavedModel.convert(c.model(), tmp.resolve("1"));
    assertThat(out).isEqualTo(tmp.resolve("1"));
    Map<String, Tensor> feeds = c.feeds();
    try {
      Map<String, float[]> keras;
      try (KerasModel model = KerasModel.load(c.model())) {
        keras = floats(model.predict(feeds));
      }
      Map<String, float[]> cpp = runWithCppLoader(out, feeds);
      Map<String, float[]> java;
      try (SavedModelPredictor p = SavedModelPredictor.load(out, Set.of("serve"))) {
        java = floats(p.predict(SERVING_DEFAULT, feeds));
      }
      assertThat(cpp.keySet()).containsExactlyInAnyOrderElementsOf(c.outputs());
      assertThat(java.keySet()).containsExactlyInAnyOrderElementsOf(c.outputs());
      for (int i = 0; i < c.outputs().size(); i++) {
        String key = c.outputs().get(i);
        float[] expected = c.expected(i).values();
        KerasCasesTest.assertClose(
            "C++ loader, " + key, cpp.get(key), expected, c.atol(), c.rtol());
        KerasCasesTest.assertClose(
            "SavedModelLoader, " + key, java.get(key), expected, c.atol(), c.rtol());
        // the same graph on the same machine: KerasModel.predict's numbers up to rounding
        assertSameUpToRounding(key, cpp.get(key), keras.get(key));
        assertSameUpToRounding(key, java.get(key), keras.get(key));
      }
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  @Test
  void signatureIsServingDefaultKeyedByKerasLayerNames() throws IOException {
    Case c = Case.of("dl4j-cnn_batch_norm");
    Path out = KerasSavedModel.convert(c.model(), tmp.resolve("1"));
    var proto = SavedModelLoader.readProto(out);
    assertThat(proto.getMetaGraphsCount()).isOne();
    MetaGraphDef meta = proto.getMetaGraphs(0);
    assertThat(meta.getMetaInfoDef().getTagsList()).containsExactly("serve");
    assertThat(meta.getSignatureDefMap()).containsOnlyKeys(SERVING_DEFAULT);
    SignatureDef sig = meta.getSignatureDefOrThrow(SERVING_DEFAULT);
    assertThat(sig.getMethodName()).isEqualTo("tensorflow/serving/predict");
    assertThat(sig.getInputsMap()).containsOnlyKeys(c.inputs());
    assertThat(sig.getOutputsMap()).containsOnlyKeys(c.outputs());
    // Conv2D(valid 3x3) -> BN -> relu -> Conv2D(valid 3x3) -> Flatten -> Dense(1) on 10x10x3
    TensorInfo in = sig.getInputsOrThrow(c.inputs().get(0));
    assertThat(in.getDtype()).isEqualTo(DataType.DT_FLOAT);
    assertThat(TensorInfos.shapeString(in)).isEqualTo("(-1, 10, 10, 3)");
    TensorInfo y = sig.getOutputsOrThrow(c.outputs().get(0));
    assertThat(y.getDtype()).isEqualTo(DataType.DT_FLOAT);
    assertThat(TensorInfos.shapeString(y)).isEqualTo("(-1, 1)");
    assertThat(ServingCheck.check(meta))
        .filteredOn(o -> o.api() == ServingCheck.Api.PREDICT)
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.ok()).isTrue();
              assertThat(o.notes()).isEmpty();
            });
  }

  @Test
  void weightsLiveInTheCheckpointOnly() throws IOException {
    Case c = Case.of("dl4j-simple_rnn_tf_keras_2");
    Path out = KerasSavedModel.convert(c.model(), tmp.resolve("1"));
    MetaGraphDef meta = SavedModelLoader.readProto(out).getMetaGraphs(0);
    assertThat(meta.hasSaverDef()).isTrue();
    assertThat(out.resolve("variables/variables.index")).isRegularFile();
    List<String> nodes = meta.getGraphDef().getNodeList().stream().map(NodeDef::getName).toList();
    // SimpleRNN(50) on 1 feature + Dense(1): kernel, recurrent_kernel, bias, kernel, bias
    assertThat(nodes)
        .contains(
            "simple_rnn_1/kernel",
            "simple_rnn_1/recurrent_kernel",
            "simple_rnn_1/bias",
            "dense_1/kernel",
            "dense_1/bias");
    // their initial values (the Keras weights as constants) are pruned, and nothing is left to
    // initialise: no Init op, no main op
    assertThat(nodes).noneMatch(n -> n.contains("/Initializer")).doesNotContain("Init");
    assertThat(meta.getCollectionDefMap()).doesNotContainKey(SavedModelLoader.MAIN_OP_KEY);
    // 2,651 floats = 10,604 bytes of weights; the graph holds none of them
    long data = Files.size(out.resolve("variables/variables.data-00000-of-00001"));
    assertThat(data).isGreaterThanOrEqualTo(2651 * 4);
    assertThat(Files.size(out.resolve("saved_model.pb"))).isLessThan(data);
  }

  @Test
  void convertsAMultiInputMultiOutputModelWithItsCurrentWeights() throws IOException {
    // keras2_mlp_fapi_multiloss: inputs input1, input2 (4 each) -> concat -> Dense(3) -> relu ->
    // Dense(2, tanh) -> Dense(3) -> outputs output1 (softmax), output2 (sigmoid). The JSON has
    // no weights, so the variables hold random initial values: the export must save exactly those.
    Path file = TestData.keras("configs/keras2_mlp_fapi_multiloss_config.json");
    Random random = new Random(7);
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    feeds.put("input1", randomFloats(Shape.of(5, 4), random));
    feeds.put("input2", randomFloats(Shape.of(5, 4), random));
    try (KerasModel model = KerasModel.load(file)) {
      Path out = KerasSavedModel.convert(model, tmp.resolve("multi"));
      Map<String, float[]> keras = floats(model.predict(feeds));
      SignatureDef sig =
          SavedModelLoader.readProto(out).getMetaGraphs(0).getSignatureDefOrThrow(SERVING_DEFAULT);
      assertThat(sig.getInputsMap().keySet()).containsExactlyInAnyOrder("input1", "input2");
      assertThat(sig.getOutputsMap().keySet()).containsExactlyInAnyOrder("output1", "output2");
      assertThat(TensorInfos.shapeString(sig.getInputsOrThrow("input2"))).isEqualTo("(-1, 4)");
      assertThat(TensorInfos.shapeString(sig.getOutputsOrThrow("output1"))).isEqualTo("(-1, 3)");
      Map<String, float[]> cpp = runWithCppLoader(out, feeds);
      Map<String, float[]> java;
      try (SavedModelPredictor p = SavedModelPredictor.load(out, Set.of("serve"))) {
        java = floats(p.predict(SERVING_DEFAULT, feeds));
      }
      for (String key : List.of("output1", "output2")) {
        assertThat(keras.get(key)).as(key).hasSize(15);
        assertSameUpToRounding(key, cpp.get(key), keras.get(key));
        assertSameUpToRounding(key, java.get(key), keras.get(key));
      }
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  /**
   * Every model and architecture of shared/keras (but the refused yolo9000) converts, loads with
   * the C++ loader and gives what KerasModel.predict gives on random input (about 90 s: tagged
   * slow).
   */
  @Tag("slow")
  @ParameterizedTest(name = "{0}")
  @MethodSource("io.estimator4j.keras.KerasModelsBuildTest#files")
  void everySharedModelConvertsAndServesTheSameNumbers(Path file) throws IOException {
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try (KerasModel model = KerasModel.load(file)) {
      Random random = new Random(42);
      model.inputs().forEach((k, p) -> feeds.put(k, KerasModelsBuildTest.randomInput(p, random)));
      Path out = KerasSavedModel.convert(model, tmp.resolve("1"));
      Map<String, float[]> keras = floats(model.predict(feeds));
      Map<String, float[]> cpp = runWithCppLoader(out, feeds);
      assertThat(cpp.keySet()).containsExactlyInAnyOrderElementsOf(keras.keySet());
      keras.forEach((k, v) -> assertSameUpToRounding(k, cpp.get(k), v));
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  @Test
  void writesIntoAnExistingEmptyDirectory() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("models/m/1"));
    KerasSavedModel.convert(Case.of("dl4j-ReLU_0").model(), out);
    assertThat(out.resolve("saved_model.pb")).isRegularFile();
    assertThat(tmp.resolve("models/m")).isDirectoryContaining(p -> p.equals(out));
    try (Stream<Path> siblings = Files.list(out.getParent())) {
      assertThat(siblings).containsExactly(out); // no temporary directory left
    }
  }

  @Test
  void theSavedModelIsReadableLikeAnyNewDirectory() throws IOException {
    // not the owner-only permissions of a temporary directory: TF Serving may run as another user
    Path out = KerasSavedModel.convert(Case.of("dl4j-ReLU_0").model(), tmp.resolve("1"));
    Path plain = Files.createDirectory(tmp.resolve("plain"));
    assertThat(Files.getPosixFilePermissions(out)).isEqualTo(Files.getPosixFilePermissions(plain));
  }

  @Test
  void refusesANonEmptyDirectoryAndLeavesItAlone() throws IOException {
    Path out = Files.createDirectories(tmp.resolve("1"));
    Path kept = Files.writeString(out.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> KerasSavedModel.convert(Case.of("dl4j-ReLU_0").model(), out))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining(out.toString())
        .hasMessageContaining("exists and is not empty")
        .hasMessageContaining("Fix: remove it or choose another directory");
    assertThat(out).isDirectoryContaining(p -> p.equals(kept));
    try (Stream<Path> files = Files.list(out)) {
      assertThat(files).containsExactly(kept);
    }
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    assertThatThrownBy(() -> KerasSavedModel.convert(Case.of("dl4j-ReLU_0").model(), file))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining("exists and is a file");
  }

  @Test
  void anUnwritableOutputDirectoryIsNamedAsGivenBeforeTheModelIsBuilt() throws IOException {
    // as root, permissions do not stop writes; a regular file in the path does
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    Path out = file.resolve("my_model/1");
    assertThatThrownBy(
            () -> KerasSavedModel.convert(TestData.keras("configs/yolo9000_tf_keras_2.json"), out))
        .isInstanceOf(FileSystemException.class)
        .hasMessageStartingWith(
            out + ": cannot be written: " + file + " is a file, not a directory")
        .hasMessageContaining(
            "Fix: choose an output directory whose parent is, or can be created"
                + " as, a directory this process may write to")
        .hasMessageNotContaining(".tmp-");
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files).containsExactly(file);
    }
  }

  @Test
  void aModelThatCannotBeBuiltLeavesNothingBehind() {
    Path out = tmp.resolve("yolo");
    assertThatThrownBy(
            () -> KerasSavedModel.convert(TestData.keras("configs/yolo9000_tf_keras_2.json"), out))
        .isInstanceOf(UnsupportedKerasLayerException.class)
        .hasMessageContaining("space_to_depth_x2");
    assertThat(tmp).isEmptyDirectory();
  }

  /** serving_default run as TF Serving runs it: C++ loader, tensors fed and fetched by name. */
  private static Map<String, float[]> runWithCppLoader(Path dir, Map<String, Tensor> feeds) {
    try (SavedModelBundle b = SavedModelBundle.load(dir.toString(), "serve")) {
      SignatureDef sig = b.metaGraphDef().getSignatureDefOrThrow(SERVING_DEFAULT);
      Session.Runner runner = b.session().runner();
      feeds.forEach((k, t) -> runner.feed(sig.getInputsOrThrow(k).getName(), t));
      List<String> keys = new ArrayList<>(sig.getOutputsMap().keySet());
      keys.forEach(k -> runner.fetch(sig.getOutputsOrThrow(k).getName()));
      Map<String, float[]> out = new LinkedHashMap<>();
      try (Result r = runner.run()) {
        for (int i = 0; i < keys.size(); i++) {
          out.put(keys.get(i), values((TFloat32) r.get(i)));
        }
      }
      return out;
    }
  }

  /** The values of each tensor, closing the tensors. */
  private static Map<String, float[]> floats(Map<String, Tensor> tensors) {
    Map<String, float[]> out = new LinkedHashMap<>();
    try {
      tensors.forEach((k, t) -> out.put(k, values((TFloat32) t)));
    } finally {
      tensors.values().forEach(Tensor::close);
    }
    return out;
  }

  private static float[] values(TFloat32 t) {
    float[] v = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }

  private static TFloat32 randomFloats(Shape shape, Random random) {
    float[] v = new float[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = random.nextFloat() * 2 - 1;
    }
    return TFloat32.tensorOf(shape, DataBuffers.of(v, true, false));
  }

  /**
   * The converted SavedModel's numbers against KerasModel.predict's on the same graph: equal up to
   * rounding, |a - b| <= 1e-5 · max(1, |b|). KerasModel's session prunes each run's graph before
   * TensorFlow optimises it and the SavedModel's loaders do not, so the two may fuse or order float
   * operations differently (seen: 1-2 units in the last place); a weight that did not carry over
   * moves an output by far more.
   */
  static void assertSameUpToRounding(String key, float[] actual, float[] expected) {
    assertThat(actual).as(key).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      float tolerance = 1e-5f * Math.max(1f, Math.abs(expected[i]));
      assertThat(actual[i]).as(key + "[" + i + "]").isCloseTo(expected[i], within(tolerance));
    }
  }
}
