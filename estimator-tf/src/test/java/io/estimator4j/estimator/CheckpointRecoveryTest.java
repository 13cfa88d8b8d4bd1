package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.checkpoint.CheckpointFiles;
import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.estimator.config.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What train does with a model_dir that a killed process left (issue 10, point 1): it resumes from
 * the newest complete checkpoint, does not rewrite the checkpoint it restored, and retention keeps
 * the complete checkpoints. The kills themselves are in {@link FaultInjectionTest}.
 */
class CheckpointRecoveryTest {
  @TempDir Path dir;

  @Test
  void resumingKeepsTheRestoredCheckpointInsteadOfSavingItAgain() throws Exception {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(5));
    Path index = dir.resolve("model.ckpt-5.index");
    Path data = dir.resolve("model.ckpt-5.data-00000-of-00001");
    Object indexFile = Files.readAttributes(index, "unix:ino").get("ino");
    Object dataFile = Files.readAttributes(data, "unix:ino").get("ino");

    est.train(TestModels.trainInput(null), StepLimit.steps(3));

    // tf.estimator saves model.ckpt-5 again at the start; replacing it opened a window in which
    // the state file named a checkpoint without index.
    assertThat(Files.readAttributes(index, "unix:ino").get("ino")).isEqualTo(indexFile);
    assertThat(Files.readAttributes(data, "unix:ino").get("ino")).isEqualTo(dataFile);
    assertThat(CheckpointState.stepOf(est.latestCheckpoint().orElseThrow())).isEqualTo(8);
  }

  @Test
  void aLostNamedCheckpointFallsBackToTheNewestCompleteAndLeavesTheList() throws Exception {
    Estimator est = TestModels.linear(dir, everyStep(3));
    est.train(TestModels.trainInput(null), StepLimit.steps(4)); // Keeps model.ckpt-2, -3, -4.
    // A kill while model.ckpt-4 was being replaced: its data file stays, its index is gone.
    Files.delete(dir.resolve("model.ckpt-4.index"));

    assertThat(est.latestCheckpoint()).contains(dir.resolve("model.ckpt-3").toString());
    Map<String, Double> metrics = est.evaluate(TestModels.evalInput());
    assertThat(metrics.get("global_step")).isEqualTo(3.0);

    est.train(TestModels.trainInput(null), StepLimit.steps(2)); // From 3, not from 0.

    CheckpointState state = CheckpointState.read(dir).orElseThrow();
    assertThat(state.modelCheckpointPath()).isEqualTo("model.ckpt-5");
    assertThat(state.allModelCheckpointPaths())
        .containsExactly("model.ckpt-3", "model.ckpt-4", "model.ckpt-5");
    for (String p : state.allModelCheckpointPaths()) {
      assertThat(CheckpointFiles.isComplete(dir.resolve(p))).as(p).isTrue();
    }
    assertThat(names()).doesNotContain("model.ckpt-2.index").contains("model.ckpt-3.index");
  }

  @Test
  void retentionCountsOnlyCompleteCheckpoints() throws Exception {
    Estimator est = TestModels.linear(dir, everyStep(2));
    est.train(TestModels.trainInput(null), StepLimit.steps(3)); // Keeps model.ckpt-2 and -3.
    Files.delete(dir.resolve("model.ckpt-3.index"));
    Files.delete(dir.resolve("model.ckpt-3.data-00000-of-00001"));

    est.train(TestModels.trainInput(null), StepLimit.steps(1)); // From 2: saves 3 again.

    // The lost model.ckpt-3 left the list instead of pushing model.ckpt-2 out.
    assertThat(CheckpointState.read(dir).orElseThrow().allModelCheckpointPaths())
        .containsExactly("model.ckpt-2", "model.ckpt-3");
    assertThat(CheckpointFiles.isComplete(dir.resolve("model.ckpt-2"))).isTrue();
  }

  @Test
  void withoutStateFileTrainResumesFromTheNewestCompleteCheckpointOnDisk() throws Exception {
    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(6));
    // A kill between the first index and the first state file leaves no state file.
    Files.delete(dir.resolve(CheckpointState.FILENAME));

    est.train(TestModels.trainInput(null), StepLimit.steps(1));

    assertThat(CheckpointState.stepOf(est.latestCheckpoint().orElseThrow())).isEqualTo(7);
  }

  @Test
  void trainRefusesToStartFromScratchBesideCompleteCheckpointsUnlessAllowed() throws Exception {
    Path other = dir.resolve("other");
    TestModels.linear(other, TestModels.quietConfig())
        .train(TestModels.trainInput(null), StepLimit.steps(4));
    for (String suffix : List.of(".index", ".data-00000-of-00001")) {
      Files.copy(
          other.resolve("model.ckpt-4" + suffix),
          dir.resolve("pretrained" + suffix),
          StandardCopyOption.COPY_ATTRIBUTES);
    }

    Estimator est = TestModels.linear(dir, TestModels.quietConfig());
    assertThatThrownBy(() -> est.train(TestModels.trainInput(null), StepLimit.steps(2)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("holds complete checkpoints [pretrained]")
        .hasMessageContaining("training would start from step 0")
        .hasMessageContaining("RunConfig.Builder.allowFreshStart(true)");
    assertThat(est.latestCheckpoint()).isEmpty();

    Estimator allowed = TestModels.linear(dir, TestModels.quietConfig().allowFreshStart(true));
    allowed.train(TestModels.trainInput(null), StepLimit.steps(2));
    assertThat(CheckpointState.stepOf(allowed.latestCheckpoint().orElseThrow())).isEqualTo(2);
    assertThat(CheckpointFiles.isComplete(dir.resolve("pretrained"))).isTrue();
    // Once it has its own checkpoints, the default config resumes from them.
    est.train(TestModels.trainInput(null), StepLimit.steps(1));
    assertThat(CheckpointState.stepOf(est.latestCheckpoint().orElseThrow())).isEqualTo(3);
  }

  private List<String> names() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** A checkpoint every step, keeping {@code keep}. */
  private static RunConfig.Builder everyStep(int keep) {
    return TestModels.quietConfig().saveCheckpointsSteps(1).keepCheckpointMax(keep);
  }
}
