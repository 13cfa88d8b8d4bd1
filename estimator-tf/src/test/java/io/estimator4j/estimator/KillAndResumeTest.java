package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.CheckpointState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 in the middle of training (a checkpoint is being written at every step), then resume: the
 * last complete checkpoint must load and training must continue from it.
 */
class KillAndResumeTest {
  @TempDir Path dir;

  @Test
  void killedTrainingResumesFromTheLastCompleteCheckpoint() throws Exception {
    long[] killAfterMillis = {0, 137, 411};
    for (long extra : killAfterMillis) {
      long before = currentStep();
      Process child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  KillableTrainer.class.getName(),
                  dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolveSibling(dir.getFileName() + "-child.log").toFile())
              .start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (currentStep() < before + 20 && System.nanoTime() < deadline && child.isAlive()) {
          Thread.sleep(20);
        }
        assertThat(child.isAlive()).as("child is still training").isTrue();
        Thread.sleep(extra);
      } finally {
        child.destroyForcibly(); // SIGKILL on Linux
        child.waitFor(30, TimeUnit.SECONDS);
      }
      assertEveryListedCheckpointIsComplete();
    }
    long killedAt = currentStep();
    Estimator est = TestModels.linear(dir, TestModels.quietConfig().keepCheckpointMax(3));
    est.train(TestModels.trainInput(null), StepLimit.steps(5));
    assertThat(currentStep()).isEqualTo(killedAt + 5);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("no temporary files are left after a resume")
          .noneMatch(n -> n.startsWith(".tmp"));
    }
  }

  private void assertEveryListedCheckpointIsComplete() throws Exception {
    CheckpointState state = CheckpointState.read(dir).orElseThrow();
    for (String p : state.allModelCheckpointPaths()) {
      try (CheckpointReader r = CheckpointReader.open(dir.resolve(p).toString())) {
        assertThat(r.readLongs("global_step")[0]).isEqualTo(CheckpointState.stepOf(p));
        assertThat(r.readFloats("linear/kernel")).hasSize(1);
      }
    }
    List<String> indexes;
    try (Stream<Path> files = Files.list(dir)) {
      indexes =
          files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".index")).toList();
    }
    for (String index : indexes) {
      String prefix = index.substring(0, index.length() - ".index".length());
      assertThat(dir.resolve(prefix + ".data-00000-of-00001")).exists();
    }
  }

  private long currentStep() throws Exception {
    Optional<String> latest = CheckpointState.latestCheckpoint(dir);
    return latest.map(CheckpointState::stepOf).orElse(-1L);
  }
}
