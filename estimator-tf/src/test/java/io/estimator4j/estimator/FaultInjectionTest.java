package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.checkpoint.FaultPoints;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at each named step of a save ({@link FaultPoints}: before the saver writes, before the
 * data file, between data and index, between index and the {@code checkpoint} file, before and
 * during retention, the startup save, graph.pbtxt and event writes, export) and at random times
 * (issue 10, point 2). Each trial kills a child JVM ({@link KillableTrainer}) with SIGKILL where it
 * stopped, then resumes in a new child, which must evaluate, train from the newest complete
 * checkpoint and evaluate again; the parent checks model_dir between the two.
 *
 * <p>The newest complete checkpoint is computed here independently of the code under test: the
 * checkpoint the state file names if TensorFlow can read it, else the highest model.ckpt-N readable
 * among those listed and those on disk. The default run has a few trials; the full suite is tagged
 * slow ({@code .ci/run}).
 */
class FaultInjectionTest {
  private static final long CHILD_TIMEOUT_SECONDS = 180;
  private static final int RESUME_STEPS = 2;

  @TempDir static Path base;
  private static Path seed;
  private static Path brokenSeed;

  /** A model_dir trained to step 10 (model.ckpt-8, -9, -10), and one that lost -10's index. */
  @BeforeAll
  static void trainSeeds() throws IOException {
    seed = base.resolve("seed");
    TestModels.linear(seed, KillableTrainer.faultConfig())
        .train(TestModels.trainInput(null), StepLimit.steps(10));
    brokenSeed = base.resolve("broken-seed");
    copy(seed, brokenSeed);
    // What a kill during tf.estimator's startup re-save of model.ckpt-10 left.
    Files.delete(brokenSeed.resolve("model.ckpt-10.index"));
  }

  @Test
  void killsAtNamedStepsOfTheStartupAndFirstSaves() throws Exception {
    Trials trials = new Trials("default");
    trials.named(Start.RESUMED, FaultPoints.BEFORE_INDEX, 1);
    trials.named(Start.BROKEN, FaultPoints.BEFORE_STATE, 1);
    trials.named(Start.FRESH, FaultPoints.GRAPH_BEFORE_RENAME, 1);
    trials.report();
  }

  @Test
  @Tag("slow")
  void killsAtEveryNamedStepAndAtRandomTimes() throws Exception {
    Trials trials = new Trials("slow");
    for (Start start : List.of(Start.FRESH, Start.RESUMED)) {
      for (String point :
          List.of(
              FaultPoints.BEFORE_SAVE,
              FaultPoints.BEFORE_DATA,
              FaultPoints.BEFORE_INDEX,
              FaultPoints.BEFORE_STATE)) {
        for (int n : new int[] {1, 3}) {
          trials.named(start, point, n);
        }
      }
      trials.named(start, FaultPoints.BEFORE_RETENTION, 1);
      trials.named(start, FaultPoints.BEFORE_RETENTION, 5);
      trials.named(start, FaultPoints.DELETE_AFTER_INDEX, 1);
      trials.named(start, FaultPoints.DELETE_AFTER_INDEX, 2);
      trials.named(start, FaultPoints.STARTUP_SAVE, 1);
      trials.named(start, FaultPoints.GRAPH_BEFORE_RENAME, 1);
      trials.named(start, FaultPoints.EVENTS_AFTER_WRITE, 1);
      trials.named(start, FaultPoints.EVENTS_AFTER_WRITE, 3);
    }
    for (String point :
        List.of(
            FaultPoints.STARTUP_SAVE,
            FaultPoints.BEFORE_STATE,
            FaultPoints.BEFORE_RETENTION,
            FaultPoints.DELETE_AFTER_INDEX)) {
      trials.named(Start.BROKEN, point, 1);
    }
    trials.named(Start.EXPORT, FaultPoints.EXPORT_BEFORE_PROTO, 1);
    trials.named(Start.EXPORT, FaultPoints.EXPORT_BEFORE_PROTO, 2);
    long seedValue = 20261125L;
    Random random = new Random(seedValue);
    System.out.println("fault-injection: random kill times from seed " + seedValue);
    for (int i = 0; i < 12; i++) {
      trials.random(i % 2 == 0 ? Start.FRESH : Start.RESUMED, random);
    }
    for (int i = 0; i < 4; i++) {
      trials.random(Start.EXPORT, random);
    }
    trials.report();
    assertThat(trials.count).isGreaterThanOrEqualTo(50);
  }

