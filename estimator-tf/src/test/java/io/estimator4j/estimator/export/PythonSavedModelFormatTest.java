package io.estimator4j.estimator.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.Prediction;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.canned.DNNLinearCombinedClassifier;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.featurecolumn.CategoricalColumn;
import io.estimator4j.featurecolumn.FeatureColumn;
import io.estimator4j.featurecolumn.FeatureColumns;
import io.estimator4j.testing.CppSavedModel;
import io.estimator4j.tfrecord.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.AssetFileDef;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.FingerprintDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.VariableDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;

/**
 * A Java export in the form Python's SavedModelBuilder writes (estimator.py's {@code
 * _add_meta_graph_for_mode}, builder_impl.py, fingerprinting.cc), read back with the protobuf
 * classes and loaded by TensorFlow's own C++ loader.
 */
class PythonSavedModelFormatTest {
  @TempDir Path dir;

  @Test
  void exportHasPythonsCollectionsStrippedOpsAndAFingerprintAndRunsInTheCppLoader()
      throws Exception {
    Path vocab = Files.write(dir.resolve("colors.txt"), List.of("red", "green", "blue"));
    CategoricalColumn color =
        FeatureColumns.categoricalColumnWithVocabularyFile("color", vocab, null, 0, null);
    List<FeatureColumn> linear = List.of(color, FeatureColumns.numericColumn("x"));
    String[] colors = new String[30];
    float[] xs = new float[30];
    int[] labels = new int[30];
    for (int i = 0; i < 30; i++) {
      colors[i] = List.of("red", "green", "blue").get(i % 3);
      xs[i] = (i % 7) / 7f - 0.5f;
      labels[i] = i % 3 == 0 || xs[i] > 0.3f ? 1 : 0;
    }
    Estimator est =
        DNNLinearCombinedClassifier.builder()
            .linearFeatureColumns(linear)
            .dnnFeatureColumns(
                List.of(FeatureColumns.numericColumn("x"), FeatureColumns.indicatorColumn(color)))
            .dnnHiddenUnits(4)
            .config(
                RunConfig.builder()
                    .modelDir(dir.resolve("model"))
                    .randomSeed(2)
                    .noPeriodicCheckpoints()
                    .logStepCountSteps(0)
                    .saveSummarySteps(0)
                    .build())
            .build();
    ArrayInput train =
        ArrayInput.builder()
            .feature("color", colors)
            .feature("x", xs)
            .labels(labels)
            .batchSize(10)
            .numEpochs(null)
            .build();
    est.train(train, StepLimit.steps(20));
    Path out =
        est.exportSavedModel(
            dir.resolve("export"),
            ServingInputReceivers.parsing(FeatureColumns.makeParseExampleSpec(linear), null));

    byte[] pb = Files.readAllBytes(out.resolve("saved_model.pb"));
    SavedModel model = SavedModel.parseFrom(pb);
    assertThat(model.getMetaGraphsCount()).isEqualTo(1);
    MetaGraphDef meta = model.getMetaGraphs(0);

    // meta_info_def: tags, the sorted stripped op list of every op used, defaults stripped
    assertThat(meta.getMetaInfoDef().getTagsList()).containsExactly("serve");
    assertThat(meta.getMetaInfoDef().getStrippedDefaultAttrs()).isTrue();
    List<String> ops = new ArrayList<>();
    meta.getMetaInfoDef().getStrippedOpList().getOpList().forEach(op -> ops.add(op.getName()));
    Set<String> used = new HashSet<>();
    meta.getGraphDef().getNodeList().forEach(n -> used.add(n.getOp()));
    meta.getGraphDef()
        .getLibrary()
        .getFunctionList()
        .forEach(f -> f.getNodeDefList().forEach(n -> used.add(n.getOp())));
    assertThat(ops).isSorted().containsExactlyInAnyOrderElementsOf(used);
    int matMuls = 0;
    for (NodeDef n : meta.getGraphDef().getNodeList()) {
      if (n.getOp().equals("MatMul")) {
        // transpose_a/transpose_b false are MatMul's defaults: stripped, as Python strips them
        assertThat(n.getAttrMap()).as(n.getName()).doesNotContainKeys("transpose_a");
        matMuls++;
      }
    }
    assertThat(matMuls).isPositive();

    // the saver_def Python's Saver has, usable by import_meta_graph
    assertThat(meta.getSaverDef().getFilenameTensorName()).isEqualTo("save/Const:0");
    assertThat(meta.getSaverDef().getSaveTensorName()).isEqualTo("save/control_dependency:0");
    assertThat(meta.getSaverDef().getRestoreOpName()).isEqualTo("save/restore_all");

    // collections
    Map<String, CollectionDef> c = meta.getCollectionDefMap();
    assertThat(c)
        .containsKeys(
            "variables",
            "trainable_variables",
            "global_step",
            "saved_model_main_op",
            "saved_model_assets",
            "asset_filepaths");
    // table_initializer as Python writes it: the op names of the two tables' text-file initialisers
    // (linear and dnn column); the main op initialises them for the loaders
    // (VocabularyAssetExportTest loads the export through all three loaders without the file)
    Map<String, String> opTypes = new java.util.HashMap<>();
    meta.getGraphDef().getNodeList().forEach(n -> opTypes.put(n.getName(), n.getOp()));
    List<String> tableInits = c.get("table_initializer").getNodeList().getValueList();
    assertThat(tableInits).hasSize(2).allMatch(n -> n.endsWith("/table_init"));
    assertThat(tableInits).extracting(opTypes::get).containsOnly("InitializeTableFromTextFileV2");
    List<String> variables = new ArrayList<>();
    for (var b : c.get("variables").getBytesList().getValueList()) {
      variables.add(VariableDef.parseFrom(b).getVariableName());
    }
    // the serving graph's variables: global_step and the model's, no optimizer state
    assertThat(variables)
        .contains("global_step:0", "dnn/logits/kernel:0", "linear/linear_model/color/weights:0")
        .noneMatch(v -> v.startsWith("training/"));
    assertThat(c.get("trainable_variables").getBytesList().getValueCount())
        .isEqualTo(variables.size() - 1);
    // one asset tensor per lookup table of the vocabulary file (the linear and the dnn column)
    List<String> assetTensors = new ArrayList<>();
    for (var any : c.get("saved_model_assets").getAnyList().getValueList()) {
      AssetFileDef asset = any.unpack(AssetFileDef.class);
      assertThat(asset.getFilename()).isEqualTo("colors.txt");
      assetTensors.add(asset.getTensorInfo().getName());
    }
    assertThat(assetTensors).hasSize(2);
    assertThat(c.get("asset_filepaths").getNodeList().getValueList())
        .containsExactlyElementsOf(assetTensors);

    // fingerprint.pb as TensorFlow 2.12+ writes it, recomputed here with TensorFlow's Fingerprint
    // op: checksum of saved_model.pb (written deterministically), hash of the variables index
    FingerprintDef fp = FingerprintDef.parseFrom(Files.readAllBytes(out.resolve("fingerprint.pb")));
    byte[] index = Files.readAllBytes(out.resolve("variables/variables.index"));
    // FarmHash's reference value for the empty string checks the helper itself
    assertThat(farmhash64(new byte[0])).isEqualTo(0x9ae16a3b2f90404fL);
    assertThat(fp.getSavedModelChecksum()).isEqualTo(farmhash64(pb));
    assertThat(fp.getCheckpointHash()).isEqualTo(farmhash64(index));
    assertThat(fp.getSavedObjectGraphHash()).isZero();
    assertThat(fp.getGraphDefProgramHash()).isNotZero();
    assertThat(fp.getSignatureDefHash()).isNotZero();
    assertThat(fp.getVersion().getProducer()).isEqualTo(1);

    // TensorFlow's C++ loader restores the variables, feeds the asset, runs the main op; its
    // predictions equal the Estimator's
    byte[][] examples = {
      Examples.fromJson("[{\"color\": [\"red\"], \"x\": [0.1]}]").get(0),
      Examples.fromJson("[{\"color\": [\"blue\"], \"x\": [-0.4]}]").get(0)
    };
    List<Prediction> expected = new ArrayList<>();
    try (var it =
        est.predict(
            ArrayInput.builder()
                .feature("color", new String[] {"red", "blue"})
                .feature("x", new float[] {0.1f, -0.4f})
                .batchSize(2)
                .numEpochs(1)
                .shuffle(false)
                .build())) {
      it.forEachRemaining(expected::add);
    }
    Files.delete(vocab);
    try (CppSavedModel loaded = CppSavedModel.load(out, "serve");
        TString in = TString.tensorOfBytes(NdArrays.vectorOfObjects(examples))) {
      SignatureDef sig = loaded.metaGraph().getSignatureDefMap().get("predict");
      try (Result r =
          loaded
              .session()
              .runner()
              .feed(sig.getInputsMap().get("examples").getName(), in)
              .fetch(sig.getOutputsMap().get("logistic").getName())
              .run()) {
        TFloat32 logistic = (TFloat32) r.get(0);
        for (int i = 0; i < 2; i++) {
          assertThat(logistic.getFloat(i, 0))
              .isCloseTo(expected.get(i).floats("logistic")[0], within(1e-6f));
        }
      }
    }
  }

  /** FarmHash Fingerprint64 with TensorFlow's Fingerprint op, its 8 bytes little-endian. */
  private static long farmhash64(byte[] data) {
    try (Graph g = new Graph();
        Session s = new Session(g);
        TString in = TString.tensorOfBytes(NdArrays.vectorOfObjects(new byte[][] {data}))) {
      Ops tf = Ops.create(g);
      var p = tf.placeholder(TString.class);
      try (Result r =
          s.runner().feed(p, in).fetch(tf.fingerprint(p, tf.constant("farmhash64"))).run()) {
        TUint8 bytes = (TUint8) r.get(0);
        long v = 0;
        for (int k = 7; k >= 0; k--) {
          v = (v << 8) | (bytes.getByte(0, k) & 0xffL);
        }
        return v;
      }
    }
  }
}
