package io.estimator4j.estimator.canned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.TensorFlowFlavour;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.Prediction;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.optimizer.Momentum;
import io.estimator4j.estimator.optimizer.Optimizer;
import io.estimator4j.featurecolumn.DenseColumn;
import io.estimator4j.featurecolumn.EmbeddingOptions;
import io.estimator4j.featurecolumn.FeatureColumns;
import io.estimator4j.graph.Initializers;
import io.estimator4j.graph.PartitionedVariable;
import io.estimator4j.savedmodel.SavedModelPredictor;
import io.estimator4j.savedmodel.TensorSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * A DNNClassifier whose embedding column is partitioned in 3 parts (tf.estimator's {@code
 * input_layer_partitioner=fixed_size_partitioner(3)}): it trains, its checkpoint holds the joined
 * embedding and optimizer slot under their full names in TensorFlow's sliced format, an
 * unpartitioned DNNClassifier resumes from it and predicts the same, a partitioned one reads the
 * unpartitioned checkpoint back, and the partitioned model's SavedModel predicts the same. A
 * LinearClassifier with a partitioner does the same with its categorical column's weights.
 */
class PartitionedCannedTest {
  private static final String EMBEDDING =
      "dnn/input_from_feature_columns/input_layer/occupation_embedding/embedding_weights";
  private static final List<String> OCCUPATIONS =
      List.of("tech", "sales", "farming", "clerical", "craft", "service", "armed");
  private static final String[] SEEN = {
    "tech", "sales", "farming", "clerical", "craft", "service", "armed", "tech"
  };
  private static final float[] X = {0.5f, -1f, 2f, 0f, 1.5f, -0.5f, 1f, 0.25f};
  private static final int[] LABELS = {1, 0, 1, 0, 1, 0, 1, 1};

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(TensorFlowFlavour.class)
  void partitionedEmbeddingTrainsSavesSlicedAndMovesToAndFromAnUnpartitionedModel(
      TensorFlowFlavour flavour) throws Exception {
    Path modelDir = dir.resolve(flavour.name());
    Estimator partitioned = estimator(modelDir, flavour, PartitionedVariable.fixedSize(3));
    partitioned.train(trainInput(), StepLimit.steps(3));
    String ckpt3 = partitioned.latestCheckpoint().orElseThrow();
    assertThat(ckpt3).endsWith("-3");

    // the training graph holds the 3 parts (7 rows: 3, 2, 2), each a variable of its own
    List<String> variables = variableOps(ckpt3, EMBEDDING);
    assertThat(variables).contains(EMBEDDING + "/part_0", EMBEDDING + "/part_1");
    assertThat(variables).contains(EMBEDDING + "/part_2").doesNotContain(EMBEDDING);

    // the checkpoint lists the joined embedding and its slot under their full names, no parts
    String slot;
    try (CheckpointReader reader = CheckpointReader.open(ckpt3)) {
      assertThat(reader.variables().keySet()).noneMatch(k -> k.contains("/part_"));
      assertThat(reader.variable(EMBEDDING).shape()).containsExactly(7L, 2L);
      slot =
          reader.variables().keySet().stream()
              .filter(k -> k.contains(EMBEDDING) && !k.equals(EMBEDDING))
              .findFirst()
              .orElseThrow();
      // TF1: <var>/Adagrad; TF2 (Keras Adagrad): training/Adagrad/<var>/accumulator
      assertThat(slot)
          .isEqualTo(
              flavour == TensorFlowFlavour.TF1
                  ? EMBEDDING + "/Adagrad"
                  : "training/Adagrad/" + EMBEDDING + "/accumulator");
      assertThat(reader.variable(slot).shape()).containsExactly(7L, 2L);
    }
    // the .meta's VariableDefs of the parts and of their slot's parts carry Python's
    // save_slice_info_def (full_name = the checkpoint key, full_shape, var_offset, var_shape): 7
    // rows in 3 parts are rows 0-2, 3-4 and 5-6 of [7, 2], so import_meta_graph rebuilds them
    MetaGraphDef meta = MetaGraphDef.parseFrom(Files.readAllBytes(Path.of(ckpt3 + ".meta")));
    List<String> expectedParts =
        List.of(
            EMBEDDING + "/part_0:0 [7, 2] [0, 0] [3, 2]",
            EMBEDDING + "/part_1:0 [7, 2] [3, 0] [2, 2]",
            EMBEDDING + "/part_2:0 [7, 2] [5, 0] [2, 2]");
    assertThat(slices(meta, "variables", EMBEDDING)).containsExactlyElementsOf(expectedParts);
    assertThat(slices(meta, "trainable_variables", EMBEDDING))
        .containsExactlyElementsOf(expectedParts);
    List<String> slotParts = slices(meta, "variables", slot);
    assertThat(slotParts).hasSize(3);
    for (int i = 0; i < 3; i++) {
      String[] offsetAndShape = {"[0, 0] [3, 2]", "[3, 0] [2, 2]", "[5, 0] [2, 2]"};
      assertThat(slotParts.get(i))
          .contains(EMBEDDING + "/part_" + i + "/")
          .endsWith(":0 [7, 2] " + offsetAndShape[i]);
    }
    // the global step and the dense layers are whole variables: no slice info
    assertThat(slices(meta, "variables", "global_step")).isEmpty();
    // TensorFlow's RestoreV2 reads the full tensor ("") as the concatenation of the three slices
    // (rows 0-2, 3-4, 5-6: Python's slicing of 7 rows in 3 parts), and the slot likewise
    for (String key : List.of(EMBEDDING, slot)) {
      float[] full = restore(ckpt3, key, "");
      float[] joined = new float[14];
      int at = 0;
      for (String spec : List.of("7 2 0,3:0,2", "7 2 3,2:0,2", "7 2 5,2:0,2")) {
        float[] part = restore(ckpt3, key, spec);
        System.arraycopy(part, 0, joined, at, part.length);
        at += part.length;
      }
      assertThat(at).isEqualTo(14);
      assertThat(full).as(key).containsExactly(joined);
    }
    // every part was trained: each holds looked-up rows, and the Adagrad accumulator starts at 0.1
    // and grows only where a row got a gradient (each part's 2 x 2 or 3 x 2 values, flattened)
    float[] accumulator = restore(ckpt3, slot, "");
    for (int[] part : new int[][] {{0, 6}, {6, 10}, {10, 14}}) {
      float max = 0;
      for (int i = part[0]; i < part[1]; i++) {
        max = Math.max(max, accumulator[i]);
      }
      assertThat(max).as("part starting at %d", part[0] / 2).isGreaterThan(0.1f);
    }

    // an unpartitioned estimator on the same model dir restores the sliced checkpoint
    Estimator whole = estimator(modelDir, flavour, null);
    float[] fromPartitioned = probabilities(partitioned);
    float[] fromWhole = probabilities(whole);
    assertThat(fromWhole).containsExactly(fromPartitioned, within(1e-6f));

    // the partitioned model's SavedModel predicts the same
    Path export =
        partitioned.exportSavedModel(
            dir.resolve("export-" + flavour),
            ServingInputReceivers.raw(
                Map.of(
                    "occupation", TensorSpec.of(TString.class, -1),
                    "x", TensorSpec.of(TFloat32.class, -1))));
    // the SavedModel's variables collection carries the same slice infos
    org.tensorflow.proto.SavedModel savedModel =
        org.tensorflow.proto.SavedModel.parseFrom(
            Files.readAllBytes(export.resolve("saved_model.pb")));
    assertThat(slices(savedModel.getMetaGraphs(0), "variables", EMBEDDING))
        .containsExactlyElementsOf(expectedParts);
    try (SavedModelPredictor served = SavedModelPredictor.load(export, Set.of("serve"));
        TString occupation = TString.vectorOf(SEEN);
        TFloat32 x = TFloat32.vectorOf(X)) {
      Map<String, Tensor> inputs = new LinkedHashMap<>();
      inputs.put("occupation", occupation);
      inputs.put("x", x);
      Map<String, Tensor> out = served.predict("predict", inputs, List.of("probabilities"));
      try {
        TFloat32 p = (TFloat32) out.get("probabilities");
        float[] servedProbabilities = new float[SEEN.length * 2];
        for (int i = 0; i < SEEN.length; i++) {
          servedProbabilities[2 * i] = p.getFloat(i, 0);
          servedProbabilities[2 * i + 1] = p.getFloat(i, 1);
        }
        assertThat(servedProbabilities).containsExactly(fromPartitioned, within(1e-6f));
      } finally {
        SavedModelPredictor.closeAll(out.values());
      }
    }

    // the unpartitioned estimator resumes (step 3 -> 4) and writes a whole-tensor checkpoint,
    // which the partitioned estimator reads back into its parts
    whole.train(trainInput(), StepLimit.steps(1));
    assertThat(whole.latestCheckpoint().orElseThrow()).endsWith("-4");
    try (CheckpointReader reader = CheckpointReader.open(whole.latestCheckpoint().get())) {
      assertThat(reader.variables()).containsKey(EMBEDDING);
    }
    float[] afterWhole = probabilities(whole);
    assertThat(afterWhole).isNotEqualTo(fromWhole);
    assertThat(probabilities(partitioned)).containsExactly(afterWhole, within(1e-6f));
  }

