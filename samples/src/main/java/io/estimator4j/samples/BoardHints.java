package io.estimator4j.samples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the samples print about their event files: the {@code ./e4j board} command to watch training
 * in a browser, and at the end where the event files are and the {@code ./e4j plot} command that
 * draws them.
 */
public final class BoardHints {

  private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_./:@%+=,-]+");

  private BoardHints() {}

  /** "Watch training in a browser: ./e4j board --logdir DIR". */
  public static String watch(Path modelDir) {
    return "Watch training in a browser: ./e4j board --logdir " + shell(modelDir);
  }

  /**
   * "Event files: DIR (training), DIR/eval (evaluation). Charts: ./e4j plot --logdir DIR --tag loss
   * --tag accuracy --out curves.png" for the folders of {@code modelDir} holding event files.
   */
  public static String eventFiles(Path modelDir) {
    List<String> where = new ArrayList<>();
    try (Stream<Path> files = Files.walk(modelDir, 2)) {
      files
          .filter(f -> f.getFileName().toString().contains("tfevents"))
          .map(Path::getParent)
          .distinct()
          .sorted()
          .forEach(
              d ->
                  where.add(
                      d
                          + (d.equals(modelDir)
                              ? " (training)"
                              : d.getFileName().toString().startsWith("eval")
                                  ? " (evaluation)"
                                  : "")));
    } catch (IOException e) {
      where.add(modelDir + " (unreadable: " + e.getMessage() + ")");
    }
    return "Event files: "
        + (where.isEmpty() ? "none under " + modelDir : String.join(", ", where))
        + ". Charts: ./e4j plot --logdir "
        + shell(modelDir)
        + " --tag loss --tag accuracy --out curves.png";
  }

  private static String shell(Path p) {
    String s = p.toString();
    return SHELL_SAFE.matcher(s).matches() ? s : "'" + s.replace("'", "'\\''") + "'";
  }
}
