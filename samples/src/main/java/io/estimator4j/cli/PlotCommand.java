package io.estimator4j.cli;

import io.estimator4j.board.BoardData;
import io.estimator4j.board.BoardPlot;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code e4j plot}: the board's scalar charts as a PNG or SVG file, without a browser. */
@Command(
    name = "plot",
    description = {
      "Draw scalar curves of a model_dir to a PNG or SVG file (for CI logs and reports).",
      "One panel per --tag, the runs under --logdir overlaid (model_dir, eval/, ...), smoothed"
          + " as TensorBoard smooths them over the faint raw series; the same data and colours as"
          + " ./e4j board."
    })
final class PlotCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--logdir",
      required = true,
      paramLabel = "DIR",
      description = "A model_dir, or a folder holding several.")
  private Path logDir;

  @Option(
      names = "--tag",
      required = true,
      paramLabel = "TAG",
      description = "A scalar tag to draw (e.g. loss, accuracy, global_step/sec); repeatable.")
  private List<String> tags = new ArrayList<>();

  @Option(
      names = "--run",
      paramLabel = "RUN",
      description = "Only this run (e.g. . or eval); repeatable. Default: every run with the tag.")
  private List<String> runs = new ArrayList<>();

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "The image to write: a .png or .svg file.")
  private Path out;

  @Option(
      names = "--smoothing",
      paramLabel = "W",
      defaultValue = "0.6",
      description = "TensorBoard's smoothing weight, 0 to 1 (default: ${DEFAULT-VALUE}).")
  private double smoothing;

  @Option(
      names = "--x",
      paramLabel = "AXIS",
      defaultValue = "step",
      description = "Horizontal axis: step, relative (hours) or wall (default: ${DEFAULT-VALUE}).")
  private String xAxis;

  @Option(names = "--log", description = "A logarithmic vertical axis.")
  private boolean logScale;

  @Option(
      names = "--width",
      paramLabel = "PX",
      defaultValue = "900",
      description = "Image width in pixels (default: ${DEFAULT-VALUE}).")
  private int width;

  @Option(
      names = "--height",
      paramLabel = "PX",
      defaultValue = "300",
      description = "Height of each tag's panel in pixels (default: ${DEFAULT-VALUE}).")
  private int height;

  @Option(
      names = "--samples",
      paramLabel = "N",
      defaultValue = "" + BoardData.DEFAULT_MAX_SCALARS,
      description =
          "Points per run and tag, reservoir-sampled as TensorBoard does (default:"
              + " ${DEFAULT-VALUE}; 0 keeps all).")
  private int samples;

  @Override
  public Integer call() throws IOException {
    BoardPlot.XAxis axis =
        switch (xAxis) {
          case "step" -> BoardPlot.XAxis.STEP;
          case "relative" -> BoardPlot.XAxis.RELATIVE;
          case "wall" -> BoardPlot.XAxis.WALL;
          default ->
              throw new IllegalArgumentException(
                  "--x must be step, relative or wall; got '" + xAxis + "'.");
        };
    if (!Files.isDirectory(logDir)) {
      throw new IllegalArgumentException(
          (Files.exists(logDir) ? logDir + " is a file" : "No directory " + logDir)
              + ": --logdir must be a model_dir (a folder holding events.out.tfevents.* files)"
              + " or a folder above it.");
    }
    if (samples < 0) {
      throw new IllegalArgumentException("--samples must be >= 0 (0 keeps all), got " + samples);
    }
    BoardPlot.Options options =
        new BoardPlot.Options(tags, runs, smoothing, axis, logScale, width, height);
    BoardData data = new BoardData(logDir, samples, 1);
    data.reload();
    PrintWriter err = spec.commandLine().getErr();
    data.messages().forEach(m -> err.println("plot: " + m));
    err.flush();
    // Draw off screen even where DISPLAY names an X server.
    System.setProperty("java.awt.headless", "true");
    BoardPlot.Result result = BoardPlot.write(data, options, out);
    List<String> panels = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : result.runsPerTag().entrySet()) {
      panels.add(e.getKey() + " (runs " + String.join(", ", e.getValue()) + ")");
    }
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.println(
        "Wrote "
            + out
            + ": "
            + String.join("; ", panels)
            + "; "
            + result.points()
            + " points, smoothing "
            + smoothing
            + ".");
    stdout.flush();
    return 0;
  }
}
