package io.estimator4j.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The atomic writes of SavedModel directories: versions never ahead of the clock, what a killed
 * writer left removed (and nothing of a live one), nothing left after a failure, readable
 * permissions, and errors that name the path the caller gave.
 */
class SavedModelWriterTest {
  private static final SavedModelWriter.Contents ONE_FILE =
      dir -> Files.writeString(dir.resolve("saved_model.pb"), "x");

  /** 2023-11-14 22:13:20 UTC. */
  private static final long SECOND = 1_700_000_000L;

  @TempDir Path tmp;

  @Test
  void twoExportsInOneSecondGetTwoVersionsNeitherAheadOfTheClock() throws IOException {
    Path base = tmp.resolve("export");
    Path first = SavedModelWriter.exportAtomically(base, ONE_FILE);
    Path second = SavedModelWriter.exportAtomically(base, ONE_FILE);
    long now = System.currentTimeMillis() / 1000;
    assertThat(first.getParent()).isEqualTo(base);
    assertThat(version(second)).isGreaterThan(version(first)).isLessThanOrEqualTo(now);
    assertThat(second.resolve("saved_model.pb")).hasContent("x");
    assertThat(list(base)).containsExactlyInAnyOrder(first, second); // no temp-* left
  }

  @Test
  void aTakenVersionWaitsForTheNextSecond() throws IOException {
    Path base =
        Files.createDirectories(tmp.resolve("export").resolve(Long.toString(SECOND))).getParent();
    long[] clock = {SECOND * 1000 + 400};
    List<Long> sleeps = new ArrayList<>();
    Path out =
        SavedModelWriter.exportAtomically(
            base,
            ONE_FILE,
            () -> clock[0],
            ms -> {
              sleeps.add(ms);
              clock[0] += ms;
            });
    // SECOND was taken at SECOND + 0.4 s: sleep 600 ms to SECOND + 1, which is free
    assertThat(sleeps).containsExactly(600L);
    assertThat(out).isEqualTo(base.resolve(Long.toString(SECOND + 1)));
  }

  @Test
  void aClockThatNeverPassesATakenVersionFailsClearly() throws IOException {
    // e.g. a version dated in the future by an older writer: the clock stays on it
    Path taken = Files.createDirectories(tmp.resolve("export").resolve(Long.toString(SECOND)));
    Path base = taken.getParent();
    List<Long> sleeps = new ArrayList<>();
    assertThatThrownBy(
            () ->
                SavedModelWriter.exportAtomically(base, ONE_FILE, () -> SECOND * 1000, sleeps::add))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining(taken.toString())
        .hasMessageContaining("no free export version came up in 10 attempts")
        .hasMessageContaining("never ahead of the clock")
        .hasMessageContaining("Fix: remove versions dated in the future");
    // ten looks at the clock, nine pauses of one second between them
    assertThat(sleeps).hasSize(9).containsOnly(1000L);
    assertThat(list(base)).containsExactly(taken);
  }

  @Test
  void whatAKilledExportLeftIsRemovedButNotWhatALiveWriterHas() throws Exception {
    Path base = Files.createDirectories(tmp.resolve("export"));
    long dead = pidOfAFinishedProcess();
    long live = ProcessHandle.current().pid();
    Path killed = olderThanThisJvm(base.resolve("temp-" + SECOND + "-" + dead + "-0badf00d"));
    Path killedSibling = olderThanThisJvm(base.resolve(".2.tmp-" + dead + "-0badf00d"));
    Path liveWriter = olderThanThisJvm(base.resolve("temp-" + SECOND + "-" + live + "-0badf00d"));
    Path sinceThisJvm =
        Files.createDirectories(base.resolve("temp-" + SECOND + "-" + dead + "-1badf00d"));
    Path notOurs = olderThanThisJvm(base.resolve("temp-notes"));

    Path out = SavedModelWriter.exportAtomically(base, ONE_FILE);

    assertThat(list(base))
        .containsExactlyInAnyOrder(out, liveWriter, sinceThisJvm, notOurs)
        .doesNotContain(killed, killedSibling);
  }

  @Test
  void whatAKilledConversionLeftBesideTheTargetIsRemoved() throws Exception {
    Path parent = Files.createDirectories(tmp.resolve("models/m"));
    long dead = pidOfAFinishedProcess();
    Path killed = olderThanThisJvm(parent.resolve(".1.tmp-" + dead + "-0badf00d"));
    Path live =
        olderThanThisJvm(parent.resolve(".1.tmp-" + ProcessHandle.current().pid() + "-0badf00d"));
    Path userFile = olderThanThisJvm(parent.resolve(".config.tmp-old"));

    Path out = SavedModelWriter.writeAtomically(parent.resolve("2"), ONE_FILE);

    assertThat(out).isEqualTo(parent.resolve("2"));
    assertThat(list(parent)).containsExactlyInAnyOrder(out, live, userFile).doesNotContain(killed);
  }

