package io.estimator4j.estimator.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/** graph.pbtxt is replaced atomically, and only dead writers' temporary files are removed. */
class GraphTextFileTest {
  @TempDir Path dir;

  @Test
  void writeReplacesGraphPbtxtAndLeavesNoTemporaryFile() throws Exception {
    GraphTextFile.write(dir, graph("a"));
    GraphTextFile.write(dir, graph("b"));

    assertThat(dir.resolve("graph.pbtxt")).content().contains("name: \"b\"");
    assertThat(names()).containsExactly("graph.pbtxt");
  }

  @Test
  void removeStaleDeletesOnlyFilesOlderThanTheProcessAndUnlocked() throws Exception {
    Instant start = GraphTextFile.processStart();
    Path killed = stale(".graph.pbtxt123.tmp", start.minus(Duration.ofMinutes(5)));
    Path recent = stale(".graph.pbtxt456.tmp", Instant.now()); // A writer of this process.
    Path lockedHere = stale(".graph.pbtxt789.tmp", start.minus(Duration.ofMinutes(5)));
    Path other = stale("graph.pbtxt.tmp", start.minus(Duration.ofMinutes(5))); // Not ours.

    try (FileChannel channel = FileChannel.open(lockedHere, StandardOpenOption.WRITE);
        FileLock lock = channel.lock()) {
      assertThat(GraphTextFile.removeStale(dir, start)).isEqualTo(1);
    }

    assertThat(killed).doesNotExist();
    assertThat(recent).exists();
    assertThat(lockedHere).exists();
    assertThat(other).exists();
    assertThat(GraphTextFile.removeStale(dir.resolve("missing"), start)).isZero();
  }

  @Test
  void removeStaleSkipsAFileLockedByALiveWriterInAnotherProcess() throws Exception {
    Instant start = GraphTextFile.processStart();
    Path live = stale(".graph.pbtxt42.tmp", start.minus(Duration.ofMinutes(5)));
    Process writer =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                LockHolder.class.getName(),
                live.toString())
            .redirectErrorStream(true)
            .start();
    try (BufferedReader out =
        new BufferedReader(
            new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
      assertThat(out.readLine()).isEqualTo(LockHolder.LOCKED);
      Files.setLastModifiedTime(live, FileTime.from(start.minus(Duration.ofMinutes(5))));

      assertThat(GraphTextFile.removeStale(dir, start)).isZero();
      assertThat(live).exists();
    } finally {
      writer.destroyForcibly();
      writer.waitFor(30, TimeUnit.SECONDS);
    }
    // Its writer was killed: the lock is gone, the file is a leftover.
    assertThat(GraphTextFile.removeStale(dir, start)).isEqualTo(1);
    assertThat(live).doesNotExist();
  }

  private Path stale(String name, Instant modified) throws Exception {
    Path file = Files.writeString(dir.resolve(name), "node {");
    Files.setLastModifiedTime(file, FileTime.from(modified));
    return file;
  }

  private List<String> names() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static GraphDef graph(String node) {
    return GraphDef.newBuilder().addNode(NodeDef.newBuilder().setName(node).setOp("NoOp")).build();
  }

  /** Child-JVM entry point: locks a file as a writer does, says so, and waits to be killed. */
  public static final class LockHolder {
    static final String LOCKED = "locked";

    private LockHolder() {}

    public static void main(String[] args) throws Exception {
      try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.WRITE);
          FileLock lock = channel.lock()) {
        System.out.println(LOCKED);
        System.out.flush();
        Thread.sleep(TimeUnit.MINUTES.toMillis(2));
      }
    }
  }
}
