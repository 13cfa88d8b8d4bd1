package io.estimator4j.estimator.canned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.optimizer.Optimizers;
import io.estimator4j.featurecolumn.FeatureColumn;
import io.estimator4j.featurecolumn.FeatureColumns;
import io.estimator4j.savedmodel.LoadedSavedModel;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.testing.CppSavedModel;
import io.estimator4j.tfrecord.Examples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * A vocabulary file becomes an asset: copied to assets/, recorded in asset_file_def, and its lookup
 * table initialised by the main op when TensorFlow's C++ loader loads the export, even after the
 * original file is gone.
 */
class VocabularyAssetExportTest {
  @TempDir Path dir;

  @Test
  void vocabularyFileIsExportedAsAnAssetAndTheCppLoaderUsesIt() throws Exception {
    Path vocab = Files.write(dir.resolve("colors.txt"), List.of("red", "green", "blue"));
    List<FeatureColumn> columns =
        List.of(FeatureColumns.categoricalColumnWithVocabularyFile("color", vocab, null, 0, null));
    String[] colors = new String[60];
    int[] labels = new int[60];
    for (int i = 0; i < 60; i++) {
      colors[i] = List.of("red", "green", "blue").get(i % 3);
      labels[i] = i % 3 == 0 ? 1 : 0; // red -> 1
    }
    Estimator est =
        LinearClassifier.builder()
            .featureColumns(columns)
            .optimizer(Optimizers.byName("Ftrl", 0.5))
            .config(
                RunConfig.builder().modelDir(dir.resolve("model")).noPeriodicCheckpoints().build())
            .build();
    est.train(
        ArrayInput.builder()
            .feature("color", colors)
            .labels(labels)
            .batchSize(20)
            .numEpochs(null)
            .build(),
        StepLimit.steps(100));
    Path out =
        est.exportSavedModel(
            dir.resolve("export"),
            ServingInputReceivers.parsing(FeatureColumns.makeParseExampleSpec(columns), null));
    assertThat(out.resolve("assets/colors.txt")).hasContent("red\ngreen\nblue");
    var meta = SavedModelLoader.readProto(out).getMetaGraphs(0);
    assertThat(meta.getAssetFileDefList())
        .extracting(a -> a.getFilename())
        .containsExactly("colors.txt");
    // the table_initializer collection Python writes: the text-file initialiser's op
    assertThat(meta.getCollectionDefMap().get("table_initializer").getNodeList().getValueList())
        .singleElement()
        .satisfies(
            name ->
                assertThat(meta.getGraphDef().getNodeList())
                    .anyMatch(
                        n ->
                            n.getName().equals(name)
                                && n.getOp().equals("InitializeTableFromTextFileV2")));
    Files.delete(vocab); // the export must not depend on the original file

    byte[][] examples = {
      Examples.fromJson("[{\"color\": [\"red\"]}]").get(0),
      Examples.fromJson("[{\"color\": [\"blue\"]}]").get(0)
    };
    float[] ours;
    try (LoadedSavedModel m = SavedModelLoader.load(out, Set.of("serve"), null);
        TString in =
            TString.tensorOfBytes(org.tensorflow.ndarray.NdArrays.vectorOfObjects(examples))) {
      Map<String, Tensor> r = m.run("classification", Map.of("inputs", in));
      try (TFloat32 scores = (TFloat32) r.get("scores");
          Tensor classes = r.get("classes")) {
        ours = new float[] {scores.getFloat(0, 1), scores.getFloat(1, 1)};
      }
    }
    // red was always class 1 and blue never: the table lookups work
    assertThat(ours[0]).isGreaterThan(0.8f);
    assertThat(ours[1]).isLessThan(0.2f);
    // TensorFlow's C++ loader (as TF Serving): main op with the asset path fed
    try (CppSavedModel cpp = CppSavedModel.load(out, "serve")) {
      assertThat(classOneScores(cpp.session(), cpp.metaGraph(), examples))
          .containsExactly(ours, within(1e-6f));
    }
    // tensorflow-java's loader: TensorFlow's loader, then the table_initializer collection run
    // again without the asset feed (the initialiser skips its file once the table is filled)
    try (SavedModelBundle b = SavedModelBundle.load(out.toString(), "serve")) {
      assertThat(classOneScores(b.session(), b.metaGraphDef(), examples))
          .containsExactly(ours, within(1e-6f));
    }
  }

  /** The classification signature's class-1 scores of {@code examples}. */
  private static float[] classOneScores(
      org.tensorflow.Session session, org.tensorflow.proto.MetaGraphDef meta, byte[][] examples) {
    var sig = meta.getSignatureDefMap().get("classification");
    try (TString in =
            TString.tensorOfBytes(org.tensorflow.ndarray.NdArrays.vectorOfObjects(examples));
        var r =
            session
                .runner()
                .feed(sig.getInputsMap().get("inputs").getName(), in)
                .fetch(sig.getOutputsMap().get("scores").getName())
                .run()) {
      TFloat32 scores = (TFloat32) r.get(0);
      return new float[] {scores.getFloat(0, 1), scores.getFloat(1, 1)};
    }
  }
}
