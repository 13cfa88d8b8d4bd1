package io.estimator4j.estimator.canned;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.VariableInfo;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.config.WarmStartSettings;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.optimizer.GradientDescent;
import io.estimator4j.featurecolumn.DenseColumn;
import io.estimator4j.featurecolumn.FeatureColumn;
import io.estimator4j.featurecolumn.FeatureColumns;
import io.estimator4j.testing.TestData;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python tf.estimator checkpoint of TFX's chicago-taxi DNNLinearCombinedClassifier: list its
 * variables through the Java API and warm-start a Java DNNLinearCombinedClassifier from it.
 */
class TaxiWarmStartTest {
  static final Path TAXI = TestData.path("savedmodels/tfx-chicago-taxi-estimator");

  @TempDir Path dir;

  @Test
  void listsThePythonCheckpointAndWarmStartsTheMatchingVariables() throws Exception {
    Map<String, VariableInfo> vars;
    String prefix = TAXI.resolve("model.ckpt-1000").toString();
    try (CheckpointReader r = CheckpointReader.open(prefix)) {
      vars = r.variables();
    }
    // names, shapes: what TFX's DNNLinearCombinedClassifier (dnn [100, 70, 48, 34]) saved
    assertThat(vars.get("dnn/hiddenlayer_0/kernel").shape()).containsExactly(3, 100);
    assertThat(vars.get("dnn/hiddenlayer_3/kernel").shape()).containsExactly(48, 34);
    assertThat(vars.get("dnn/logits/kernel").shape()).containsExactly(34, 1);
    assertThat(vars.get("linear/linear_model/bias_weights").shape()).containsExactly(1);

    // Java columns with the same names and sizes: 3 dense inputs, and identity columns whose
    // bucket counts are read from the checkpoint's linear weights
    List<DenseColumn> dnn =
        List.of(
            FeatureColumns.numericColumn("fare_xf"),
            FeatureColumns.numericColumn("trip_miles_xf"),
            FeatureColumns.numericColumn("trip_seconds_xf"));
    List<FeatureColumn> linear = new ArrayList<>();
    ArrayInput.Builder in =
        ArrayInput.builder()
            .batchSize(4)
            .numEpochs(null)
            .shuffle(false)
            .labels(new int[] {0, 1, 0, 1});
    for (String name : List.of("fare_xf", "trip_miles_xf", "trip_seconds_xf")) {
      in.feature(name, new float[] {0.1f, 0.2f, 0.3f, 0.4f});
    }
    for (var e : vars.entrySet()) {
      String n = e.getKey();
      if (n.startsWith("linear/linear_model/") && n.endsWith("/weights")) {
        String column =
            n.substring("linear/linear_model/".length(), n.length() - "/weights".length());
        linear.add(
            FeatureColumns.categoricalColumnWithIdentity(column, e.getValue().shape()[0], 0L));
        in.feature(column, new long[] {0, 1, 2, 3});
      }
    }
    assertThat(linear).hasSize(9);
    Estimator est =
        DNNLinearCombinedClassifier.builder()
            .dnnFeatureColumns(dnn)
            .dnnHiddenUnits(100, 70, 48, 34)
            .linearFeatureColumns(linear)
            // learning rate 1e-12: the one training step leaves the warm-started values as loaded
            .dnnOptimizer(GradientDescent.of(1e-12))
            .linearOptimizer(GradientDescent.of(1e-12))
            .config(RunConfig.builder().modelDir(dir).noPeriodicCheckpoints().build())
            .warmStartFrom(WarmStartSettings.from(TAXI.toString()).vars("dnn/.*|linear/.*"))
            .build();
    est.train(in.build(), StepLimit.steps(1));
    try (CheckpointReader python = CheckpointReader.open(prefix);
        CheckpointReader java = CheckpointReader.open(est.latestCheckpoint().orElseThrow())) {
      int compared = 0;
      for (String name : vars.keySet()) {
        if ((name.startsWith("dnn/") || name.startsWith("linear/")) && java.contains(name)) {
          float[] p = python.readFloats(name);
          float[] j = java.readFloats(name);
          assertThat(j).as(name).hasSize(p.length);
          for (int i = 0; i < p.length; i++) {
            assertThat(j[i])
                .as(name + "[" + i + "]")
                .isCloseTo(p[i], org.assertj.core.api.Assertions.within(1e-5f));
          }
          compared++;
        }
      }
      // 10 dnn tensors and 10 linear ones (9 columns + bias)
      assertThat(compared).isEqualTo(20);
      assertThat(java.readLongs("global_step")).containsExactly(1L);
    }
  }
}
