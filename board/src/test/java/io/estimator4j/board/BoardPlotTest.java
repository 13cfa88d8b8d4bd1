package io.estimator4j.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** e4j plot's charts from a real training run's event files, as PNG and SVG. */
class BoardPlotTest {

  @TempDir Path tmp;

  private static BoardData data;

  @BeforeAll
  static void read() {
    System.setProperty("java.awt.headless", "true");
    data = new BoardData(TrainedRun.modelDir());
    data.reload();
  }

  static BoardPlot.Options options(List<String> tags) {
    return new BoardPlot.Options(tags, List.of(), 0.6, BoardPlot.XAxis.STEP, false, 900, 300);
  }

  @Test
  void pngWithOnePanelPerTagAndTheRunsThatHaveIt() throws Exception {
    Path out = tmp.resolve("charts/curves.png");
    BoardPlot.Result r = BoardPlot.write(data, options(List.of("loss", "accuracy")), out);
    assertThat(r.runsPerTag())
        .isEqualTo(
            Map.of(
                "loss",
                List.of(".", "eval", "eval_holdout"),
                "accuracy",
                List.of("eval", "eval_holdout")));
    // 30 training points + 2 + 1 evaluations of loss; 2 + 1 of accuracy
    assertThat(r.points()).isEqualTo(30 + 2 + 1 + 2 + 1);
    BufferedImage image = ImageIO.read(out.toFile());
    assertThat(image.getWidth()).isEqualTo(900);
    assertThat(image.getHeight()).isEqualTo(2 * 300 + 90);
    // the "." run's colour (TensorBoard's first, #ff7043) is drawn somewhere
    boolean orange = false;
    for (int y = 0; y < image.getHeight() && !orange; y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) == 0xff7043) {
          orange = true;
          break;
        }
      }
    }
    assertThat(orange).isTrue();
    Files.copy(
        out,
        Path.of("target", "plot-loss-accuracy.png"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void svgNamesTheTagsAndRuns() throws Exception {
    Path out = tmp.resolve("curves.svg");
    BoardPlot.Options o =
        new BoardPlot.Options(
            List.of("loss", "global_step/sec"),
            List.of("."),
            0.9,
            BoardPlot.XAxis.RELATIVE,
            true,
            800,
            250);
    BoardPlot.Result r = BoardPlot.write(data, o, out);
    assertThat(r.runsPerTag())
        .isEqualTo(Map.of("loss", List.of("."), "global_step/sec", List.of(".")));
    String svg = Files.readString(out, StandardCharsets.UTF_8);
    Files.writeString(Path.of("target", "plot-relative-log.svg"), svg, StandardCharsets.UTF_8);
    BoardPlot.write(data, o, Path.of("target", "plot-relative-log.png"));
    assertThat(svg)
        .startsWith("<?xml")
        .contains("<svg")
        .contains(">loss<")
        .contains(">global_step/sec<");
    // a run of a few seconds: relative time in seconds
    assertThat(svg).contains(">relative time (seconds)<");
  }

  @Test
  void badRequestsSayWhatThereIs() {
    assertThatThrownBy(() -> BoardPlot.write(data, options(List.of("los")), tmp.resolve("x.png")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("No scalar tag 'los' in any run under " + data.logDir())
        .hasMessageContaining("Scalar tags: [accuracy, accuracy_baseline, auc,");
    assertThatThrownBy(() -> BoardPlot.write(data, options(List.of("loss")), tmp.resolve("x.jpg")))
        .hasMessage(
            "--out must name a .png or .svg file, e.g. --out curves.png; got '"
                + tmp.resolve("x.jpg")
                + "'.");
    assertThatThrownBy(
            () ->
                BoardPlot.write(
                    data,
                    new BoardPlot.Options(
                        List.of("loss"),
                        List.of("train"),
                        0.6,
                        BoardPlot.XAxis.STEP,
                        false,
                        900,
                        300),
                    tmp.resolve("x.png")))
        .hasMessageContaining("No run 'train'")
        .hasMessageContaining("Runs: [., eval, eval_holdout].");
    assertThatThrownBy(
            () ->
                new BoardPlot.Options(
                    List.of("loss"), List.of(), 1.5, BoardPlot.XAxis.STEP, false, 900, 300))
        .hasMessage("--smoothing must be between 0 (none) and 1; got 1.5.");
    assertThatThrownBy(
            () ->
                new BoardPlot.Options(
                    List.of(), List.of(), 0.6, BoardPlot.XAxis.STEP, false, 900, 300))
        .hasMessageContaining("--tag");
    BoardData empty = new BoardData(tmp.resolve("none"));
    empty.reload();
    assertThatThrownBy(() -> BoardPlot.write(empty, options(List.of("loss")), tmp.resolve("x.png")))
        .hasMessageContaining("does not exist (yet)");
  }
}
