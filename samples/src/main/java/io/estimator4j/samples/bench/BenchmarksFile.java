package io.estimator4j.samples.bench;

import io.estimator4j.checkpoint.CheckpointFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The generated sections of BENCHMARKS.md: each benchmark's output between {@code <!-- e4j bench
 * all: NAME begin -->} and {@code <!-- ... end -->} markers, with the machine, the load at the
 * start, the command and the date. A section is replaced in place when its markers exist, else
 * appended; the file is rewritten atomically, so an interrupted run leaves the previous version.
 */
public final class BenchmarksFile {
  private BenchmarksFile() {}

  static String begin(String name) {
    return "<!-- e4j bench all: " + name + " begin -->";
  }

  static String end(String name) {
    return "<!-- e4j bench all: " + name + " end -->";
  }

  /**
   * Machine, load, command and date lines for a section measured from {@code start}, as Markdown.
   *
   * @param command the command, as Markdown (code spans included)
   */
  public static String header(String command, Instant start, String loadAtStart) {
    return "- Machine: "
        + Machine.hardware()
        + "\n- Load at the start: "
        + loadAtStart
        + "\n- Command: "
        + command
        + "\n- Date: "
        + start.truncatedTo(ChronoUnit.SECONDS)
        + "\n";
  }

  /** {@code text} with the section {@code name} set to {@code body} (replaced or appended). */
  static String withSection(String text, String name, String body) {
    String section = begin(name) + "\n" + body.strip() + "\n" + end(name);
    int b = text.indexOf(begin(name));
    int e = text.indexOf(end(name));
    if (b >= 0 && e > b) {
      return text.substring(0, b) + section + text.substring(e + end(name).length());
    }
    String sep = text.endsWith("\n") ? "\n" : "\n\n";
    return text + sep + section + "\n";
  }

  /** Sets the section {@code name} of {@code file} to {@code body}, atomically. */
  public static void write(Path file, String name, String body) {
    try {
      String text = Files.exists(file) ? Files.readString(file) : "# Benchmarks\n";
      CheckpointFiles.writeAtomically(file, withSection(text, name, body));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the benchmark results to " + file, e);
    }
  }
}
