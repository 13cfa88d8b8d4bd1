package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.savedmodel.LoadedSavedModel;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.savedmodel.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

class ExportTest {
  @TempDir Path dir;

  @Test
  void exportsAServingSavedModelThatLoadsAndPredicts() throws Exception {
    Estimator est = TestModels.linear(dir.resolve("model"), TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(300));
    Path out =
        est.exportSavedModel(
            dir.resolve("export"),
            ServingInputReceivers.raw(Map.of("x", TensorSpec.of(TFloat32.class, -1))));
    assertThat(out.getParent()).isEqualTo(dir.resolve("export"));
    assertThat(out.getFileName().toString()).matches("\\d{10}");
    assertThat(out.resolve("saved_model.pb")).exists();
    assertThat(out.resolve("variables/variables.index")).exists();
    try (LoadedSavedModel m = SavedModelLoader.load(out, Set.of("serve"), null);
        TFloat32 x = TFloat32.vectorOf(0f, 1f)) {
      var sig = m.signature("serving_default");
      assertThat(sig.getMethodName()).isEqualTo("tensorflow/serving/predict");
      assertThat(sig.getInputsMap().get("x").getTensorShape().getDim(0).getSize()).isEqualTo(-1);
      Map<String, Tensor> y = m.run("serving_default", Map.of("x", x));
      try (TFloat32 t = (TFloat32) y.get("y")) {
        // trained on y = 2x + 1
        assertThat(t.getFloat(0)).isCloseTo(1f, within(0.02f));
        assertThat(t.getFloat(1)).isCloseTo(3f, within(0.02f));
      }
    }
  }

  @Test
  void tensorFlowsOwnCppLoaderLoadsTheExport() throws Exception {
    Estimator est = TestModels.linear(dir.resolve("model"), TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(300));
    Path out =
        est.exportSavedModel(
            dir.resolve("export"),
            ServingInputReceivers.raw(Map.of("x", TensorSpec.of(TFloat32.class, -1))));
    // SavedModelBundle.load goes through TF_LoadSessionFromSavedModel, TensorFlow's C++ loader
    try (org.tensorflow.SavedModelBundle b =
            org.tensorflow.SavedModelBundle.load(out.toString(), "serve");
        TFloat32 x = TFloat32.vectorOf(2f)) {
      var sig = b.metaGraphDef().getSignatureDefMap().get("serving_default");
      try (var r =
          b.session()
              .runner()
              .feed(sig.getInputsMap().get("x").getName(), x)
              .fetch(sig.getOutputsMap().get("y").getName())
              .run()) {
        assertThat(((TFloat32) r.get(0)).getFloat(0)).isCloseTo(5f, within(0.05f));
      }
    }
  }

  @Test
  void exportsTrainEvalAndServeGraphsIntoOneSavedModel() throws Exception {
    Estimator est = TestModels.linear(dir.resolve("model"), TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(300));
    var features = Map.of("x", TensorSpec.of(TFloat32.class, -1));
    var supervised =
        ServingInputReceivers.rawSupervised(features, TensorSpec.of(TFloat32.class, -1));
    Path out =
        est.exportAllSavedModels(
            dir.resolve("all"),
            Map.of(
                ModeKeys.TRAIN,
                supervised,
                ModeKeys.EVAL,
                supervised,
                ModeKeys.PREDICT,
                ServingInputReceivers.raw(features)),
            Map.of(),
            null);
    var proto = SavedModelLoader.readProto(out);
    assertThat(proto.getMetaGraphsList())
        .extracting(m -> String.join(",", m.getMetaInfoDef().getTagsList()))
        .containsExactly("train", "eval", "serve");
    try (LoadedSavedModel m = SavedModelLoader.load(out, Set.of("eval"), null);
        TFloat32 x = TFloat32.vectorOf(0f, 1f);
        TFloat32 y = TFloat32.vectorOf(1f, 3f)) {
      assertThat(m.signature("eval").getMethodName()).isEqualTo("tensorflow/supervised/eval");
      // EvalOutput over the receiver: the feature x and the single labels tensor "label";
      // the model predicts "y" and has one metric "mse"
      assertThat(m.signature("eval").getInputsMap()).containsOnlyKeys("x", "label");
      assertThat(m.signature("eval").getOutputsMap())
          .containsOnlyKeys("loss", "predictions/y", "metrics/mse/value", "metrics/mse/update_op");
      Map<String, Tensor> r = m.run("eval", Map.of("x", x, "label", y), java.util.List.of("loss"));
      try (TFloat32 loss = (TFloat32) r.get("loss")) {
        // the trained model fits y = 2x + 1, so the squared error is small
        assertThat(loss.getFloat()).isLessThan(1e-3f);
      }
    }
    try (LoadedSavedModel m = SavedModelLoader.load(out, Set.of("train"), null)) {
      assertThat(m.metaGraph().getCollectionDefMap()).containsKey("train_op");
      assertThat(m.signature("train").getMethodName()).isEqualTo("tensorflow/supervised/training");
      assertThat(m.signature("train").getInputsMap()).containsOnlyKeys("x", "label");
      assertThat(m.signature("train").getOutputsMap()).containsKeys("loss", "predictions/y");
    }
  }

