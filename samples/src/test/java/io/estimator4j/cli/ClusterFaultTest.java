package io.estimator4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.cli.LocalCluster.Task;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.summary.EventFileReader;
import io.estimator4j.samples.Census;
import io.estimator4j.samples.CensusData;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.proto.Event;
import org.tensorflow.proto.Summary;

/**
 * Tasks of a real loopback cluster (one JVM per task, census wide model, 1 ps, chief + 1 worker)
 * killed with SIGKILL in the middle of training and started again: training still reaches
 * max_steps, every kept checkpoint reads back whole, and the final accuracy clears the bar.
 */
@Tag("slow")
class ClusterFaultTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** 5 epochs of the 32561 training rows in batches of 40: ceil(5 * 32561 / 40) global steps. */
  private static final int EPOCHS = 5;

  private static final long MAX_STEPS = (EPOCHS * (long) CensusData.TRAIN_EXAMPLES + 39) / 40;

  /**
   * The kill comes once a checkpoint at this step or later exists (checkpoints every 200 steps), a
   * quarter into training.
   */
  private static final long KILL_AFTER_STEP = 1000;

  /**
   * One epoch of the wide model reaches 0.835 alone (CensusTest, local); 0.80 leaves room for the
   * steps lost or repeated by a restore.
   */
  private static final double ACCURACY_BAR = 0.80;

  private static final Duration FINISH = Duration.ofSeconds(240);

  @TempDir Path dir;

  @Test
  void killedWorkerRejoinsAndTrainingReachesMaxSteps() throws Exception {
    JsonNode m = runWithKill(new Task(LocalCluster.WORKER, 0), false);
    assertFinished(m);
  }

  @Test
  void killedChiefResumesFromItsLastCheckpoint() throws Exception {
    JsonNode m = runWithKill(new Task(LocalCluster.CHIEF, 0), false);
    assertFinished(m);
  }

  @Test
  void killedPsIsNoticedAndTrainingRecoversFromTheLastCheckpoint() throws Exception {
    JsonNode m = runWithKill(new Task(LocalCluster.PS, 0), false);
    assertFinished(m);
  }

  @Test
  void killedEvaluatorContinuesWithTheNewestCheckpoint() throws Exception {
    JsonNode m = runWithKill(new Task(LocalCluster.EVALUATOR, 0), true);
    assertFinished(m);
  }

  private JsonNode runWithKill(Task victim, boolean evaluator) throws Exception {
    Path modelDir = dir.resolve("model");
    List<String> command =
        List.of(
            "sample",
            "census",
            "--model",
            "wide",
            "--epochs",
            String.valueOf(EPOCHS),
            "--model-dir",
            modelDir.toString());
    Path logFile = Path.of("target", "cluster-fault-" + victim.type() + ".log");
    Files.createDirectories(logFile.getParent());
    PrintStream log = new PrintStream(Files.newOutputStream(logFile), true);
    try (LocalCluster cluster = new LocalCluster(1, 2, evaluator, command, log, log)) {
      for (Task t : cluster.tasks()) {
        cluster.start(t);
      }
      long deadline = System.nanoTime() + FINISH.toNanos();
      while (latestStep(modelDir) < KILL_AFTER_STEP) {
        assertThat(System.nanoTime())
            .as("a checkpoint at step %d", KILL_AFTER_STEP)
            .isLessThan(deadline);
        for (Task t : cluster.tasks()) {
          assertThat(cluster.process(t).orElseThrow().isAlive())
              .as("task %s alive before the kill (see %s)", t, logFile.toAbsolutePath())
              .isTrue();
        }
        Thread.sleep(100);
      }
      log.println("TEST: killing " + victim + " at checkpoint step " + latestStep(modelDir));
      cluster.kill(victim);
      Thread.sleep(2000);
      log.println("TEST: restarting " + victim);
      cluster.start(victim);
      for (Task t : cluster.tasks()) {
        if (!t.type().equals(LocalCluster.PS)) {
          Optional<Integer> code = cluster.await(t, FINISH);
          assertThat(code).as("exit code of %s (log %s)", t, logFile.toAbsolutePath()).contains(0);
        }
      }
      JsonNode m = JSON.readTree(cluster.lastJson(new Task(LocalCluster.CHIEF, 0)).orElseThrow());
      if (evaluator) {
        JsonNode e =
            JSON.readTree(cluster.lastJson(new Task(LocalCluster.EVALUATOR, 0)).orElseThrow());
        assertThat(e.get("global_step").asLong()).isGreaterThanOrEqualTo(MAX_STEPS);
        assertThat(e.get("accuracy").asDouble()).isGreaterThanOrEqualTo(ACCURACY_BAR);
        // the restarted evaluator went on with checkpoints it had not evaluated: no step was
        // evaluated twice, but the final one, which the chief evaluates too before it prints
        Map<Long, Integer> evaluations = evaluationsByStep(modelDir.resolve("eval"));
        long finalStep = e.get("global_step").asLong();
        assertThat(evaluations).containsKey(finalStep).hasSizeGreaterThan(1);
        evaluations.forEach(
            (step, n) ->
                assertThat(n)
                    .as("evaluations at step %d (log %s)", step, logFile.toAbsolutePath())
                    .isBetween(1, step == finalStep ? 2 : 1));
      }
      return m;
    } finally {
      log.close();
    }
  }

  private void assertFinished(JsonNode m) throws IOException {
    Path modelDir = dir.resolve("model");
    assertThat(m.get("global_step").asLong()).isGreaterThanOrEqualTo(MAX_STEPS);
    // the chief stops at the first step it sees at or past max_steps; the worker adds at most a
    // few more before it sees it too
    assertThat(m.get("global_step").asLong()).isLessThan(MAX_STEPS + 50);
    assertThat(m.get(Census.TRAINING_TASKS_KEY).asInt()).isEqualTo(2);
    assertThat(m.get("accuracy").asDouble()).isGreaterThanOrEqualTo(ACCURACY_BAR);
    CheckpointState state = CheckpointState.read(modelDir).orElseThrow();
    assertThat(CheckpointState.stepOf(state.modelCheckpointPath()))
        .isGreaterThanOrEqualTo(MAX_STEPS);
    List<String> kept = new ArrayList<>(state.allModelCheckpointPaths());
    assertThat(kept).isNotEmpty();
    for (String p : kept) {
      String prefix = CheckpointState.resolve(modelDir, p);
      try (CheckpointReader r = CheckpointReader.open(prefix)) {
        assertThat(r.variables()).containsKey("global_step");
        for (String name : r.variables().keySet()) {
          try (Tensor t = r.read(name)) {
            assertThat(t.shape().asArray()).isEqualTo(r.variable(name).shape());
          }
        }
        // asynchronous training: another worker may add to global_step while the chief saves
        assertThat(r.readLongs("global_step")[0])
            .isBetween(CheckpointState.stepOf(prefix), CheckpointState.stepOf(prefix) + 50);
      }
    }
  }

  /** How many loss summaries each global step has in the event files of an eval directory. */
  private static Map<Long, Integer> evaluationsByStep(Path evalDir) throws IOException {
    Map<Long, Integer> counts = new TreeMap<>();
    for (Path file : EventFileReader.eventFiles(evalDir)) {
      for (Event event : EventFileReader.readEvents(file)) {
        for (Summary.Value v : event.getSummary().getValueList()) {
          if (v.getTag().equals(EstimatorSpec.LOSS_KEY)) {
            counts.merge(event.getStep(), 1, Integer::sum);
          }
        }
      }
    }
    return counts;
  }

  private static long latestStep(Path modelDir) throws IOException {
    return CheckpointState.latestCheckpoint(modelDir).map(CheckpointState::stepOf).orElse(-1L);
  }
}