  /** The model_dir a trial's child starts on, and what the child does. */
  enum Start {
    /** An empty model_dir: the child trains from step 0. */
    FRESH,
    /** A copy of the seed: the child resumes from model.ckpt-10. */
    RESUMED,
    /** A copy of the seed whose model.ckpt-10 lost its index: the child falls back to -9. */
    BROKEN,
    /** A copy of the seed: the child exports it repeatedly. */
    EXPORT
  }

  /** Runs trials, checks each, and counts them by kind. */
  private static final class Trials {
    private final String name;
    private final Map<String, Integer> byKind = new LinkedHashMap<>();
    private final Map<String, Integer> leftovers = new LinkedHashMap<>();
    private int count;
    private int resumed;
    private int evaluated;

    Trials(String name) {
      this.name = name;
    }

    /** Stops the child at the {@code n}-th visit of {@code point}, then SIGKILLs it. */
    void named(Start start, String point, int n) throws Exception {
      Path dir = prepare(start);
      String label = start + " " + point + "@" + n;
      try (Child child = Child.start(dir, start, point + "@" + n)) {
        String line = child.awaitLine(l -> l.startsWith(FaultPoints.ANNOUNCEMENT));
        assertThat(line)
            .as("%s: the child reached the point", label)
            .isEqualTo(FaultPoints.ANNOUNCEMENT + point + "@" + n);
      }
      check(label, dir, start);
      byKind.merge(point, 1, Integer::sum);
    }

    /** SIGKILLs the child after a random number of steps (or exports) and a random delay. */
    void random(Start start, Random random) throws Exception {
      Path dir = prepare(start);
      int events = random.nextInt(start == Start.EXPORT ? 2 : 12) + 1;
      long delayMillis = random.nextInt(start == Start.EXPORT ? 400 : 40);
      String label = start + " random after " + events + " events + " + delayMillis + " ms";
      try (Child child = Child.start(dir, start, null)) {
        String prefix = start == Start.EXPORT ? KillableTrainer.EXPORT : KillableTrainer.STEP;
        for (int i = 0; i < events; i++) {
          child.awaitLine(l -> l.startsWith(prefix));
        }
        Thread.sleep(delayMillis);
      }
      check(label, dir, start);
      byKind.merge("random " + start.name().toLowerCase(), 1, Integer::sum);
    }

