package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.estimator.canned.DNNLinearCombinedClassifier;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.featurecolumn.CategoricalColumn;
import io.estimator4j.featurecolumn.FeatureColumns;
import io.estimator4j.testing.RawRestore;
import io.estimator4j.tfrecord.TFRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.CollectionDef;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SaverDef;
import org.tensorflow.proto.SessionLog;
import org.tensorflow.proto.VariableDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * Checkpoints as Python's Saver writes them: a {@code model.ckpt-N.meta} beside each checkpoint
 * that {@code import_meta_graph} can use, and the event file's meta graph and SessionLog CHECKPOINT
 * records. Read back with the protobuf classes, TensorFlow's own import and RestoreV2, never only
 * with this project's readers.
 */
class CheckpointMetaGraphTest {
  @TempDir Path dir;

  private static final String[] COLORS = {"red", "blue", "green", "red", "blue", "red"};
  private static final float[] X = {0.1f, -0.4f, 0.3f, 0.9f, -0.7f, 0.2f};
  private static final int[] Y = {1, 0, 1, 1, 0, 1};

  @Test
  void eachCheckpointHasAMetaGraphThatImportMetaGraphCanUse() throws Exception {
    Path modelDir = dir.resolve("model");
    RunConfig config =
        RunConfig.builder()
            .modelDir(modelDir)
            .randomSeed(3)
            .saveCheckpointsSteps(5)
            .keepCheckpointMax(3)
            .keepCheckpointEveryNHours(2)
            .logStepCountSteps(0)
            .saveSummarySteps(0)
            .build();
    CategoricalColumn color =
        FeatureColumns.categoricalColumnWithVocabularyList("color", List.of("red", "blue"));
    Estimator est =
        DNNLinearCombinedClassifier.builder()
            .linearFeatureColumns(List.of(color, FeatureColumns.numericColumn("x")))
            .dnnFeatureColumns(
                List.of(FeatureColumns.numericColumn("x"), FeatureColumns.indicatorColumn(color)))
            .dnnHiddenUnits(3)
            .config(config)
            .build();
    ArrayInput input =
        ArrayInput.builder()
            .feature("color", COLORS)
            .feature("x", X)
            .labels(Y)
            .batchSize(3)
            .numEpochs(null)
            .build();
    est.train(input, StepLimit.steps(10));

    for (int step : new int[] {0, 5, 10}) {
      assertThat(modelDir.resolve("model.ckpt-" + step + ".meta")).isRegularFile();
    }
    String prefix = modelDir.resolve("model.ckpt-10").toString();
    MetaGraphDef meta = MetaGraphDef.parseFrom(Files.readAllBytes(Path.of(prefix + ".meta")));

    // meta_info_def: no tags, the stripped op list of every op the graph uses, sorted
    assertThat(meta.getMetaInfoDef().getTagsList()).isEmpty();
    assertThat(meta.getMetaInfoDef().getStrippedDefaultAttrs()).isFalse();
    List<String> listed = new ArrayList<>();
    meta.getMetaInfoDef().getStrippedOpList().getOpList().forEach(op -> listed.add(op.getName()));
    assertThat(listed).isSorted().contains("VariableV2", "SaveV2", "RestoreV2", "ApplyAdagradV2");
    Set<String> used = new HashSet<>();
    for (NodeDef n : meta.getGraphDef().getNodeList()) {
      used.add(n.getOp());
      // as_graph_def(add_shapes=True)
      assertThat(n.getAttrMap()).as(n.getName()).containsKey("_output_shapes");
    }
    assertThat(listed).containsAll(used);

    // saver_def as Python's Saver: a string save tensor, the restore op, RunConfig's retention
    SaverDef saver = meta.getSaverDef();
    assertThat(saver.getFilenameTensorName()).isEqualTo("save/Const:0");
    assertThat(saver.getSaveTensorName()).isEqualTo("save/control_dependency:0");
    assertThat(saver.getRestoreOpName()).isEqualTo("save/restore_all");
    assertThat(saver.getMaxToKeep()).isEqualTo(3);
    assertThat(saver.getKeepCheckpointEveryNHours()).isEqualTo(2f);
    assertThat(saver.getVersion()).isEqualTo(SaverDef.CheckpointFormatVersion.V2);

    // collections
    Map<String, CollectionDef> collections = meta.getCollectionDefMap();
    assertThat(collections)
        .containsKeys(
            "variables",
            "trainable_variables",
            "global_step",
            "savers",
            "train_op",
            "losses",
            "summaries",
            "table_initializer");
    Set<String> checkpointKeys;
    try (CheckpointReader r = CheckpointReader.open(prefix)) {
      checkpointKeys = r.variables().keySet();
    }
    List<VariableDef> variables = variableDefs(collections.get("variables"));
    List<String> variableNames = new ArrayList<>();
    for (VariableDef v : variables) {
      variableNames.add(v.getVariableName());
      assertThat(v.getIsResource()).isFalse();
      String op = v.getVariableName().substring(0, v.getVariableName().length() - 2);
      assertThat(v.getInitializerName()).isEqualTo(op + "/Assign");
      assertThat(v.getTrainable())
          .as(op)
          .isEqualTo(!op.startsWith("training/") && !op.equals("global_step"));
    }
    assertThat(variableNames)
        .containsExactlyInAnyOrderElementsOf(checkpointKeys.stream().map(k -> k + ":0").toList());
    List<String> trainable = new ArrayList<>();
    variableDefs(collections.get("trainable_variables"))
        .forEach(v -> trainable.add(v.getVariableName()));
    assertThat(trainable)
        .containsExactlyInAnyOrder(
            "dnn/hiddenlayer_0/kernel:0",
            "dnn/hiddenlayer_0/bias:0",
            "dnn/logits/kernel:0",
            "dnn/logits/bias:0",
            "linear/linear_model/color/weights:0",
            "linear/linear_model/x/weights:0",
            "linear/linear_model/bias_weights:0");
    assertThat(variableDefs(collections.get("global_step")).get(0).getVariableName())
        .isEqualTo("global_step:0");
    assertThat(SaverDef.parseFrom(collections.get("savers").getBytesList().getValue(0)))
        .isEqualTo(saver);
    Set<String> nodes = new HashSet<>();
    meta.getGraphDef().getNodeList().forEach(n -> nodes.add(n.getName()));
    assertThat(nodes).containsAll(collections.get("train_op").getNodeList().getValueList());
    // two vocabulary tables (the linear and the dnn column look color up separately)
    assertThat(collections.get("table_initializer").getNodeList().getValueList())
        .isNotEmpty()
        .allSatisfy(n -> assertThat(nodes).contains(n));
    assertThat(collections.get("summaries").getNodeList().getValueList()).isNotEmpty();

    // import_meta_graph: a fresh graph from the .meta, restored by its saver_def
    Map<String, Object> expected =
        RawRestore.read(
            prefix,
            Map.of(
                "dnn/logits/kernel",
                TFloat32.class,
                "linear/linear_model/color/weights",
                TFloat32.class));
    String resaved = dir.resolve("resaved").resolve("model.ckpt-10").toString();
    Files.createDirectories(dir.resolve("resaved"));
    try (Graph g = new Graph()) {
      g.importGraphDef(meta.getGraphDef());
      try (Session s = new Session(g);
          TString path = TString.scalarOf(prefix);
          TString newPath = TString.scalarOf(resaved)) {
        s.runner()
            .feed(saver.getFilenameTensorName(), path)
            .addTarget(saver.getRestoreOpName())
            .run();
        Map<String, Object> restored = new LinkedHashMap<>();
        try (Result r =
            s.runner()
                .fetch("dnn/logits/kernel")
                .fetch("linear/linear_model/color/weights")
                .run()) {
          restored.put("dnn/logits/kernel", RawRestore.values(r.get(0)));
          restored.put("linear/linear_model/color/weights", RawRestore.values(r.get(1)));
        }
        for (String name : expected.keySet()) {
          assertThat(restored.get(name)).as(name).isEqualTo(expected.get(name));
        }
        // the save tensor saves and returns the path, as Saver.save expects
        try (Result r =
            s.runner()
                .feed(saver.getFilenameTensorName(), newPath)
                .fetch(saver.getSaveTensorName())
                .run()) {
          assertThat(((TString) r.get(0)).getObject()).isEqualTo(resaved);
        }
      }
    }
    assertThat(
            RawRestore.read(resaved, Map.of("dnn/logits/kernel", TFloat32.class))
                .get("dnn/logits/kernel"))
        .isEqualTo(expected.get("dnn/logits/kernel"));

    // the event file: the meta graph, and a SessionLog CHECKPOINT at each save's step
    List<Event> events = new ArrayList<>();
    try (Stream<Path> files = Files.list(modelDir)) {
      for (Path f :
          files
              .filter(p -> p.getFileName().toString().startsWith("events.out.tfevents"))
              .toList()) {
        for (byte[] record : TFRecords.readAll(f, TFRecords.Compression.NONE)) {
          events.add(Event.parseFrom(record));
        }
      }
    }
    assertThat(events.stream().filter(Event::hasMetaGraphDef).toList())
        .singleElement()
        .satisfies(
            e ->
                assertThat(MetaGraphDef.parseFrom(e.getMetaGraphDef()).getSaverDef())
                    .isEqualTo(saver));
    List<Long> checkpointSteps = new ArrayList<>();
    for (Event e : events) {
      if (e.hasSessionLog()
          && e.getSessionLog().getStatus() == SessionLog.SessionStatus.CHECKPOINT) {
        checkpointSteps.add(e.getStep());
        assertThat(e.getSessionLog().getCheckpointPath())
            .isEqualTo(modelDir.resolve("model.ckpt").toString());
      }
    }
    assertThat(checkpointSteps).containsExactly(0L, 5L, 10L);
  }