  @Test
  void writesIntoANewOrEmptyDirectoryAndRefusesAnyOther() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("m/1"));
    assertThat(SavedModelWriter.writeAtomically(empty, ONE_FILE)).isEqualTo(empty);
    assertThat(empty.resolve("saved_model.pb")).hasContent("x");
    assertThatThrownBy(() -> SavedModelWriter.writeAtomically(empty, ONE_FILE))
        .isInstanceOf(FileAlreadyExistsException.class)
        .hasMessageContaining(empty + ": exists and is not empty")
        .hasMessageContaining("Fix: remove it or choose another directory");
    assertThat(list(empty.getParent())).containsExactly(empty);
  }

  @Test
  void aFailedWriteLeavesNothingBehind() throws IOException {
    SavedModelWriter.Contents failing =
        dir -> {
          Files.writeString(dir.resolve("half"), "written");
          throw new IllegalStateException("the model could not be saved");
        };
    Path base = tmp.resolve("export");
    assertThatThrownBy(() -> SavedModelWriter.exportAtomically(base, failing))
        .hasMessage("the model could not be saved");
    assertThat(base).isEmptyDirectory();
    Path out = tmp.resolve("models/m/1");
    assertThatThrownBy(() -> SavedModelWriter.writeAtomically(out, failing))
        .hasMessage("the model could not be saved");
    assertThat(out.getParent()).isEmptyDirectory();
  }

  @Test
  void theSavedModelIsReadableLikeAnyNewDirectory() throws IOException {
    // not the owner-only permissions of a temporary directory: TF Serving may run as another user
    var plain = Files.getPosixFilePermissions(Files.createDirectory(tmp.resolve("plain")));
    assertThat(
            Files.getPosixFilePermissions(
                SavedModelWriter.exportAtomically(tmp.resolve("export"), ONE_FILE)))
        .isEqualTo(plain);
    assertThat(
            Files.getPosixFilePermissions(
                SavedModelWriter.writeAtomically(tmp.resolve("m/1"), ONE_FILE)))
        .isEqualTo(plain);
  }

  @Test
  void aPathUnderAFileIsNamedAsGivenWithTheFix() throws IOException {
    // root may write anywhere, but not under a regular file
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    Path base = file.resolve("export");
    assertThatThrownBy(() -> SavedModelWriter.exportAtomically(base, ONE_FILE))
        .isInstanceOf(FileSystemException.class)
        .hasMessageStartingWith(base + ": cannot be written: " + file + " is a file")
        .hasMessageContaining("Fix: pass an export directory base that is, or can be created as,")
        .hasMessageNotContaining("temp-");
    Path out = file.resolve("models/m/1");
    assertThatThrownBy(() -> SavedModelWriter.writeAtomically(out, ONE_FILE))
        .isInstanceOf(FileSystemException.class)
        .hasMessageStartingWith(out + ": cannot be written: " + file + " is a file")
        .hasMessageContaining("Fix: choose an output directory whose parent is")
        .hasMessageNotContaining(".tmp-");
    assertThatThrownBy(() -> SavedModelWriter.exportAtomically(file, ONE_FILE))
        .isInstanceOf(FileSystemException.class)
        .hasMessageStartingWith(file + ": is a file")
        .hasMessageContaining("Fix: pass a directory");
    assertThat(list(tmp)).containsExactly(file);
  }

  @Test
  void aTemporaryDirectoryThatCannotBeCreatedIsNotNamed() throws IOException {
    // the target's own name fits (250 bytes), its temporary sibling's does not (over 255)
    Path out = tmp.resolve("m".repeat(250));
    assertThatThrownBy(() -> SavedModelWriter.writeAtomically(out, ONE_FILE))
        .isInstanceOf(FileSystemException.class)
        .hasMessageStartingWith(out + ": cannot be written (")
        .hasMessageContaining("Fix: choose an output directory")
        .hasMessageNotContaining(".tmp-");
    assertThat(tmp).isEmptyDirectory();
  }

  private static long version(Path export) {
    return Long.parseLong(export.getFileName().toString());
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }

  /** A directory holding a file, last modified a minute before this JVM started. */
  private static Path olderThanThisJvm(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("variables.index"), "partial");
    long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
    Files.setLastModifiedTime(dir, FileTime.fromMillis(jvmStart - 60_000));
    return dir;
  }

  /** The id of a process that has exited: a writer killed before it could clean up. */
  private static long pidOfAFinishedProcess() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    assertThat(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive))
        .isNotEqualTo(java.util.Optional.of(true));
    return p.pid();
  }
}
