package io.estimator4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointFilesTest {

  @TempDir Path modelDir;

  private List<String> names() throws IOException {
    try (Stream<Path> files = Files.list(modelDir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private void saveAndCommit(String basename) throws IOException {
    Path tmp = CheckpointFiles.createTemporaryDirectory(modelDir);
    assertThat(tmp.getFileName().toString()).startsWith(".tmp-checkpoint-");
    TestCheckpoints.save(tmp.resolve(basename));
    CheckpointFiles.commit(tmp, basename, modelDir);
  }

  @Test
  void commitMovesTheSavedFilesInAndRemovesTheTemporaryDirectory() throws IOException {
    saveAndCommit("model.ckpt-5");

    assertThat(names()).containsExactly("model.ckpt-5.data-00000-of-00001", "model.ckpt-5.index");
    try (CheckpointReader reader =
        CheckpointReader.open(modelDir.resolve("model.ckpt-5").toString())) {
      assertThat(reader.readLongs("global_step")).containsExactly(TestCheckpoints.GLOBAL_STEP);
    }
  }

  @Test
  void commitReplacesAnOlderCheckpointOfTheSameName() throws IOException {
    saveAndCommit("model.ckpt-5");
    Files.writeString(modelDir.resolve("model.ckpt-5.meta"), "old graph");
    saveAndCommit("model.ckpt-5");

    assertThat(names()).containsExactly("model.ckpt-5.data-00000-of-00001", "model.ckpt-5.index");
    assertThat(CheckpointReader.exists(modelDir.resolve("model.ckpt-5").toString())).isTrue();
  }

  @Test
  void commitOfAnIncompleteSaveMovesNothing() throws IOException {
    Path tmp = CheckpointFiles.createTemporaryDirectory(modelDir);
    TestCheckpoints.save(tmp.resolve("model.ckpt-5"));
    Files.delete(tmp.resolve("model.ckpt-5.data-00000-of-00001"));

    assertThatThrownBy(() -> CheckpointFiles.commit(tmp, "model.ckpt-5", modelDir))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("Cannot commit checkpoint")
        .hasMessageContaining("expected model.ckpt-5.index and all its data shards")
        .hasMessageContaining("model.ckpt-5.index]");
    assertThat(names()).containsExactly(tmp.getFileName().toString());
    assertThatThrownBy(() -> CheckpointFiles.commit(tmp, "sub/model.ckpt-5", modelDir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("without directories");
  }

  @Test
  void deleteRemovesOnlyTheFilesOfThatCheckpoint() throws IOException {
    saveAndCommit("model.ckpt-5");
    saveAndCommit("model.ckpt-50");
    Files.writeString(modelDir.resolve("model.ckpt-5.meta"), "graph");
    Files.writeString(modelDir.resolve("checkpoint"), "model_checkpoint_path: \"model.ckpt-50\"\n");

    CheckpointFiles.delete(modelDir, "model.ckpt-5");
    CheckpointFiles.delete(modelDir, "model.ckpt-6"); // Missing: ignored.

    assertThat(names())
        .containsExactly("checkpoint", "model.ckpt-50.data-00000-of-00001", "model.ckpt-50.index");
  }

  @Test
  void aCheckpointIsCompleteWithItsIndexAndEveryShardTheIndexCounts() throws IOException {
    saveAndCommit("model.ckpt-5");
    Path prefix = modelDir.resolve("model.ckpt-5");
    Path data = modelDir.resolve("model.ckpt-5.data-00000-of-00001");
    byte[] bytes = Files.readAllBytes(data);
    assertThat(CheckpointFiles.isComplete(prefix)).isTrue();

    Files.write(data, java.util.Arrays.copyOf(bytes, bytes.length - 1));
    assertThat(CheckpointFiles.isComplete(prefix)).as("truncated data file").isFalse();
    Files.delete(data);
    Files.write(modelDir.resolve("model.ckpt-5.data-00000-of-00002"), bytes);
    assertThat(CheckpointFiles.isComplete(prefix)).as("shard of another save").isFalse();
    Files.write(data, bytes);
    assertThat(CheckpointFiles.isComplete(prefix)).isTrue();
    Files.writeString(modelDir.resolve("model.ckpt-5.index"), "not an index");
    assertThat(CheckpointFiles.isComplete(prefix)).as("unreadable index").isFalse();
    assertThat(CheckpointFiles.isComplete(modelDir.resolve("model.ckpt-6"))).isFalse();
  }

  @Test
  void listCompleteFindsEveryCompleteCheckpointByName() throws IOException {
    saveAndCommit("model.ckpt-5");
    saveAndCommit("best-3");
    saveAndCommit("model.ckpt-7");
    Files.delete(modelDir.resolve("model.ckpt-7.index")); // Killed while replacing it.

    assertThat(CheckpointFiles.listComplete(modelDir))
        .containsExactly(
            modelDir.resolve("best-3").toString(), modelDir.resolve("model.ckpt-5").toString());
    assertThat(CheckpointFiles.listComplete(modelDir.resolve("missing"))).isEmpty();
  }

  @Test
  void removeStaleTemporariesDeletesOnlyTemporaryNames() throws IOException {
    saveAndCommit("model.ckpt-1");
    Path staleDir = CheckpointFiles.createTemporaryDirectory(modelDir);
    TestCheckpoints.save(staleDir.resolve("model.ckpt-2")); // Killed before commit.
    Files.writeString(modelDir.resolve("checkpoint.tmp0123abcd"), "partial");
    Files.writeString(modelDir.resolve("checkpoint"), "model_checkpoint_path: \"model.ckpt-1\"\n");

    CheckpointFiles.removeStaleTemporaries(modelDir);
    CheckpointFiles.removeStaleTemporaries(modelDir.resolve("missing"));

    assertThat(names())
        .containsExactly("checkpoint", "model.ckpt-1.data-00000-of-00001", "model.ckpt-1.index");
  }
}