    /** After the kill: model_dir invariants, then resume and evaluate in a new child. */
    private void check(String label, Path dir, Start start) throws Exception {
      count++;
      Path modelDir = dir.resolve("model");
      for (String left : leftovers(modelDir, dir.resolve("export"))) {
        leftovers.merge(left, 1, Integer::sum);
      }
      if (start != Start.BROKEN) { // Its state names a lost checkpoint until the child repairs it.
        assertListedCheckpointsAreComplete(label, modelDir);
      }
      assertVersionDirectoriesAreComplete(label, dir.resolve("export"));
      long expected = newestComplete(modelDir);
      String line;
      try (Child child = Child.resume(dir)) {
        line = child.awaitLine(l -> l.startsWith(KillableTrainer.RESUMED));
        assertThat(child.process.waitFor(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(child.process.exitValue()).as("%s: resume exit status", label).isZero();
      }
      String[] f = line.substring(KillableTrainer.RESUMED.length()).split(" ");
      long before = Long.parseLong(f[0]);
      long after = Long.parseLong(f[1]);
      resumed++;
      assertThat(before).as("%s: evaluated step before resuming", label).isEqualTo(expected);
      assertThat(after)
          .as("%s: step after resuming from the newest complete checkpoint", label)
          .isEqualTo(Math.max(expected, 0) + RESUME_STEPS);
      assertThat(Long.parseLong(f[2])).as("%s: evaluated step", label).isEqualTo(after);
      assertThat(Double.parseDouble(f[3])).as("%s: evaluated loss", label).isFinite();
      evaluated++;
      assertThat(names(modelDir))
          .as("%s: leftovers after the resume", label)
          .noneMatch(n -> n.startsWith(".tmp") || n.startsWith(".graph.pbtxt"));
      assertListedCheckpointsAreComplete(label + " (after the resume)", modelDir);
      assertVersionDirectoriesAreComplete(label, dir.resolve("export"));
    }

    void report() {
      System.out.println(
          "fault-injection ("
              + name
              + "): "
              + count
              + " trials, "
              + resumed
              + " resumed, "
              + evaluated
              + " evaluated; by kind "
              + byKind
              + "; the kills left (trials) "
              + leftovers);
    }

    /** What a kill left in model_dir and the export base that a clean stop would not have. */
    private static List<String> leftovers(Path modelDir, Path exportBase) throws IOException {
      List<String> found = new ArrayList<>();
      List<String> files = names(modelDir);
      Optional<CheckpointState> state = CheckpointState.read(modelDir);
      if (files.stream().anyMatch(n -> n.startsWith(".tmp-checkpoint-"))) {
        found.add("checkpoint temp dir");
      }
      if (files.stream()
          .anyMatch(
              n ->
                  n.matches("model\\.ckpt-\\d+\\.data-.*")
                      && !files.contains(n.substring(0, n.indexOf(".data-")) + ".index"))) {
        found.add("data without index");
      }
      if (files.stream()
          .anyMatch(
              n ->
                  n.matches("model\\.ckpt-\\d+\\.index")
                      && state
                          .map(
                              s ->
                                  !s.allModelCheckpointPaths()
                                      .contains(n.substring(0, n.length() - 6)))
                          .orElse(true))) {
        found.add("unlisted index");
      }
      if (files.stream().anyMatch(n -> n.startsWith(".graph.pbtxt"))) {
        found.add("graph.pbtxt temp");
      }
      if (names(exportBase).stream().anyMatch(n -> n.startsWith("temp-"))) {
        found.add("export temp dir");
      }
      if (found.isEmpty()) {
        found.add("nothing");
      }
      return found;
    }

    private Path prepare(Start start) throws IOException {
      Path dir = base.resolve(name + "-trial-" + (count + 1));
      Files.createDirectories(dir);
      switch (start) {
        case FRESH -> Files.createDirectories(dir.resolve("model"));
        case RESUMED, EXPORT -> copy(seed, dir.resolve("model"));
        case BROKEN -> copy(brokenSeed, dir.resolve("model"));
      }
      return dir;
    }
  }

  /** A child JVM running {@link KillableTrainer}; closing it SIGKILLs it. */
  private static final class Child implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    private Child(Process process) {
      this.process = process;
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader out =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  for (String l = out.readLine(); l != null; l = out.readLine()) {
                    lines.add(l);
                  }
                } catch (IOException e) {
                  // The process was killed.
                }
              });
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(Path dir, Start start, String faultPoint) throws IOException {
      List<String> args =
          start == Start.EXPORT
              ? List.of(
                  "export", dir.resolve("model").toString(), dir.resolve("export").toString(), "3")
              : List.of("train", dir.resolve("model").toString(), "40");
      return launch(dir.resolve("child.log"), faultPoint, args);
    }

    static Child resume(Path dir) throws IOException {
      return launch(
          dir.resolve("resume.log"),
          null,
          List.of("resume", dir.resolve("model").toString(), Integer.toString(RESUME_STEPS)));
    }