  /**
   * Each part gets Python's sparse (IndexedSlices) update of the rows looked up in it: with
   * Momentum, after a step that looks up every row, two steps that look up only "tech" (row 0, part
   * 0) and "armed" (row 6, row 1 of part 2) move those rows and leave the others' weights and
   * momentum as they were (a dense update would keep moving them by lr * momentum * accumulation).
   */
  @ParameterizedTest(name = "combined={0}")
  @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
  void eachPartIsUpdatedOnlyAtTheRowsLookedUpInIt(boolean combined) throws Exception {
    Optimizer momentum = Momentum.builder().learningRate(0.1).momentum(0.9).build();
    // the DNNClassifier, or the dnn part of a DNNLinearCombinedClassifier (dnnOptimizer)
    Estimator est =
        combined
            ? combined(
                    dir.resolve("momentum-combined"),
                    TensorFlowFlavour.TF1,
                    PartitionedVariable.fixedSize(3),
                    null)
                .dnnOptimizer(momentum)
                .build()
            : estimator(
                dir.resolve("momentum"),
                TensorFlowFlavour.TF1,
                PartitionedVariable.fixedSize(3),
                momentum);
    est.train(trainInput(), StepLimit.steps(1));
    String step1 = est.latestCheckpoint().orElseThrow();
    est.train(
        ArrayInput.builder()
            .feature("occupation", new String[] {"tech", "armed"})
            .feature("x", new float[] {1f, -1f})
            .labels(new int[] {1, 0})
            .batchSize(2)
            .numEpochs(null)
            .shuffle(false)
            .build(),
        StepLimit.steps(2));
    String step3 = est.latestCheckpoint().orElseThrow();
    assertThat(step3).endsWith("-3");
    String slot = EMBEDDING + "/Momentum";
    float[] w1 = restore(step1, EMBEDDING, "");
    float[] w3 = restore(step3, EMBEDDING, "");
    float[] m1 = restore(step1, slot, "");
    float[] m3 = restore(step3, slot, "");
    // part 1's rows (3 and 4) got a gradient in step 1, so a dense update would move them later
    assertThat(row(m1, 3)).isNotEqualTo(ZERO_ROW);
    assertThat(row(m1, 4)).isNotEqualTo(ZERO_ROW);
    for (int row = 0; row < 7; row++) {
      if (row == 0 || row == 6) {
        assertThat(row(w3, row)).as("row %d", row).isNotEqualTo(row(w1, row));
        assertThat(row(m3, row)).as("momentum of row %d", row).isNotEqualTo(row(m1, row));
      } else {
        assertThat(row(w3, row)).as("row %d", row).isEqualTo(row(w1, row));
        assertThat(row(m3, row)).as("momentum of row %d", row).isEqualTo(row(m1, row));
      }
    }
  }

