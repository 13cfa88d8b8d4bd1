package io.estimator4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Help;

/** e4j board and e4j plot on the model_dir of a real (short) `e4j sample iris` run. */
class BoardCommandTest {

  @TempDir static Path dir;
  private static Path modelDir;
  private static String sampleOutput;

  private StringWriter out = new StringWriter();
  private StringWriter err = new StringWriter();

  private int execute(String... args) {
    CommandLine cli = E4j.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setColorScheme(Help.defaultColorScheme(Help.Ansi.OFF));
    return cli.execute(args);
  }

  @BeforeAll
  static void train() throws Exception {
    modelDir = dir.resolve("iris");
    var bytes = new java.io.ByteArrayOutputStream();
    var previous = System.out;
    try (var capture = new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      System.setOut(capture);
      BoardCommandTest t = new BoardCommandTest();
      assertThat(t.execute("sample", "iris", "--steps", "200", "--model-dir", modelDir.toString()))
          .isZero();
    } finally {
      System.setOut(previous);
    }
    sampleOutput = bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void theSamplePrintsWhereItsEventFilesAreAndTheCommandsToSeeThem() {
    assertThat(sampleOutput)
        .contains("Watch training in a browser: ./e4j board --logdir " + modelDir + "\n")
        .contains(
            "Event files: "
                + modelDir
                + " (training), "
                + modelDir.resolve("eval")
                + " (evaluation). Charts: ./e4j plot --logdir "
                + modelDir
                + " --tag loss --tag accuracy --out curves.png\n");
    String[] lines = sampleOutput.strip().split("\n");
    assertThat(lines[lines.length - 1]).startsWith("{\"average_loss\":"); // JSON stays last
  }

  @Test
  void plotWritesThePngAndSvgTheSampleSuggests() throws Exception {
    Path png = dir.resolve("curves.png");
    assertThat(
            execute(
                "plot",
                "--logdir",
                modelDir.toString(),
                "--tag",
                "loss",
                "--tag",
                "accuracy",
                "--out",
                png.toString()))
        .as(err.toString())
        .isZero();
    assertThat(out.toString())
        .startsWith("Wrote " + png + ": loss (runs ., eval); accuracy (runs eval); ")
        .contains("smoothing 0.6.");
    BufferedImage image = ImageIO.read(png.toFile());
    assertThat(image.getWidth()).isEqualTo(900);
    assertThat(image.getHeight()).isEqualTo(2 * 300 + 90);

    Path svg = dir.resolve("svg/loss.svg");
    assertThat(
            execute(
                "plot",
                "--logdir",
                modelDir.toString(),
                "--tag",
                "loss",
                "--run",
                ".",
                "--smoothing",
                "0",
                "--x",
                "wall",
                "--out",
                svg.toString()))
        .isZero();
    assertThat(Files.readString(svg)).contains("<svg").contains(">loss<").contains(">wall time<");
  }

  @Test
  void plotErrorsAreOneLine() {
    assertThat(execute("plot", "--logdir", modelDir.toString(), "--tag", "los", "--out", "x.png"))
        .isEqualTo(1);
    assertThat(err.toString())
        .startsWith("e4j plot: No scalar tag 'los' in any run under " + modelDir)
        .contains("Scalar tags: [accuracy, average_loss, ");
    assertThat(err.toString().lines()).hasSize(1);
    err = new StringWriter();
    Path missing = dir.resolve("nothing-here");
    assertThat(execute("plot", "--logdir", missing.toString(), "--tag", "loss", "--out", "x.png"))
        .isEqualTo(1);
    assertThat(err.toString())
        .isEqualTo(
            "e4j plot: No directory "
                + missing
                + ": --logdir must be a model_dir (a folder holding events.out.tfevents.* files)"
                + " or a folder above it.\n");
    err = new StringWriter();
    assertThat(execute("plot", "--logdir", modelDir.toString(), "--tag", "loss", "--out", "x.jpeg"))
        .isEqualTo(1);
    assertThat(err.toString()).contains("--out must name a .png or .svg file");
    assertThat(execute("plot", "--logdir", modelDir.toString(), "--out", "x.png")).isEqualTo(2);
  }

  @Test
  void boardOnAPortInUseSaysSo() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThat(execute("board", "--logdir", modelDir.toString(), "--port", String.valueOf(port)))
          .isEqualTo(1);
      assertThat(err.toString())
          .isEqualTo(
              "e4j board: Port "
                  + port
                  + " on 127.0.0.1 is in use (another board or TensorBoard?). Stop it, or choose"
                  + " another port with --port (--port 0 picks a free one).\n");
    }
    err = new StringWriter();
    assertThat(execute("board", "--logdir", modelDir.toString(), "--reload-interval", "0"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("--reload-interval must be between 0 and 86400 s");
  }

  @Test
  void boardServesTheRunsUntilStopped() throws Exception {
    AtomicInteger exit = new AtomicInteger(-1);
    Thread board =
        new Thread(
            () -> exit.set(execute("board", "--logdir", modelDir.toString(), "--port", "0")),
            "board-command");
    board.start();
    Pattern url = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/)");
    Matcher m = url.matcher("");
    for (int i = 0; i < 300 && !m.find(); i++) {
      Thread.sleep(100);
      m = url.matcher(out.toString());
    }
    assertThat(out.toString())
        .startsWith("Board of " + modelDir + " (2 run(s)) at http://127.0.0.1:");
    HttpClient http = HttpClient.newHttpClient();
    String runs =
        http.send(
                HttpRequest.newBuilder(URI.create(m.group(1) + "data/runs")).build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    assertThat(new ObjectMapper().readTree(runs).toString()).isEqualTo("[\".\",\"eval\"]");
    board.interrupt(); // what Ctrl+C's shutdown hook amounts to: the server closes
    board.join(10_000);
    assertThat(board.isAlive()).isFalse();
  }
}