    private static Child launch(Path log, String faultPoint, List<String> args) throws IOException {
      List<String> command =
          new ArrayList<>(
              List.of(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Xmx256m",
                  "-XX:TieredStopAtLevel=1",
                  "-XX:+UseSerialGC"));
      if (faultPoint != null) {
        command.add("-D" + FaultPoints.PROPERTY + "=" + faultPoint);
      }
      command.addAll(
          List.of("-cp", System.getProperty("java.class.path"), KillableTrainer.class.getName()));
      command.addAll(args);
      return new Child(new ProcessBuilder(command).redirectError(log.toFile()).start());
    }

    /** The next line matching {@code want}, skipping others; fails if the child ends first. */
    String awaitLine(java.util.function.Predicate<String> want) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_SECONDS);
      while (System.nanoTime() < deadline) {
        String l = lines.poll(100, TimeUnit.MILLISECONDS);
        if (l != null && want.test(l)) {
          return l;
        }
        if (l == null && !process.isAlive() && lines.isEmpty()) {
          break;
        }
      }
      throw new AssertionError(
          "child "
              + process.info().arguments().map(List::of).orElse(List.of())
              + " ended or timed out (exit "
              + (process.isAlive() ? "none" : process.exitValue())
              + ") before printing the expected line");
    }

    @Override
    public void close() throws InterruptedException {
      process.destroyForcibly(); // SIGKILL
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** The step of the checkpoint a resume must start from, or -1 if there is none. */
  static long newestComplete(Path modelDir) throws IOException {
    Optional<CheckpointState> state = CheckpointState.read(modelDir);
    if (state.isPresent() && readable(modelDir.resolve(state.get().modelCheckpointPath()))) {
      return CheckpointState.stepOf(state.get().modelCheckpointPath());
    }
    List<String> candidates =
        new ArrayList<>(
            names(modelDir).stream()
                .filter(n -> n.matches("model\\.ckpt-\\d+\\.index"))
                .map(n -> n.substring(0, n.length() - ".index".length()))
                .toList());
    state.ifPresent(s -> candidates.addAll(s.allModelCheckpointPaths()));
    return candidates.stream()
        .filter(p -> readable(modelDir.resolve(p)))
        .mapToLong(CheckpointState::stepOf)
        .max()
        .orElse(-1);
  }

  /** Whether TensorFlow reads the checkpoint's global_step, and it matches the name. */
  private static boolean readable(Path prefix) {
    try (CheckpointReader r = CheckpointReader.open(prefix.toString())) {
      return r.readLongs("global_step")[0] == CheckpointState.stepOf(prefix.toString())
          && r.readFloats("linear/kernel").length == 1;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static void assertListedCheckpointsAreComplete(String label, Path modelDir)
      throws IOException {
    Optional<CheckpointState> state = CheckpointState.read(modelDir);
    if (state.isEmpty()) {
      return;
    }
    assertThat(readable(modelDir.resolve(state.get().modelCheckpointPath())))
        .as(
            "%s: the state file names a complete checkpoint (%s)",
            label, state.get().toText().replace('\n', ' '))
        .isTrue();
    for (String p : state.get().allModelCheckpointPaths()) {
      assertThat(readable(modelDir.resolve(p))).as("%s: listed %s is complete", label, p).isTrue();
    }
  }

  /** No directory named by a version number without saved_model.pb under the export base. */
  private static void assertVersionDirectoriesAreComplete(String label, Path exportBase)
      throws IOException {
    for (String n : names(exportBase)) {
      if (n.matches("\\d+")) {
        assertThat(exportBase.resolve(n).resolve("saved_model.pb"))
            .as("%s: export %s", label, n)
            .exists();
      }
    }
  }

  private static List<String> names(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> walk = Files.walk(from)) {
      for (Path p : walk.sorted(Comparator.naturalOrder()).toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }
}