  /**
   * A LinearClassifier with {@code partitioner=fixed_size_partitioner(3)}: the categorical column's
   * weights {@code [7, 1]} are in 3 parts, saved joined with their Ftrl slots, and an unpartitioned
   * LinearClassifier resumes from the checkpoint and predicts the same (and back).
   */
  @ParameterizedTest
  @EnumSource(TensorFlowFlavour.class)
  void linearClassifierWithAPartitionerSavesSlicedWeightsAndResumesUnpartitioned(
      TensorFlowFlavour flavour) throws Exception {
    String weights = "linear/linear_model/occupation/weights";
    Path modelDir = dir.resolve("linear-" + flavour);
    Estimator partitioned = linear(modelDir, flavour, PartitionedVariable.fixedSize(3));
    partitioned.train(trainInput(), StepLimit.steps(3));
    String ckpt3 = partitioned.latestCheckpoint().orElseThrow();
    assertThat(variableOps(ckpt3, weights + "/").stream().filter(n -> n.matches(".*/part_\\d+")))
        .containsExactly(weights + "/part_0", weights + "/part_1", weights + "/part_2");
    List<String> slots = new ArrayList<>();
    try (CheckpointReader reader = CheckpointReader.open(ckpt3)) {
      assertThat(reader.variables().keySet()).noneMatch(k -> k.contains("/part_"));
      assertThat(reader.variable(weights).shape()).containsExactly(7L, 1L);
      reader.variables().keySet().stream()
          .filter(k -> k.contains(weights + "/") || k.contains(weights.substring(7) + "/"))
          .forEach(slots::add);
      // Ftrl's accumulator and linear slots, joined: [7, 1] each
      assertThat(slots).hasSize(2);
      for (String slot : slots) {
        assertThat(reader.variable(slot).shape()).as(slot).containsExactly(7L, 1L);
      }
    }
    float[] full = restore(ckpt3, weights, "");
    float[] joined = new float[7];
    int at = 0;
    for (String spec : List.of("7 1 0,3:0,1", "7 1 3,2:0,1", "7 1 5,2:0,1")) {
      float[] part = restore(ckpt3, weights, spec);
      System.arraycopy(part, 0, joined, at, part.length);
      at += part.length;
    }
    assertThat(full).containsExactly(joined);
    // every occupation was looked up, so every weight moved from its zero initial value
    for (float w : full) {
      assertThat(w).isNotZero();
    }

    Estimator whole = linear(modelDir, flavour, null);
    float[] fromPartitioned = probabilities(partitioned);
    assertThat(probabilities(whole)).containsExactly(fromPartitioned, within(1e-6f));
    whole.train(trainInput(), StepLimit.steps(1));
    assertThat(whole.latestCheckpoint().orElseThrow()).endsWith("-4");
    float[] afterWhole = probabilities(whole);
    assertThat(afterWhole).isNotEqualTo(fromPartitioned);
    assertThat(probabilities(partitioned)).containsExactly(afterWhole, within(1e-6f));
  }