  @Test
  void summariesStartWithASessionLogStartAtTheFirstStep() throws Exception {
    Path modelDir = dir.resolve("summaries");
    Estimator est = TestModels.linear(modelDir, TestModels.quietConfig().saveSummarySteps(1));
    est.train(TestModels.trainInput(null), StepLimit.steps(3));
    est.train(TestModels.trainInput(null), StepLimit.steps(2));
    List<Long> starts = new ArrayList<>();
    try (Stream<Path> files = Files.list(modelDir)) {
      for (Path f :
          files
              .filter(p -> p.getFileName().toString().startsWith("events.out.tfevents"))
              .toList()) {
        for (byte[] record : TFRecords.readAll(f, TFRecords.Compression.NONE)) {
          Event e = Event.parseFrom(record);
          if (e.hasSessionLog()
              && e.getSessionLog().getStatus() == SessionLog.SessionStatus.START) {
            starts.add(e.getStep());
          }
        }
      }
    }
    // SummarySaverHook: SessionLog(START) at the global step after each run's first step
    assertThat(starts).containsExactlyInAnyOrder(1L, 4L);
  }

  private static List<VariableDef> variableDefs(CollectionDef c) throws Exception {
    List<VariableDef> out = new ArrayList<>();
    for (var bytes : c.getBytesList().getValueList()) {
      out.add(VariableDef.parseFrom(bytes));
    }
    return out;
  }
}
