package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.summary.EventFileReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EstimatorTrainTest {
  @TempDir Path dir;

  @Test
  void locallyCountedStepEqualsTheCheckpointedOne() throws Exception {
    // more steps than RunLoop.VERIFY_EVERY, periodic checkpoints every 70 steps and a run that
    // ends at the end of the input (8 steps an epoch): every checkpoint's name and global_step
    // value agree with the step the session holds
    Estimator est = TestModels.linear(dir, TestModels.quietConfig().saveCheckpointsSteps(70));
    est.train(TestModels.trainInput(null), StepLimit.steps(250));
    assertThat(est.latestCheckpoint()).get().asString().endsWith("model.ckpt-250");
    est.train(TestModels.trainInput(3), StepLimit.untilInputEnds());
    assertThat(est.latestCheckpoint()).get().asString().endsWith("model.ckpt-274");
    for (String ckpt : CheckpointState.read(dir).orElseThrow().allModelCheckpointPaths()) {
      try (CheckpointReader r = CheckpointReader.open(CheckpointState.resolve(dir, ckpt))) {
        assertThat(r.readLongs("global_step")).containsExactly(CheckpointState.stepOf(ckpt));
      }
    }
  }

  @Test
  void stepsAreIncrementalAndKeptInTheCheckpoint() throws Exception {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(10));
    est.train(TestModels.trainInput(null), StepLimit.steps(10));
    // two calls of 10 steps: the second resumes at 10 and stops at 20
    assertThat(est.latestCheckpoint()).get().asString().endsWith("model.ckpt-20");
    try (CheckpointReader r = CheckpointReader.open(est.latestCheckpoint().get())) {
      assertThat(r.readLongs("global_step")).containsExactly(20L);
      assertThat(r.variables().keySet())
          .contains("global_step", "linear/kernel", "linear/bias")
          .noneMatch(n -> n.startsWith("metrics/"));
    }
  }

  @Test
  void maxStepsIsAbsoluteAndSkippedWhenReached() {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.maxSteps(15));
    assertThat(CheckpointState.stepOf(est.latestCheckpoint().get())).isEqualTo(15);
    est.train(TestModels.trainInput(null), StepLimit.maxSteps(15));
    assertThat(CheckpointState.stepOf(est.latestCheckpoint().get())).isEqualTo(15);
    est.train(TestModels.trainInput(null), StepLimit.maxSteps(25));
    assertThat(CheckpointState.stepOf(est.latestCheckpoint().get())).isEqualTo(25);
  }

  @Test
  void endOfInputEndsTraining() {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    // 64 rows, batch 8, 2 epochs = 16 steps, then the input ends
    est.train(TestModels.trainInput(2), StepLimit.untilInputEnds());
    assertThat(CheckpointState.stepOf(est.latestCheckpoint().get())).isEqualTo(16);
  }

  @Test
  void resumeRestoresTrainedValuesAndLearns() {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(200));
    float[] kernel = readFloats(est, "linear/kernel");
    // a fresh Estimator on the same model_dir starts from the checkpoint
    Estimator again = TestModels.linear(dir, TestModels.quietConfig());
    Map<String, Double> m = again.evaluate(TestModels.evalInput());
    assertThat(m.get("global_step")).isEqualTo(200.0);
    again.train(TestModels.trainInput(null), StepLimit.steps(200));
    float[] after = readFloats(again, "linear/kernel");
    // y = 2x + 1: the kernel converges to 2, and resuming did not reset it
    assertThat(kernel[0]).isCloseTo(2f, within(0.1f));
    assertThat(after[0]).isCloseTo(2f, within(0.02f));
    assertThat(again.evaluate(TestModels.evalInput()).get("loss")).isLessThan(1e-3);
  }

  @Test
  void retentionKeepsTheNewestCheckpoints() throws Exception {
    Estimator est =
        TestModels.linear(
            dir, TestModels.quietConfig().saveCheckpointsSteps(5).keepCheckpointMax(2));
    est.train(TestModels.trainInput(null), StepLimit.steps(20));
    CheckpointState state = CheckpointState.read(dir).orElseThrow();
    assertThat(state.allModelCheckpointPaths()).containsExactly("model.ckpt-15", "model.ckpt-20");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("model.ckpt")))
          .containsExactlyInAnyOrder(
              "model.ckpt-15.index",
              "model.ckpt-15.data-00000-of-00001",
              "model.ckpt-15.meta",
              "model.ckpt-20.index",
              "model.ckpt-20.data-00000-of-00001",
              "model.ckpt-20.meta");
    }
  }

  @Test
  void keepAllWhenMaxIsZero() throws Exception {
    Estimator est =
        TestModels.linear(
            dir, TestModels.quietConfig().saveCheckpointsSteps(5).keepCheckpointMax(0));
    est.train(TestModels.trainInput(null), StepLimit.steps(20));
    assertThat(CheckpointState.read(dir).orElseThrow().allModelCheckpointPaths())
        .containsExactly(
            "model.ckpt-0", "model.ckpt-5", "model.ckpt-10", "model.ckpt-15", "model.ckpt-20");
  }

  @Test
  void writesGraphAndEventsThatTensorBoardReads() throws Exception {
    Estimator est =
        TestModels.linear(
            dir,
            RunConfig.builder()
                .randomSeed(3)
                .saveSummarySteps(5)
                .logStepCountSteps(5)
                .noPeriodicCheckpoints());
    est.train(TestModels.trainInput(null), StepLimit.steps(20));
    assertThat(dir.resolve("graph.pbtxt")).content().contains("node {", "global_step");
    Map<Long, Map<String, Double>> scalars = EventFileReader.scalarsByStep(dir);
    // SummarySaverHook fires at the first step and then every 5 steps: 1, 6, 11, 16
    assertThat(scalars).containsKeys(1L, 6L, 11L, 16L);
    assertThat(scalars.get(6L)).containsKeys("loss", "mean_prediction");
    assertThat(scalars.values().stream().anyMatch(m -> m.containsKey("global_step/sec"))).isTrue();
    assertThat(EventFileReader.eventFiles(dir)).hasSize(1);
    assertThat(EventFileReader.readEvents(EventFileReader.eventFiles(dir).get(0)))
        .anyMatch(
            e ->
                e.getStep() == 6
                    && e.getSummary().getValueList().stream()
                        .anyMatch(
                            v ->
                                v.getTag().equals("predictions")
                                    && (v.hasHisto()
                                        || v.getMetadata()
                                            .getPluginData()
                                            .getPluginName()
                                            .equals("histograms"))));
    assertThat(EventFileReader.readEvents(EventFileReader.eventFiles(dir).get(0)))
        .anyMatch(
            e ->
                e.hasGraphDef()
                    || e.getSummary().getValueList().stream()
                        .anyMatch(v -> v.getTag().contains("graph")));
  }

  @Test
  void evaluateWritesEvalEventsAndNamedDirs() throws Exception {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(30));
    Map<String, Double> m = est.evaluate(TestModels.evalInput());
    assertThat(m).containsOnlyKeys("mse", "loss", "global_step");
    // every batch has 16 examples, so the mean of batch losses equals the mean squared error
    assertThat(m.get("loss")).isCloseTo(m.get("mse"), within(1e-5));
    Map<String, Double> named =
        est.evaluate(
            TestModels.evalInput(), EvalOptions.defaults().withName("holdout").withSteps(1));
    assertThat(named.get("global_step")).isEqualTo(30.0);
    assertThat(EventFileReader.scalarsByStep(dir.resolve("eval")).get(30L))
        .containsKeys("loss", "mse");
    assertThat(EventFileReader.scalarsByStep(dir.resolve("eval_holdout")).get(30L))
        .containsKeys("loss", "mse");
  }

  @Test
  void evaluatorReusesItsGraphAcrossCheckpoints() {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(5));
    try (Evaluator ev = est.evaluator(TestModels.evalInput(), null)) {
      Map<String, Double> first = ev.evaluate(null, null, List.of());
      est.train(TestModels.trainInput(null), StepLimit.steps(100));
      Map<String, Double> second = ev.evaluate(null, null, List.of());
      assertThat(first.get("global_step")).isEqualTo(5.0);
      assertThat(second.get("global_step")).isEqualTo(105.0);
      assertThat(second.get("loss")).isLessThan(first.get("loss"));
      // a fresh one-shot evaluation gives the same numbers as the reused evaluator
      assertThat(est.evaluate(TestModels.evalInput()).get("loss"))
          .isCloseTo(second.get("loss"), within(1e-6));
    }
  }

  private static float[] readFloats(Estimator est, String name) {
    try (CheckpointReader r = CheckpointReader.open(est.latestCheckpoint().get())) {
      return r.readFloats(name);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