  /**
   * A DNNLinearCombinedClassifier with {@code dnnInputLayerPartitioner} (its embedding [7, 2] in 3
   * parts) and {@code linearPartitioner} (its categorical weights [7, 1] in 2 parts: rows 0-3 and
   * 4-6) trains 2 steps; the checkpoint holds both under their full names, its .meta gives each
   * part its SaveSliceInfoDef, and an unpartitioned combined classifier resumes and predicts the
   * same.
   */
  @ParameterizedTest
  @EnumSource(TensorFlowFlavour.class)
  void combinedClassifierWithBothPartitionersSavesSlicedAndResumesUnpartitioned(
      TensorFlowFlavour flavour) throws Exception {
    String weights = "linear/linear_model/occupation/weights";
    Path modelDir = dir.resolve("combined-" + flavour);
    Estimator partitioned =
        combined(
                modelDir,
                flavour,
                PartitionedVariable.fixedSize(3),
                PartitionedVariable.fixedSize(2))
            .build();
    partitioned.train(trainInput(), StepLimit.steps(2));
    String ckpt2 = partitioned.latestCheckpoint().orElseThrow();
    assertThat(ckpt2).endsWith("-2");
    assertThat(variableOps(ckpt2, EMBEDDING + "/").stream().filter(n -> n.matches(".*/part_\\d+")))
        .containsExactly(EMBEDDING + "/part_0", EMBEDDING + "/part_1", EMBEDDING + "/part_2");
    assertThat(variableOps(ckpt2, weights + "/").stream().filter(n -> n.matches(".*/part_\\d+")))
        .containsExactly(weights + "/part_0", weights + "/part_1");
    try (CheckpointReader reader = CheckpointReader.open(ckpt2)) {
      assertThat(reader.variables().keySet()).noneMatch(k -> k.contains("/part_"));
      assertThat(reader.variable(EMBEDDING).shape()).containsExactly(7L, 2L);
      assertThat(reader.variable(weights).shape()).containsExactly(7L, 1L);
    }
    MetaGraphDef meta = MetaGraphDef.parseFrom(Files.readAllBytes(Path.of(ckpt2 + ".meta")));
    assertThat(slices(meta, "variables", EMBEDDING))
        .containsExactly(
            EMBEDDING + "/part_0:0 [7, 2] [0, 0] [3, 2]",
            EMBEDDING + "/part_1:0 [7, 2] [3, 0] [2, 2]",
            EMBEDDING + "/part_2:0 [7, 2] [5, 0] [2, 2]");
    assertThat(slices(meta, "variables", weights))
        .containsExactly(
            weights + "/part_0:0 [7, 1] [0, 0] [4, 1]", weights + "/part_1:0 [7, 1] [4, 0] [3, 1]");

    Estimator whole = combined(modelDir, flavour, null, null).build();
    float[] fromPartitioned = probabilities(partitioned);
    assertThat(probabilities(whole)).containsExactly(fromPartitioned, within(1e-6f));
    whole.train(trainInput(), StepLimit.steps(1));
    assertThat(whole.latestCheckpoint().orElseThrow()).endsWith("-3");
    float[] afterWhole = probabilities(whole);
    assertThat(afterWhole).isNotEqualTo(fromPartitioned);
    assertThat(probabilities(partitioned)).containsExactly(afterWhole, within(1e-6f));
  }

