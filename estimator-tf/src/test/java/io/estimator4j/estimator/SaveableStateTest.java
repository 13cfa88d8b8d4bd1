package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.Saveable;
import io.estimator4j.estimator.export.ServingInputReceivers;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.savedmodel.LoadedSavedModel;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.savedmodel.TensorSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.LookupTableExport;
import org.tensorflow.op.core.MutableHashTable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * State outside variables (a resource) that a model function registers with {@code
 * ctx.addSaveable}: saved in every checkpoint, restored by evaluation and prediction graphs, and by
 * a SavedModel's restore op with no Java code.
 */
class SaveableStateTest {
  @TempDir Path dir;

  /**
   * Counts the examples trained on in a MutableHashTable ("seen"); predicts that count for every
   * example.
   */
  static final ModelFn COUNTER =
      ctx -> {
        Ops tf = ctx.tf();
        MutableHashTable table =
            tf.withName("counts").mutableHashTable(TString.class, TInt64.class);
        LookupTableExport<TString, TInt64> exported =
            tf.lookupTableExport(table, TString.class, TInt64.class);
        ctx.addSaveable(
            new Saveable() {
              @Override
              public List<Spec> specs() {
                return List.of(
                    new Spec("counts-keys", exported.keys()),
                    new Spec("counts-values", exported.values()));
              }

              @Override
              public Op restore(Ops r, List<Operand<?>> restored) {
                return r.lookupTableImport(table, restored.get(0), restored.get(1));
              }
            });
        Operand<TString> key = tf.constant(StandardCharsets.UTF_8, new String[] {"seen"});
        Operand<TInt64> seen = tf.lookupTableFind(table, key, tf.constant(0L));
        Operand<TFloat32> x = ctx.feature("x", TFloat32.class);
        Operand<TInt64> perExample =
            tf.math.add(tf.zerosLike(tf.dtypes.cast(x, TInt64.class)), seen);
        EstimatorSpec.Builder spec =
            EstimatorSpec.builder(ctx.mode()).prediction("seen", perExample);
        if (ctx.mode() == ModeKeys.PREDICT) {
          return spec.build();
        }
        spec.loss(tf.constant(0f));
        if (ctx.mode() == ModeKeys.TRAIN) {
          Op insert =
              tf.lookupTableInsert(
                  table,
                  key,
                  tf.math.add(
                      seen, tf.reshape(tf.size(x, TInt64.class), tf.constant(new long[] {1}))));
          spec.trainOp(
              tf.withControlDependencies(List.of(insert))
                  .assignAdd(ctx.globalStep(), tf.constant(1L)));
        }
        return spec.build();
      };

  @Test
  void aResourceSurvivesCheckpointsPredictionAndExport() throws Exception {
    Estimator est =
        Estimator.builder(COUNTER)
            .config(TestModels.quietConfig().modelDir(dir.resolve("model")).build())
            .build();
    est.train(TestModels.trainInput(null), StepLimit.steps(3));
    // a second train resumes from the checkpoint: the count goes on from 3 batches of 8
    est.train(TestModels.trainInput(null), StepLimit.steps(2));
    try (CheckpointReader r = CheckpointReader.open(est.latestCheckpoint().orElseThrow())) {
      assertThat(r.readLongs("counts-values")).containsExactly(40L);
    }
    try (PredictionIterator it = est.predict(TestModels.evalInput())) {
      assertThat(it.next().longs("seen")).containsOnly(40L);
    }
    Path out =
        est.exportSavedModel(
            dir.resolve("export"),
            ServingInputReceivers.raw(Map.of("x", TensorSpec.of(TFloat32.class, -1))));
    try (LoadedSavedModel m = SavedModelLoader.load(out, Set.of("serve"), null);
        TFloat32 x = TFloat32.vectorOf(0f, 1f)) {
      Map<String, Tensor> y = m.run("serving_default", Map.of("x", x));
      try (TInt64 seen = (TInt64) y.get("seen")) {
        assertThat(seen.getLong(0)).isEqualTo(40L);
        assertThat(seen.getLong(1)).isEqualTo(40L);
      }
    }
  }
}
