package io.estimator4j.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.summary.EventFileReader;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The board in a real browser: Debian's Chromium, headless, driven through chromedriver, on the
 * board of a real short training run. Skipped (with the reason) only when no chromium or
 * chromedriver binary exists; {@code .ci/run} installs both. Saves {@code
 * board/target/board-screenshot.png}.
 */
@Tag("slow")
class BoardBrowserTest {

  /** Where the screenshot goes (the module's target/, a test artifact). */
  static final Path SCREENSHOT = Path.of("target", "board-screenshot.png");

  @TempDir Path tmp;

  /** The first of {@code names} found as an executable on the PATH, or {@code env}'s value. */
  static Optional<Path> executable(String env, String... names) {
    String configured = System.getenv(env);
    if (configured != null && Files.isExecutable(Path.of(configured))) {
      return Optional.of(Path.of(configured));
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      for (String name : names) {
        Path p = Path.of(dir.isEmpty() ? "." : dir, name);
        if (Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> plotted(JavascriptExecutor js, String tag) {
    return (Map<String, Object>)
        js.executeScript("return window.e4jBoard.plotted(arguments[0])", tag);
  }

  /** The (x, y) pairs of the plotted series with that label, where y is drawn. */
  @SuppressWarnings("unchecked")
  static Map<Long, Double> series(Map<String, Object> plotted, String label) {
    List<Object> x = (List<Object>) plotted.get("x");
    for (Map<String, Object> s : (List<Map<String, Object>>) plotted.get("series")) {
      if (label.equals(s.get("label"))) {
        List<Object> y = (List<Object>) s.get("y");
        Map<Long, Double> out = new TreeMap<>();
        for (int i = 0; i < x.size(); i++) {
          if (y.get(i) != null) {
            out.put(((Number) x.get(i)).longValue(), ((Number) y.get(i)).doubleValue());
          }
        }
        return out;
      }
    }
    throw new AssertionError("No series '" + label + "' in " + plotted.get("series"));
  }

  /** The x values of the plotted series with that label, where its y is drawn. */
  @SuppressWarnings("unchecked")
  static List<Double> xs(Map<String, Object> plotted, String label) {
    List<Object> x = (List<Object>) plotted.get("x");
    for (Map<String, Object> s : (List<Map<String, Object>>) plotted.get("series")) {
      if (label.equals(s.get("label"))) {
        List<Object> y = (List<Object>) s.get("y");
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < x.size(); i++) {
          if (y.get(i) != null) {
            out.add(((Number) x.get(i)).doubleValue());
          }
        }
        return out;
      }
    }
    throw new AssertionError("No series '" + label + "' in " + plotted.get("series"));
  }

  /**
   * TensorBoard's smoothing written out: last = last * w + (1 - w) * v; smoothed = last / (1 -
   * w^n), n counting the values so far (all finite here).
   */
  static Map<Long, Double> smoothedByFormula(Map<Long, Double> values, double w) {
    Map<Long, Double> out = new TreeMap<>();
    double last = 0;
    int n = 0;
    for (Map.Entry<Long, Double> e : values.entrySet()) {
      last = last * w + (1 - w) * e.getValue();
      n++;
      out.put(e.getKey(), last / (1 - Math.pow(w, n)));
    }
    return out;
  }

  static void assertClose(Map<Long, Double> got, Map<Long, Double> expected) {
    assertThat(got.keySet()).isEqualTo(expected.keySet());
    expected.forEach(
        (step, v) -> assertThat(got.get(step)).as("step " + step).isCloseTo(v, within(1e-9)));
  }

  @Test
  void thePageShowsARealRunsCurvesSmoothingSidePanelAndNewEvents() throws Exception {
    Optional<Path> chromium =
        executable("E4J_CHROMIUM", "chromium", "chromium-browser", "google-chrome");
    Optional<Path> chromedriver = executable("E4J_CHROMEDRIVER", "chromedriver");
    assumeTrue(
        chromium.isPresent() && chromedriver.isPresent(),
        "No chromium or chromedriver binary on the PATH (found chromium: "
            + chromium.orElse(null)
            + ", chromedriver: "
            + chromedriver.orElse(null)
            + "). Install them (Debian: apt-get install chromium chromium-driver; .ci/run does)"
            + " or set E4J_CHROMIUM and E4J_CHROMEDRIVER.");

    Path modelDir = tmp.resolve("model");
    TrainedRun.copyTree(TrainedRun.modelDir(), modelDir);
    Map<Long, Double> loss = BoardDataTest.eventValues(modelDir, "loss");

    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(chromedriver.get().toFile())
            .usingAnyFreePort()
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.get().toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1500,1900");
    try (BoardServer server =
        BoardServer.start(new BoardData(modelDir), "127.0.0.1", 0, Duration.ofMillis(500))) {
      WebDriver driver = new ChromeDriver(service, options);
      try {
        JavascriptExecutor js = (JavascriptExecutor) driver;
        WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
        driver.get(server.uri().toString());
        wait.until(
            d -> !d.findElements(By.cssSelector(".scalar-card[data-tag='loss'] canvas")).isEmpty());
        wait.until(d -> d.findElements(By.cssSelector(".dist-card canvas")).size() == 3);

        // The runs and tags listed.
        List<String> runs = new ArrayList<>();
        driver.findElements(By.cssSelector("#runs .run-name")).forEach(e -> runs.add(e.getText()));
        assertThat(runs).containsExactly(".", "eval", "eval_holdout");
        List<String> tags = new ArrayList<>();
        driver
            .findElements(By.cssSelector("#scalars .scalar-card"))
            .forEach(e -> tags.add(e.getAttribute("data-tag")));
        assertThat(tags)
            .contains("loss", "global_step/sec", "accuracy", "auc", "average_loss")
            .isSorted();
        assertThat(driver.findElement(By.id("logdir")).getText()).isEqualTo(modelDir.toString());

        // The raw points the chart plots are the event file's values.
        Map<String, Object> p = plotted(js, "loss");
        assertClose(series(p, ". (raw)"), loss);
        assertClose(
            series(p, "eval (raw)"), BoardDataTest.eventValues(modelDir.resolve("eval"), "loss"));

        // The smoothing slider, driven with the keyboard: End (0.999), then 99 steps of 0.001 down.
        WebElement slider = driver.findElement(By.id("smoothing"));
        assertThat(slider.getAttribute("value")).isEqualTo("0.6");
        assertClose(series(p, "."), smoothedByFormula(loss, 0.6));
        slider.sendKeys(Keys.END);
        slider.sendKeys(Keys.ARROW_LEFT.toString().repeat(99));
        double w = Double.parseDouble(slider.getAttribute("value"));
        assertThat(w).isEqualTo(0.9);
        assertThat(driver.findElement(By.id("smoothing-value")).getText()).isEqualTo("0.900");
        Map<String, Object> smoothed = plotted(js, "loss");
        assertClose(series(smoothed, "."), smoothedByFormula(loss, 0.9));
        assertClose(series(smoothed, ". (raw)"), loss); // the raw series does not move
        slider.sendKeys(Keys.HOME); // 0: no smoothing, the smoothed series is the raw one
        assertClose(series(plotted(js, "loss"), "."), loss);
        slider.sendKeys(Keys.END);
        slider.sendKeys(Keys.ARROW_LEFT.toString().repeat(399)); // back to 0.6
        assertThat(slider.getAttribute("value")).isEqualTo("0.6");

        // Relative and wall time on the x axis: the event files' wall times.
        List<Double> walls = new ArrayList<>();
        for (Path file : EventFileReader.eventFiles(modelDir)) {
          for (org.tensorflow.proto.Event e : EventFileReader.readEvents(file)) {
            if (e.getSummary().getValueList().stream().anyMatch(v -> v.getTag().equals("loss"))) {
              walls.add(e.getWallTime());
            }
          }
        }
        driver.findElement(By.cssSelector("input[name=xaxis][value=relative]")).click();
        List<Double> relative = xs(plotted(js, "loss"), ". (raw)");
        assertThat(relative).hasSize(walls.size());
        for (int i = 0; i < walls.size(); i++) {
          assertThat(relative.get(i)).isCloseTo(walls.get(i) - walls.get(0), within(1e-6));
        }
        driver.findElement(By.cssSelector("input[name=xaxis][value=wall]")).click();
        assertThat(xs(plotted(js, "loss"), ". (raw)")).isEqualTo(walls);
        driver.findElement(By.cssSelector("input[name=xaxis][value=step]")).click();
        assertClose(series(plotted(js, "loss"), ". (raw)"), loss);

        // Log scale: uPlot's logarithmic distribution on the vertical axis, and back.
        driver.findElement(By.id("logscale")).click();
        assertThat(
                ((Number)
                        js.executeScript(
                            "return window.e4jBoard.charts['loss'].uplot.scales.y.distr"))
                    .intValue())
            .isEqualTo(3);
        assertClose(series(plotted(js, "loss"), ". (raw)"), loss); // all losses are > 0
        driver.findElement(By.id("logscale")).click();

        // Downloads: CSV and JSON links for each run of the chart.
        WebElement card = driver.findElement(By.cssSelector(".scalar-card[data-tag='loss']"));
        card.findElement(By.cssSelector(".downloads summary")).click();
        List<String> links = new ArrayList<>();
        card.findElements(By.cssSelector(".downloads a"))
            .forEach(a -> links.add(a.getAttribute("download") + " " + a.getAttribute("href")));
        assertThat(links)
            .contains(
                "run-loss.csv "
                    + server.uri()
                    + "data/plugin/scalars/scalars?run=.&tag=loss&format=csv",
                "eval-loss.json " + server.uri() + "data/plugin/scalars/scalars?run=eval&tag=loss");

        // Hover: the legend shows the values under the cursor.
        WebElement canvas = card.findElement(By.cssSelector(".u-over"));
        new org.openqa.selenium.interactions.Actions(driver).moveToElement(canvas).perform();
        wait.until(
            d ->
                !card.findElement(By.cssSelector(".u-legend .u-series:nth-child(2) .u-value"))
                    .getText()
                    .equals("–"));

        // The side panel of the model_dir: checkpoints, state file, graph, variables, exports.
        driver.findElements(By.cssSelector("#runs .run-name")).get(0).click();
        wait.until(d -> !d.findElements(By.cssSelector("#details table.variables")).isEmpty());
        WebElement details = driver.findElement(By.id("details"));
        assertThat(details.findElement(By.cssSelector("table.checkpoints")).getText())
            .contains("model.ckpt-300 (latest)", "model.ckpt-100");
        assertThat(details.findElement(By.cssSelector("pre.checkpoint-state")).getText())
            .contains("model_checkpoint_path: \"model.ckpt-300\"");
        assertThat(details.findElement(By.cssSelector(".graph-nodes")).getText())
            .matches("\\d+ nodes \\(graph.pbtxt\\)");
        assertThat(details.findElement(By.cssSelector("table.variables")).getText())
            .contains("dnn/hiddenlayer_0/kernel [3, 8] DT_FLOAT 96 B");
        assertThat(details.findElement(By.cssSelector("pre.signatures")).getText())
            .contains("signature_def['serving_default']:", "tensorflow/serving/classify");

        // The tag filter (a regular expression) narrows the charts; the screenshot shows them.
        driver.findElement(By.id("tagfilter")).sendKeys("^loss$|hiddenlayer_0/act");
        wait.until(d -> d.findElements(By.cssSelector("#scalars .scalar-card")).size() == 1);
        assertThat(driver.findElements(By.cssSelector(".dist-card")))
            .singleElement()
            .satisfies(
                e ->
                    assertThat(e.getAttribute("data-tag"))
                        .isEqualTo("dnn/hiddenlayer_0/activation"));

        js.executeScript("window.scrollTo(0, 0)");
        Files.createDirectories(SCREENSHOT.toAbsolutePath().getParent());
        Path shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOT, StandardCopyOption.REPLACE_EXISTING);
        assertThat(Files.size(SCREENSHOT)).isGreaterThan(10_000);

        driver
            .findElement(By.id("tagfilter"))
            .sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE); // as a user empties it
        wait.until(
            d -> d.findElements(By.cssSelector("#scalars .scalar-card")).size() == tags.size());

        // Training goes on while the page is open: the new points appear by themselves.
        TrainedRun.estimator(modelDir).train(TrainedRun.input(null, true), StepLimit.steps(50));
        Map<Long, Double> more = BoardDataTest.eventValues(modelDir, "loss");
        assertThat(more).containsKeys(301L, 341L);
        wait.until(d -> series(plotted(js, "loss"), ". (raw)").containsKey(341L));
        assertClose(series(plotted(js, "loss"), ". (raw)"), more);

        // A damaged event file appears: a message on the page, the rest keeps working.
        Path source;
        try (Stream<Path> files = Stream.of(EventFileReader.eventFiles(modelDir).get(0))) {
          source = files.findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(source);
        bytes[bytes.length / 2] ^= 0x20;
        Path broken = Files.createDirectories(modelDir.resolve("broken"));
        Files.write(broken.resolve(source.getFileName()), bytes);
        wait.until(d -> d.findElement(By.id("messages")).getText().contains("Run broken: Corrupt"));
        assertThat(driver.findElements(By.cssSelector("#runs .run-name"))).hasSize(4);
      } finally {
        driver.quit();
      }
    }
  }
}