  private static CombinedBuilder combined(
      Path modelDir,
      TensorFlowFlavour flavour,
      PartitionedVariable.Partitioner dnnPartitioner,
      PartitionedVariable.Partitioner linearPartitioner) {
    CombinedBuilder b =
        DNNLinearCombinedClassifier.builder()
            .dnnFeatureColumns(
                List.of(
                    FeatureColumns.embeddingColumn(
                        FeatureColumns.categoricalColumnWithVocabularyList(
                            "occupation", OCCUPATIONS),
                        2,
                        EmbeddingOptions.builder()
                            .initializer(Initializers.truncatedNormal(0f, 0.7f, 17L))
                            .build()),
                    FeatureColumns.numericColumn("x")))
            .dnnHiddenUnits(4)
            .linearFeatureColumns(
                List.of(
                    FeatureColumns.categoricalColumnWithVocabularyList("occupation", OCCUPATIONS),
                    FeatureColumns.numericColumn("x")))
            .config(config(modelDir, flavour));
    if (dnnPartitioner != null) {
      b.dnnInputLayerPartitioner(dnnPartitioner);
    }
    if (linearPartitioner != null) {
      b.linearPartitioner(linearPartitioner);
    }
    return b;
  }

  private static Estimator linear(
      Path modelDir, TensorFlowFlavour flavour, PartitionedVariable.Partitioner partitioner) {
    LinearBuilder b =
        LinearClassifier.builder()
            .featureColumns(
                List.of(
                    FeatureColumns.categoricalColumnWithVocabularyList("occupation", OCCUPATIONS),
                    FeatureColumns.numericColumn("x")))
            .config(config(modelDir, flavour));
    if (partitioner != null) {
      b.partitioner(partitioner);
    }
    return b.build();
  }

  private static RunConfig config(Path modelDir, TensorFlowFlavour flavour) {
    return RunConfig.builder()
        .modelDir(modelDir)
        .randomSeed(5)
        .tensorFlowFlavour(flavour)
        .noPeriodicCheckpoints()
        .logStepCountSteps(0)
        .saveSummarySteps(0)
        .build();
  }