  @Test
  void receiverAlternativesAndAssetsExtraAreExported() throws Exception {
    Estimator est = TestModels.linear(dir.resolve("model"), TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(100));
    Path extra = Files.writeString(dir.resolve("notes.txt"), "trained on y = 2x + 1");
    var raw = ServingInputReceivers.raw(Map.of("x", TensorSpec.of(TFloat32.class, -1)));
    Path out =
        est.exportSavedModel(
            dir.resolve("export"),
            tf -> {
              var r = raw.build(tf);
              // a second way to feed the same feature: a placeholder named "x_alt" under key
              // "value"
              return r.withAlternative("alt", Map.of("value", r.features().get("x")));
            },
            Map.of("docs/notes.txt", extra),
            null);
    assertThat(out.resolve("assets.extra/docs/notes.txt")).hasContent("trained on y = 2x + 1");
    try (LoadedSavedModel m = SavedModelLoader.load(out, Set.of("serve"), null)) {
      assertThat(m.signatures()).containsKeys("serving_default", "alt:serving_default");
      assertThat(m.signature("alt:serving_default").getInputsMap()).containsOnlyKeys("value");
    }
  }

  @Test
  void singleTensorReceiverFeedsTheFeatureAsItIs() throws Exception {
    Estimator est = TestModels.linear(dir.resolve("model"), TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(300));
    Path out =
        est.exportSavedModel(
            dir.resolve("export"),
            ServingInputReceivers.tensor("x", "input", TensorSpec.of(TFloat32.class, -1)));
    try (LoadedSavedModel m = SavedModelLoader.load(out, Set.of("serve"), null);
        TFloat32 x = TFloat32.vectorOf(3f)) {
      assertThat(m.signature("serving_default").getInputsMap()).containsOnlyKeys("input");
      try (TFloat32 y = (TFloat32) m.run("serving_default", Map.of("input", x)).get("y")) {
        assertThat(y.getFloat(0)).isCloseTo(7f, within(0.05f)); // 2 * 3 + 1
      }
    }
  }

  @Test
  void anUnwritableExportBaseIsNamedAsGivenWithTheFix() throws Exception {
    Estimator est = TestModels.linear(dir.resolve("model"), TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(1));
    // as root, permissions do not stop writes; a regular file in the path does
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Path base = file.resolve("export");
    assertThatThrownBy(
            () ->
                est.exportSavedModel(
                    base,
                    ServingInputReceivers.raw(Map.of("x", TensorSpec.of(TFloat32.class, -1)))))
        .hasMessageContaining(base + ": cannot be written: " + file + " is a file, not a directory")
        .hasMessageContaining(
            "Fix: pass an export directory base that is, or can be created as, a"
                + " directory this process may write to")
        .hasMessageNotContaining("temp-");
  }

  @Test
  void rawSupervisedRefusesAFeatureNamedLikeTheLabels() {
    assertThatThrownBy(
            () ->
                ServingInputReceivers.rawSupervised(
                    Map.of("label", TensorSpec.of(TFloat32.class, -1)),
                    TensorSpec.of(TFloat32.class, -1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Features and labels must have distinct keys")
        .hasMessageContaining("[label]");
  }

  @Test
  void exportWithoutCheckpointOrIntoAFileLeavesNothingBehind() throws Exception {
    Estimator est = TestModels.linear(dir.resolve("model"), TestModels.quietConfig());
    var receiver = ServingInputReceivers.raw(Map.of("x", TensorSpec.of(TFloat32.class, -1)));
    assertThatThrownBy(() -> est.exportSavedModel(dir.resolve("export"), receiver))
        .hasMessageContaining("Couldn't find trained model");
    est.train(TestModels.trainInput(null), StepLimit.steps(1));
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    assertThatThrownBy(() -> est.exportSavedModel(file, receiver))
        .hasMessageContaining("is a file");
    // a failing receiver: nothing is left in the export base
    assertThatThrownBy(
            () ->
                est.exportSavedModel(
                    dir.resolve("export"),
                    ServingInputReceivers.raw(Map.of("z", TensorSpec.of(TFloat32.class, -1)))))
        .hasMessageContaining("Feature 'x' is not in the input");
    if (Files.exists(dir.resolve("export"))) {
      try (Stream<Path> s = Files.list(dir.resolve("export"))) {
        assertThat(s).isEmpty();
      }
    }
  }
}
