package io.estimator4j.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * The malformed-input corpus the modules' tests walk: each case writes a file (or takes one from
 * testdata), reads it the way users do, and must end in the exact exception kind with a message
 * that says what is wrong, or in the correct result; never in an {@link Error} (a crash), a hang
 * (the tests run each case under a timeout) or a silent acceptance.
 */
public final class Corpus {

  /** Fragments no message may hold: the confusing texts issue 10 names. */
  private static final List<String> CONFUSING =
      List.of("(null)", "long overflow", "NullPointerException", "out of bounds");

  private Corpus() {}

  /** What a case does in its own folder: writes its input and reads it; returns the result. */
  @FunctionalInterface
  public interface Action {
    Object run(Path dir) throws Exception;
  }

  /**
   * One case.
   *
   * @param format the input format, e.g. {@code npy}
   * @param name what is wrong with the input
   * @param action writes and reads the input
   * @param error the exact exception class expected, or null when the input is good
   * @param fragments what the message must contain
   * @param check checks the result of a good input
   */
  public record Case(
      String format,
      String name,
      Action action,
      Class<? extends Throwable> error,
      List<String> fragments,
      Consumer<Object> check) {
    @Override
    public String toString() {
      return format + ": " + name;
    }
  }

  /** A case that must fail with exactly {@code error}, its message holding {@code fragments}. */
  public static Case fails(
      String format,
      String name,
      Class<? extends Throwable> error,
      Action action,
      String... fragments) {
    return new Case(format, name, action, error, List.of(fragments), r -> {});
  }

  /** A case whose input is good: {@code check} gets the result. */
  public static Case succeeds(String format, String name, Action action, Consumer<Object> check) {
    return new Case(format, name, action, null, List.of(), check);
  }

  /** Runs a case in {@code dir}; fails the test unless it ends as the case says. */
  public static void run(Case c, Path dir) throws Exception {
    Object result = null;
    Throwable thrown = null;
    try {
      result = c.action().run(dir);
    } catch (Throwable t) {
      thrown = t;
    }
    try {
      if (thrown instanceof Error e) {
        fail(c + " crashed with " + e, e);
      }
      if (c.error() == null) {
        if (thrown != null) {
          fail(c + " should succeed, but failed with " + thrown, thrown);
        }
        c.check().accept(result);
        return;
      }
      if (thrown == null) {
        fail(
            c + " should fail with " + c.error().getSimpleName() + ", but was accepted: " + result);
      }
      assertThat(thrown).as(c.toString()).isExactlyInstanceOf(c.error());
      String message = thrown.getMessage();
      assertThat(message).as(c + ": message").isNotBlank();
      for (String f : c.fragments()) {
        assertThat(message).as(c + ": message").contains(f);
      }
      for (String confusing : CONFUSING) {
        assertThat(message).as(c + ": message").doesNotContain(confusing);
      }
    } finally {
      if (result instanceof AutoCloseable a) {
        a.close();
      }
    }
  }

  /** Writes {@code bytes} to {@code dir/name} and returns the file. */
  public static Path write(Path dir, String name, byte[] bytes) throws IOException {
    Path f = dir.resolve(name);
    Files.createDirectories(f.getParent());
    Files.write(f, bytes);
    return f;
  }

  /** Runs {@code action} with the system property {@code key} set to {@code value}. */
  public static Object withProperty(String key, String value, Action action, Path dir)
      throws Exception {
    String old = System.getProperty(key);
    System.setProperty(key, value);
    try {
      return action.run(dir);
    } finally {
      if (old == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, old);
      }
    }
  }

  /** Copies a folder tree (a SavedModel, a case) into {@code target}. */
  public static Path copyTree(Path source, Path target) throws IOException {
    try (var paths = Files.walk(source)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path t = target.resolve(source.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(t);
        } else {
          Files.copy(p, t);
        }
      }
    }
    return target;
  }
}
