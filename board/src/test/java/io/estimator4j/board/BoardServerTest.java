package io.estimator4j.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.savedmodel.SavedModelShow;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The board's HTTP API, served by a real server on a free loopback port, over real event files. */
class BoardServerTest {

  private static BoardServer server;
  private static HttpClient http;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeAll
  static void start() throws IOException {
    server =
        BoardServer.start(
            new BoardData(TrainedRun.modelDir()), "127.0.0.1", 0, Duration.ofSeconds(1));
    http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(
        HttpRequest.newBuilder(server.uri().resolve(pathAndQuery)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode json(String pathAndQuery) throws Exception {
    HttpResponse<String> r = get(pathAndQuery);
    assertThat(r.statusCode()).as(pathAndQuery + ": " + r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    return JSON.readTree(r.body());
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void bindsToLoopbackOnTheFreePortItWasGiven() {
    assertThat(server.uri().getHost()).isEqualTo("127.0.0.1");
    assertThat(server.uri().getPort()).isPositive();
    assertThat(BoardServer.DEFAULT_HOST).isEqualTo("127.0.0.1");
  }

  @Test
  void runsAndTagsInTensorBoardsShape() throws Exception {
    assertThat(json("/data/runs").toString()).isEqualTo("[\".\",\"eval\",\"eval_holdout\"]");
    assertThat(json("/data/logdir").get("logdir").asText())
        .isEqualTo(TrainedRun.modelDir().toAbsolutePath().normalize().toString());
    JsonNode tags = json("/data/plugin/scalars/tags");
    assertThat(tags.fieldNames()).toIterable().containsExactly(".", "eval", "eval_holdout");
    assertThat(tags.get(".").fieldNames()).toIterable().contains("loss", "global_step/sec");
    assertThat(tags.get(".").get("loss").get("displayName").isTextual()).isTrue();
    assertThat(tags.get(".").get("loss").get("description").isTextual()).isTrue();
    assertThat(tags.get("eval").fieldNames()).toIterable().contains("accuracy", "auc");
    JsonNode histograms = json("/data/plugin/distributions/tags");
    assertThat(histograms.get(".").fieldNames())
        .toIterable()
        .containsExactly(
            "dnn/hiddenlayer_0/activation",
            "dnn/hiddenlayer_1/activation",
            "dnn/logits/activation");
    assertThat(histograms.get("eval").size()).isZero();
  }

  @Test
  void scalarsAreWallTimeStepValueTriplesEqualToTheEventFiles() throws Exception {
    Map<Long, Double> expected = BoardDataTest.eventValues(TrainedRun.modelDir(), "loss");
    JsonNode rows = json("/data/plugin/scalars/scalars?run=.&tag=loss");
    Map<Long, Double> got = new TreeMap<>();
    for (JsonNode row : rows) {
      assertThat(row.size()).isEqualTo(3);
      assertThat(row.get(0).asDouble()).isGreaterThan(1.5e9); // seconds since the epoch
      got.put(row.get(1).asLong(), row.get(2).asDouble());
    }
    assertThat(got).isEqualTo(expected);
    JsonNode eval = json("/data/plugin/scalars/scalars?run=eval&tag=accuracy");
    assertThat(eval.size()).isEqualTo(2);
    assertThat(eval.get(1).get(1).asLong()).isEqualTo(300);
    assertThat(json("/data/plugin/scalars/scalars?run=.&tag=" + q("global_step/sec")).size())
        .isEqualTo(4);
  }

  @Test
  void csvDownloadHasTensorBoardsHeaderAndTheSameRows() throws Exception {
    HttpResponse<String> csv = get("/data/plugin/scalars/scalars?run=.&tag=loss&format=csv");
    assertThat(csv.statusCode()).isEqualTo(200);
    assertThat(csv.headers().firstValue("Content-Type")).hasValue("text/csv;charset=utf-8");
    List<String> lines = csv.body().lines().toList();
    assertThat(lines.get(0)).isEqualTo("Wall time,Step,Value");
    JsonNode rows = json("/data/plugin/scalars/scalars?run=.&tag=loss");
    assertThat(lines).hasSize(rows.size() + 1);
    for (int i = 0; i < rows.size(); i++) {
      String[] cells = lines.get(i + 1).split(",");
      assertThat(Double.parseDouble(cells[0])).isEqualTo(rows.get(i).get(0).asDouble());
      assertThat(Long.parseLong(cells[1])).isEqualTo(rows.get(i).get(1).asLong());
      assertThat(Double.parseDouble(cells[2])).isEqualTo(rows.get(i).get(2).asDouble());
    }
  }

  @Test
  void distributionsAreBasisPointValuePairsPerStep() throws Exception {
    JsonNode rows =
        json("/data/plugin/distributions/distributions?run=.&tag=dnn/hiddenlayer_1/activation");
    assertThat(rows.size()).isEqualTo(30);
    JsonNode first = rows.get(0);
    assertThat(first.get(1).asLong()).isEqualTo(1);
    List<Integer> bps = new ArrayList<>();
    first.get(2).forEach(pair -> bps.add(pair.get(0).asInt()));
    assertThat(bps).isEqualTo(HistogramCompression.NORMAL_HISTOGRAM_BPS);
  }

  @Test
  void runDetailsListCheckpointsGraphVariablesAndExports() throws Exception {
    Path dir = TrainedRun.modelDir();
    JsonNode d = json("/data/board/run?run=.");
    assertThat(d.get("dir").asText()).isEqualTo(dir.toString());
    CheckpointState state = CheckpointState.read(dir).orElseThrow();
    assertThat(d.get("checkpointState").asText())
        .isEqualTo(Files.readString(dir.resolve("checkpoint")));
    List<String> prefixes = new ArrayList<>();
    d.get("checkpoints").forEach(c -> prefixes.add(c.get("prefix").asText()));
    // checkpoints every 100 steps plus those at the end of each train call, all kept (max 5)
    assertThat(prefixes).isEqualTo(state.allModelCheckpointPaths());
    JsonNode latest = d.get("checkpoints").get(prefixes.size() - 1);
    assertThat(latest.get("prefix").asText()).isEqualTo("model.ckpt-300");
    assertThat(latest.get("step").asLong()).isEqualTo(300);
    assertThat(latest.get("latest").asBoolean()).isTrue();
    long onDisk;
    try (Stream<Path> files = Files.list(dir)) {
      onDisk =
          files
              .filter(f -> f.getFileName().toString().startsWith("model.ckpt-300."))
              .mapToLong(f -> f.toFile().length())
              .sum();
    }
    assertThat(latest.get("bytes").asLong()).isEqualTo(onDisk);
    assertThat(latest.get("time").asDouble())
        .isEqualTo(
            state
                .allModelCheckpointTimestamps()
                .get(state.allModelCheckpointPaths().indexOf("model.ckpt-300")));

    assertThat(d.get("graph").get("source").asText()).isEqualTo("graph.pbtxt");
    assertThat(d.get("graph").get("nodeCount").asInt()).isGreaterThan(100);
    assertThat(d.get("variablesSource").asText()).isEqualTo("checkpoint model.ckpt-300");
    Map<String, JsonNode> vars = new TreeMap<>();
    d.get("variables").forEach(v -> vars.put(v.get("name").asText(), v));
    // x (1) + indicator(color) (2) = 3 inputs to 8 units, float32: 3 * 8 * 4 bytes
    JsonNode kernel = vars.get("dnn/hiddenlayer_0/kernel");
    assertThat(kernel.get("shape").toString()).isEqualTo("[3,8]");
    assertThat(kernel.get("dtype").asText()).isEqualTo("DT_FLOAT");
    assertThat(kernel.get("bytes").asLong()).isEqualTo(96);
    assertThat(vars)
        .containsKeys("global_step", "training/Adam/dnn/logits/kernel/m", "dnn/hiddenlayer_1/bias");
    assertThat(vars.get("global_step").get("dtype").asText()).isEqualTo("DT_INT64");

    JsonNode exports = d.get("exports");
    assertThat(exports.size()).isEqualTo(1);
    String path = exports.get(0).get("path").asText();
    assertThat(path).matches("export/\\d+");
    assertThat(exports.get(0).get("signatures").asText())
        .isEqualTo(SavedModelShow.all(SavedModelLoader.readProto(dir.resolve(path))))
        .contains("signature_def['serving_default']:")
        .contains("Method name is: tensorflow/serving/classify");
    assertThat(d.get("problems").size()).isZero();

    JsonNode eval = json("/data/board/run?run=eval");
    assertThat(eval.get("checkpoints").size()).isZero();
    assertThat(eval.get("checkpointState").isNull()).isTrue();
  }

  @Test
  void badRequestsGetAClearJsonError() throws Exception {
    HttpResponse<String> noRun = get("/data/plugin/scalars/scalars?run=nope&tag=loss");
    assertThat(noRun.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(noRun.body()).get("error").asText())
        .isEqualTo("No run 'nope'. Runs: [., eval, eval_holdout].");
    HttpResponse<String> noTag = get("/data/plugin/scalars/scalars?run=eval&tag=nope");
    assertThat(noTag.statusCode()).isEqualTo(404);
    assertThat(JSON.readTree(noTag.body()).get("error").asText())
        .startsWith("No scalar data for run 'eval', tag 'nope'. Its scalar tags: [accuracy,");
    HttpResponse<String> missing = get("/data/plugin/scalars/scalars?run=.");
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(missing.body()).contains("Missing query parameter 'tag'.");
    assertThat(get("/data/plugin/scalars/scalars?run=.&tag=loss&format=xml").statusCode())
        .isEqualTo(400);
    assertThat(get("/../../etc/passwd").statusCode()).isIn(400, 404);
    assertThat(get("/nothing").statusCode()).isEqualTo(404);
    HttpResponse<String> post =
        http.send(
            HttpRequest.newBuilder(server.uri().resolve("/data/runs"))
                .POST(HttpRequest.BodyPublishers.ofString("x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  @Test
  void thePageAndItsVendoredChartLibraryAreServedFromTheJar() throws Exception {
    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html;charset=utf-8");
    assertThat(page.body()).contains("<script src=\"vendor/uPlot.iife.min.js\"></script>");
    HttpResponse<String> uplot = get("/vendor/uPlot.iife.min.js");
    assertThat(uplot.statusCode()).isEqualTo(200);
    assertThat(uplot.body()).contains("uPlot");
    assertThat(get("/vendor/uPlot.LICENSE").body()).contains("The MIT License");
    assertThat(get("/board.js").body()).contains("window.e4jBoard");
  }

  @Test
  void aPortInUseIsAClearError() {
    int taken = server.uri().getPort();
    assertThatThrownBy(
            () ->
                BoardServer.start(
                    new BoardData(TrainedRun.modelDir()),
                    "127.0.0.1",
                    taken,
                    Duration.ofSeconds(5)))
        .isInstanceOf(IOException.class)
        .hasMessage(
            "Port "
                + taken
                + " on 127.0.0.1 is in use (another board or TensorBoard?). Stop it, or choose"
                + " another port with --port (--port 0 picks a free one).");
    assertThatThrownBy(
            () ->
                BoardServer.start(
                    new BoardData(TrainedRun.modelDir()),
                    "no-such-host.invalid",
                    0,
                    Duration.ofSeconds(5)))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("Unknown host 'no-such-host.invalid'.");
  }

  @Test
  void aMissingLogDirIsAMessageInTheStatusAndTheServerKeepsRunning() throws Exception {
    Path missing = Files.createTempDirectory("e4j-board-missing-").resolve("not-yet");
    try (BoardServer s =
        BoardServer.start(new BoardData(missing), "127.0.0.1", 0, Duration.ofSeconds(5))) {
      HttpResponse<String> status =
          http.send(
              HttpRequest.newBuilder(s.uri().resolve("/data/board/status")).build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode body = JSON.readTree(status.body());
      assertThat(body.get("runs").size()).isZero();
      assertThat(body.get("messages").get(0).asText())
          .contains("Log directory " + missing + " does not exist (yet)");
      assertThat(
              http.send(
                      HttpRequest.newBuilder(s.uri().resolve("/data/plugin/scalars/tags")).build(),
                      HttpResponse.BodyHandlers.ofString())
                  .body())
          .isEqualTo("{}");
    } finally {
      Files.deleteIfExists(missing.getParent());
    }
  }
}