  /** Warm-starting into parts is not supported: refused with the fix, never silently skipped. */
  @org.junit.jupiter.api.Test
  void warmStartIntoAPartitionedModelIsRefusedWithAFix() {
    Estimator whole = estimator(dir.resolve("source"), TensorFlowFlavour.TF1, null);
    whole.train(trainInput(), StepLimit.steps(1));
    Estimator target =
        DNNClassifier.builder()
            .featureColumns(
                List.of(
                    FeatureColumns.embeddingColumn(
                        FeatureColumns.categoricalColumnWithVocabularyList(
                            "occupation", OCCUPATIONS),
                        2),
                    FeatureColumns.numericColumn("x")))
            .hiddenUnits(4)
            .inputLayerPartitioner(PartitionedVariable.fixedSize(3))
            .warmStartFrom(
                io.estimator4j.estimator.config.WarmStartSettings.from(
                    whole.latestCheckpoint().orElseThrow()))
            .config(config(dir.resolve("target"), TensorFlowFlavour.TF1))
            .build();
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> target.train(trainInput(), StepLimit.steps(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(EMBEDDING + "/part_0")
        .hasMessageContaining("partitioned variable")
        .hasMessageContaining("Fix:");
  }

  private static final float[] ZERO_ROW = {0f, 0f};

  private static float[] row(float[] matrix, int row) {
    return java.util.Arrays.copyOfRange(matrix, 2 * row, 2 * row + 2);
  }

  private static Estimator estimator(
      Path modelDir, TensorFlowFlavour flavour, PartitionedVariable.Partitioner partitioner) {
    return estimator(modelDir, flavour, partitioner, null);
  }

  private static Estimator estimator(
      Path modelDir,
      TensorFlowFlavour flavour,
      PartitionedVariable.Partitioner partitioner,
      Optimizer optimizer) {
    List<DenseColumn> columns =
        List.of(
            FeatureColumns.embeddingColumn(
                FeatureColumns.categoricalColumnWithVocabularyList("occupation", OCCUPATIONS),
                2,
                // seeded, so every run trains the same numbers (the default draws unseeded)
                EmbeddingOptions.builder()
                    .initializer(Initializers.truncatedNormal(0f, 0.7f, 17L))
                    .build()),
            FeatureColumns.numericColumn("x"));
    DnnBuilder b =
        DNNClassifier.builder()
            .featureColumns(columns)
            .hiddenUnits(4)
            .config(config(modelDir, flavour));
    if (partitioner != null) {
      b.inputLayerPartitioner(partitioner);
    }
    if (optimizer != null) {
      b.optimizer(optimizer);
    }
    return b.build();
  }

  private static ArrayInput trainInput() {
    return ArrayInput.builder()
        .feature("occupation", SEEN)
        .feature("x", X)
        .labels(LABELS)
        .batchSize(SEEN.length)
        .numEpochs(null)
        .shuffle(false)
        .build();
  }

  /** Both classes' probabilities of the {@link #SEEN} examples, flattened. */
  private static float[] probabilities(Estimator est) {
    ArrayInput in =
        ArrayInput.builder()
            .feature("occupation", SEEN)
            .feature("x", X)
            .batchSize(SEEN.length)
            .numEpochs(1)
            .shuffle(false)
            .build();
    List<Prediction> preds = est.predict(in).toList();
    assertThat(preds).hasSize(SEEN.length);
    float[] out = new float[SEEN.length * 2];
    for (int i = 0; i < SEEN.length; i++) {
      float[] p = preds.get(i).floats("probabilities");
      out[2 * i] = p[0];
      out[2 * i + 1] = p[1];
    }
    return out;
  }

  /** The VariableV2 ops of the checkpoint's training graph named {@code prefix...}, in order. */
  private static List<String> variableOps(String checkpoint, String prefix) throws Exception {
    MetaGraphDef meta = MetaGraphDef.parseFrom(Files.readAllBytes(Path.of(checkpoint + ".meta")));
    List<String> variables = new ArrayList<>();
    for (NodeDef n : meta.getGraphDef().getNodeList()) {
      if (n.getOp().equals("VariableV2") && n.getName().startsWith(prefix)) {
        variables.add(n.getName());
      }
    }
    return variables;
  }

  /**
   * The VariableDefs of {@code collection} whose save_slice_info_def names {@code fullName}, each
   * as "variable_name full_shape var_offset var_shape", in the collection's order.
   */
  private static List<String> slices(MetaGraphDef meta, String collection, String fullName)
      throws Exception {
    List<String> out = new ArrayList<>();
    for (com.google.protobuf.ByteString bytes :
        meta.getCollectionDefOrThrow(collection).getBytesList().getValueList()) {
      org.tensorflow.proto.VariableDef def = org.tensorflow.proto.VariableDef.parseFrom(bytes);
      if (def.hasSaveSliceInfoDef() && def.getSaveSliceInfoDef().getFullName().equals(fullName)) {
        org.tensorflow.proto.SaveSliceInfoDef info = def.getSaveSliceInfoDef();
        out.add(
            def.getVariableName()
                + " "
                + info.getFullShapeList()
                + " "
                + info.getVarOffsetList()
                + " "
                + info.getVarShapeList());
      }
    }
    return out;
  }

  /** TensorFlow's RestoreV2 of {@code key} with {@code shapeAndSlice}, flattened. */
  private static float[] restore(String prefix, String key, String shapeAndSlice) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Restore restore =
          tf.train.restore(
              tf.constant(prefix),
              tf.constant(NdArrays.vectorOfObjects(key)),
              tf.constant(NdArrays.vectorOfObjects(shapeAndSlice)),
              List.of(TFloat32.class));
      try (Result r = s.runner().fetch(restore.tensors().get(0)).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] out = new float[(int) t.shape().size()];
        t.copyTo(
            org.tensorflow.ndarray.NdArrays.wrap(
                t.shape(), org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false)));
        return out;
      }
    }
  }
}
