package io.estimator4j.estimator.canned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.VariableInfo;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.Prediction;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.VariablesAtStart;
import io.estimator4j.estimator.config.RunConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two-way compatibility with Python on the TFX chicago-taxi model (see {@link TaxiModel}): Java
 * resumes Python's model_dir with every variable, optimizer state included, and predicts what
 * Python's own export predicts.
 */
class TaxiPythonInteropTest {
  private static TaxiModel.Data data;

  @TempDir Path dir;

  @BeforeAll
  static void transformTheEvalExamples() throws Exception {
    data = TaxiModel.data();
  }

  private RunConfig config(Path modelDir) {
    return RunConfig.builder()
        .modelDir(modelDir)
        .randomSeed(3)
        .noPeriodicCheckpoints()
        .logStepCountSteps(0)
        .saveSummarySteps(0)
        .build();
  }

  @Test
  void theEvalDataIsWhatTheNotesMeasured() {
    // 424 examples; Python's export predicts class 1 for exactly one (measured through
    // TensorFlow's C++ loader); example 0: logistic 0.3005996
    assertThat(data.size()).isEqualTo(424);
    assertThat(java.util.Arrays.stream(data.pythonClassIds()).sum()).isEqualTo(1L);
    assertThat(data.pythonLogistic()[0]).isCloseTo(0.3005996f, within(1e-7f));
    // the transform's label tips_xf = tips > 0.2 * fare: 101 positives of 424
    assertThat(java.util.Arrays.stream(data.labels()).sum()).isEqualTo(101);
  }

  @Test
  void resumesPythonsModelDirWithEveryVariableAndTheOptimizerState() throws Exception {
    Path modelDir = TaxiModel.copyModelDir(dir.resolve("model"), 1000);
    String python = modelDir.resolve("model.ckpt-1000").toString();
    Map<String, VariableInfo> pythonVariables;
    try (CheckpointReader r = CheckpointReader.open(python)) {
      pythonVariables = r.variables();
    }
    // 60 tensors: global_step, 20 model variables, Keras Adagrad's (2 hypers, 10 accumulators)
    // and Keras Ftrl's (iter, 6 hypers, 10 accumulators, 10 linears)
    assertThat(pythonVariables).hasSize(60);
    Map<String, Object> before = TaxiModel.pythonValues(python, pythonVariables.keySet());

    Estimator est = TaxiModel.estimator(config(modelDir));
    VariablesAtStart restored = new VariablesAtStart(pythonVariables.keySet());
    est.train(data.input(40, true), StepLimit.steps(10), restored);

    // every variable of the Python checkpoint, optimizer slots and hypers included, restored
    // bit for bit (float arrays compare by their bits)
    assertThat(restored.values().keySet()).containsExactlyInAnyOrderElementsOf(before.keySet());
    for (String name : before.keySet()) {
      assertThat(restored.values().get(name)).as(name).isEqualTo(before.get(name));
    }
    assertThat((long[]) before.get("training/Ftrl/iter")).containsExactly(1000L);
    assertThat((float[]) before.get("training/Adagrad/dnn/logits/bias/accumulator"))
        .containsExactly(7.898968f);

    // Java trained on and wrote model.ckpt-1010 with exactly Python's 60 tensors, so Python can
    // resume it
    String java = est.latestCheckpoint().orElseThrow();
    assertThat(java).endsWith("model.ckpt-1010");
    try (CheckpointReader r = CheckpointReader.open(java)) {
      assertThat(r.variables()).isEqualTo(pythonVariables);
    }
    Map<String, Object> after = TaxiModel.pythonValues(java, pythonVariables.keySet());
    // the dnn optimizer counts in global_step, the linear one in its own iter: 10 steps each
    assertThat((long[]) after.get("global_step")).containsExactly(1010L);
    assertThat((long[]) after.get("training/Ftrl/iter")).containsExactly(1010L);
    for (String hyper :
        List.of(
            "training/Adagrad/learning_rate",
            "training/Adagrad/decay",
            "training/Ftrl/learning_rate",
            "training/Ftrl/learning_rate_power")) {
      assertThat(after.get(hyper)).as(hyper).isEqualTo(before.get(hyper));
    }
    // Adagrad accumulators only grow (accum += g²), and training moved them
    float[] accumBefore =
        (float[]) before.get("training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator");
    float[] accumAfter =
        (float[]) after.get("training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator");
    boolean grew = false;
    for (int i = 0; i < accumBefore.length; i++) {
      assertThat(accumAfter[i]).isGreaterThanOrEqualTo(accumBefore[i]);
      grew |= accumAfter[i] > accumBefore[i];
    }
    assertThat(grew).isTrue();

    // Ftrl updates only the rows the batches looked up (Python's sparse update of IndexedSlices):
    // a company id that no eval example has keeps its weight, accumulator and linear state
    Set<Long> used = new HashSet<>();
    for (long id : data.ids().get("company_xf")) {
      used.add(id);
    }
    String w = "linear/linear_model/company_xf/weights";
    int unusedRows = 0;
    int changedRows = 0;
    for (String name :
        List.of(w, "training/Ftrl/" + w + "/accumulator", "training/Ftrl/" + w + "/linear")) {
      float[] b = (float[]) before.get(name);
      float[] a = (float[]) after.get(name);
      for (int row = 0; row < b.length; row++) {
        if (!used.contains((long) row)) {
          assertThat(a[row]).as(name + "[" + row + "]").isEqualTo(b[row]);
          unusedRows++;
        } else if (a[row] != b[row]) {
          changedRows++;
        }
      }
    }
    assertThat(unusedRows).isGreaterThan(2000);
    assertThat(changedRows).isPositive();
  }

  @Test
  void predictionsEqualThoseOfPythonsOwnExport() throws Exception {
    Path modelDir = TaxiModel.copyModelDir(dir.resolve("model"), 1000);
    Estimator est = TaxiModel.estimator(config(modelDir));
    List<Prediction> predictions = new ArrayList<>();
    try (var it = est.predict(data.input(100, false))) {
      it.forEachRemaining(predictions::add);
    }
    assertThat(predictions).hasSize(data.size());
    int ones = 0;
    for (int i = 0; i < data.size(); i++) {
      Prediction p = predictions.get(i);
      String at = "example " + i;
      assertThat(p.floats("logits")[0]).as(at).isCloseTo(data.pythonLogits()[i], within(1e-5f));
      assertThat(p.floats("logistic")[0]).as(at).isCloseTo(data.pythonLogistic()[i], within(1e-5f));
      float[] probabilities = p.floats("probabilities");
      assertThat(probabilities[0])
          .as(at)
          .isCloseTo(data.pythonProbabilities()[i][0], within(1e-5f));
      assertThat(probabilities[1])
          .as(at)
          .isCloseTo(data.pythonProbabilities()[i][1], within(1e-5f));
      assertThat(p.longs("class_ids")[0]).as(at).isEqualTo(data.pythonClassIds()[i]);
      ones += (int) p.longs("class_ids")[0];
    }
    assertThat(ones).isEqualTo(1);
  }
}
