package io.estimator4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStateTest {

  /** What TensorFlow 2.x's CheckpointManager writes (Python text_format, repr of doubles). */
  private static final String GOLDEN =
      "model_checkpoint_path: \"model.ckpt-1000\"\n"
          + "all_model_checkpoint_paths: \"model.ckpt-500\"\n"
          + "all_model_checkpoint_paths: \"model.ckpt-1000\"\n"
          + "all_model_checkpoint_timestamps: 1646034733.4791458\n"
          + "all_model_checkpoint_timestamps: 1646034750.0\n"
          + "last_preserved_timestamp: 1646034729.3405304\n";

  private static final CheckpointState STATE =
      new CheckpointState(
          "model.ckpt-1000",
          List.of("model.ckpt-500", "model.ckpt-1000"),
          List.of(1646034733.4791458, 1646034750.0),
          1646034729.3405304);

  @TempDir Path modelDir;

  @Test
  void writesTheGoldenText() {
    assertThat(STATE.toText()).isEqualTo(GOLDEN);
  }

  @Test
  void parsesTheGoldenText() {
    assertThat(CheckpointState.parse(GOLDEN)).isEqualTo(STATE);
  }

  @Test
  void omitsAbsentTimestampsLikeProto3() {
    CheckpointState state =
        new CheckpointState("model.ckpt-7", List.of("model.ckpt-7"), List.of(), 0);
    assertThat(state.toText())
        .isEqualTo(
            "model_checkpoint_path: \"model.ckpt-7\"\n"
                + "all_model_checkpoint_paths: \"model.ckpt-7\"\n");
  }

  @Test
  void writeIsAtomicAndLeavesNoTemporaryFile() throws IOException {
    Files.writeString(modelDir.resolve("checkpoint"), "model_checkpoint_path: \"old\"\n");
    STATE.write(modelDir);

    assertThat(Files.readString(modelDir.resolve("checkpoint"), StandardCharsets.UTF_8))
        .isEqualTo(GOLDEN);
    assertThat(CheckpointState.read(modelDir)).contains(STATE);
    try (Stream<Path> files = Files.list(modelDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("checkpoint");
    }
  }

  @Test
  void readToleratesAbsolutePathsCommentsAndMissingTimestamps() throws IOException {
    String text =
        "# written by hand\n"
            + "model_checkpoint_path: '/abs/dir/model.ckpt-2'\n"
            + "all_model_checkpoint_paths: \"/abs/dir/model.ckpt-1\"  "
            + "all_model_checkpoint_paths: \"/abs/dir/model.ckpt-2\"\n"
            + "all_model_checkpoint_timestamps: 12.5\n"; // One time for two paths: dropped.
    CheckpointState state = CheckpointState.parse(text);
    assertThat(state.modelCheckpointPath()).isEqualTo("/abs/dir/model.ckpt-2");
    assertThat(state.allModelCheckpointPaths())
        .containsExactly("/abs/dir/model.ckpt-1", "/abs/dir/model.ckpt-2");
    assertThat(state.allModelCheckpointTimestamps()).isEmpty();
    assertThat(state.entries(99.0))
        .containsExactly(
            new RetentionPolicy.Entry("/abs/dir/model.ckpt-1", 99.0),
            new RetentionPolicy.Entry("/abs/dir/model.ckpt-2", 99.0));
    assertThat(CheckpointState.resolve(modelDir, state.modelCheckpointPath()))
        .isEqualTo("/abs/dir/model.ckpt-2");
  }

  @Test
  void escapesLikePythonTextFormatAndRoundTrips() {
    String path = "dir \"q\" caf\u00e9\\x";
    CheckpointState state = new CheckpointState(path, List.of(path), List.of(), 0);
    // UTF-8 of é is C3 A9 = octal 303 251; quotes and backslash get a backslash.
    assertThat(state.toText())
        .startsWith("model_checkpoint_path: \"dir \\\"q\\\" caf\\303\\251\\\\x\"\n");
    assertThat(CheckpointState.parse(state.toText())).isEqualTo(state);
    assertThat(
            CheckpointState.parse("model_checkpoint_path: \"a\\x41\\101\\n\"")
                .modelCheckpointPath())
        .isEqualTo("aAA\n");
  }

  @Test
  void formatsDoublesAsPythonRepr() {
    assertThat(TextProto.formatDouble(1646034733.0)).isEqualTo("1646034733.0");
    assertThat(TextProto.formatDouble(0.5)).isEqualTo("0.5");
    assertThat(TextProto.formatDouble(0.0001)).isEqualTo("0.0001");
    assertThat(TextProto.formatDouble(0.00001)).isEqualTo("1e-05");
    assertThat(TextProto.formatDouble(1.5e-7)).isEqualTo("1.5e-07");
    assertThat(TextProto.formatDouble(1e15)).isEqualTo("1000000000000000.0");
    assertThat(TextProto.formatDouble(1e16)).isEqualTo("1e+16");
    assertThat(TextProto.formatDouble(-2.25)).isEqualTo("-2.25");
  }

  @Test
  void malformedFileGivesAnIOExceptionNamingIt() throws IOException {
    Path file = modelDir.resolve("checkpoint");
    Files.writeString(file, "model_checkpoint_path: \"a\"\nmodel_checkpoint_path \"b\"\n");
    assertThatThrownBy(() -> CheckpointState.read(modelDir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("line 2: expected ':'");

    Files.writeString(file, "model_checkpoint_path: \"a\"\nbest_model: \"b\"\n");
    assertThatThrownBy(() -> CheckpointState.latestCheckpoint(modelDir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("unknown field 'best_model'");

    Files.writeString(file, "all_model_checkpoint_paths: \"a\"\n");
    assertThatThrownBy(() -> CheckpointState.read(modelDir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("no model_checkpoint_path field");
  }

  @Test
  void latestCheckpointNeedsTheStateFileAndTheIndex() throws IOException {
    assertThat(CheckpointState.latestCheckpoint(modelDir)).isEmpty();
    new CheckpointState("model.ckpt-3", List.of("model.ckpt-3"), List.of(), 0).write(modelDir);
    assertThat(CheckpointState.latestCheckpoint(modelDir)).isEmpty();
    TestCheckpoints.save(modelDir.resolve("model.ckpt-3"));
    assertThat(CheckpointState.latestCheckpoint(modelDir))
        .contains(modelDir.resolve("model.ckpt-3").toString());
  }

  @Test
  void latestCheckpointFallsBackToTheNewestCompleteListedOrOnDisk() throws IOException {
    for (String name : List.of("model.ckpt-10", "model.ckpt-20", "model.ckpt-25", "other-99")) {
      TestCheckpoints.save(modelDir.resolve(name));
    }
    // model.ckpt-30 lost its index in a kill; its data file is left.
    Files.writeString(modelDir.resolve("model.ckpt-30.data-00000-of-00001"), "partial");
    new CheckpointState(
            "model.ckpt-30",
            List.of("model.ckpt-10", "model.ckpt-20", "model.ckpt-30"),
            List.of(),
            0)
        .write(modelDir);

    // Newest complete: 25 (unlisted, on disk) beats 20 (listed); other-99 has another stem.
    assertThat(CheckpointState.latestCheckpoint(modelDir))
        .contains(modelDir.resolve("model.ckpt-25").toString());

    Files.delete(modelDir.resolve("model.ckpt-25.index"));
    assertThat(CheckpointState.latestCheckpoint(modelDir))
        .contains(modelDir.resolve("model.ckpt-20").toString());
  }

  @Test
  void latestCheckpointWithoutStateFileIsTheNewestCompleteOnDisk() throws IOException {
    TestCheckpoints.save(modelDir.resolve("model.ckpt-3"));
    TestCheckpoints.save(modelDir.resolve("model.ckpt-7"));
    TestCheckpoints.save(modelDir.resolve("model.ckpt-12"));
    Files.delete(modelDir.resolve("model.ckpt-12.data-00000-of-00001"));

    assertThat(CheckpointState.latestCheckpoint(modelDir))
        .contains(modelDir.resolve("model.ckpt-7").toString());
  }

  @Test
  void stepOfParsesTheDashSuffix() {
    assertThat(CheckpointState.stepOf("model.ckpt-1000")).isEqualTo(1000);
    assertThat(CheckpointState.stepOf("/some/dir-2/model.ckpt-7")).isEqualTo(7);
    assertThatThrownBy(() -> CheckpointState.stepOf("/some/dir-2/model.ckpt"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected a name ending in -<step>");
  }

  @Test
  void relativizesOnlyPathsInsideTheModelDir() {
    assertThat(CheckpointState.relativize(modelDir, modelDir.resolve("model.ckpt-5").toString()))
        .isEqualTo("model.ckpt-5");
    assertThat(CheckpointState.relativize(modelDir, "/elsewhere/model.ckpt-5"))
        .isEqualTo("/elsewhere/model.ckpt-5");
  }

  @Test
  void rejectsTimestampsThatDoNotMatchThePaths() {
    assertThatThrownBy(() -> new CheckpointState("a", List.of("a", "b"), List.of(1.0), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("found 1 timestamps for 2 paths");
  }
}
