package io.estimator4j.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.testing.TestData;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Clients that were not built with this server: TF Serving's protos through Node's
 * {@code @grpc/grpc-js} and {@code @grpc/proto-loader} (installed with npm into target/node-client
 * on first run), and curl for REST.
 */
class IndependentClientTest {
  static final String MODEL = GrpcApiTest.MODEL;

  static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  record Run(int exit, String out) {}

  static Run run(Path dir, long timeoutSeconds, String... command)
      throws IOException, InterruptedException {
    Path log = Files.createTempFile("e4j-client", ".log");
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            String.join(" ", command)
                + " ran over "
                + timeoutSeconds
                + " s: "
                + Files.readString(log));
      }
      return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  static ModelServer server() throws IOException {
    return GrpcApiTest.halfPlusTwo123().restApiPort(0).start();
  }

  @Test
  void nodeGrpcJsClient() throws Exception {
    assumeTrue(
        onPath("node") && onPath("npm"),
        "node and npm are not on the PATH: the Node.js gRPC client check is skipped");
    Path module = Path.of("").toAbsolutePath();
    Path dir = Files.createDirectories(module.resolve("target/node-client"));
    Files.copy(
        module.resolve("src/test/node/tf_serving_client.js"),
        dir.resolve("tf_serving_client.js"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    if (!Files.isDirectory(dir.resolve("node_modules/@grpc/grpc-js"))
        || !Files.isDirectory(dir.resolve("node_modules/@grpc/proto-loader"))) {
      Files.writeString(dir.resolve("package.json"), "{\"private\": true}\n");
      Run npm =
          run(
              dir,
              300,
              "npm",
              "install",
              "--no-audit",
              "--no-fund",
              "--loglevel=error",
              "@grpc/grpc-js@1",
              "@grpc/proto-loader@0");
      assertThat(npm.exit()).as("npm install: %s", npm.out()).isZero();
    }
    try (ModelServer s = server()) {
      Run node =
          run(
              dir,
              120,
              "node",
              "tf_serving_client.js",
              Integer.toString(s.grpcPort()),
              Integer.toString(s.restApiPort()),
              MODEL,
              module.resolve("src/main/proto").toString(),
              module.resolve("src/main/proto-imports").toString(),
              TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_2_versions")
                  .toString());
      assertThat(node.exit()).as(node.out()).isZero();
      String[] lines = node.out().strip().split("\n");
      JsonNode out = Json.MAPPER.readTree(lines[lines.length - 1]);
      assertThat(out.get("predict").toString()).isEqualTo("[2.5,3,4.5]");
      assertThat(out.get("predictVersion").asText()).isEqualTo("123");
      assertThat(out.get("regress").toString()).isEqualTo("[42]");
      assertThat(out.get("classify").toString()).isEqualTo("[[12]]");
      assertThat(out.get("metadataType").asText())
          .isEqualTo("type.googleapis.com/tensorflow.serving.SignatureDefMap");
      assertThat(out.at("/unknownModel/code").asText()).isEqualTo("NOT_FOUND");
      assertThat(out.at("/unknownModel/details").asText())
          .isEqualTo("Servable not found for request: Latest(nope)");
      // ModelService: status, then a reload that replaces the model by "reloaded" (version 124)
      assertThat(out.get("status").toString())
          .isEqualTo(
              "[{\"version\":\"123\",\"state\":\"AVAILABLE\",\"status\":"
                  + "{\"error_code\":\"OK\",\"error_message\":\"\"}}]");
      assertThat(out.at("/reload/error_code").asText()).isEqualTo("OK");
      assertThat(out.at("/reloadedStatus/0/version").asText()).isEqualTo("124");
      assertThat(out.at("/reloadedStatus/0/state").asText()).isEqualTo("AVAILABLE");
      assertThat(out.at("/oldModelAfterReload/code").asText()).isEqualTo("NOT_FOUND");
      assertThat(out.at("/oldModelAfterReload/details").asText())
          .isEqualTo("Could not find any versions of model " + MODEL);
      assertThat(out.get("restStatus").asInt()).isEqualTo(200);
      assertThat(out.get("rest").toString()).isEqualTo("{\"predictions\":[2.5,3,4.5]}");
    }
  }

  @Test
  void curl() throws Exception {
    assumeTrue(onPath("curl"), "curl is not on the PATH: the curl check is skipped");
    try (ModelServer s = server()) {
      String base = "http://127.0.0.1:" + s.restApiPort() + "/v1/models/" + MODEL;
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  "curl",
                  "-s",
                  "--max-time",
                  "30",
                  "-d",
                  "{\"instances\": [1.0, 2.0, 5.0]}",
                  base + ":predict"));
      Run r = run(Path.of("."), 60, cmd.toArray(String[]::new));
      assertThat(r.out()).isEqualTo("{\n    \"predictions\": [2.5, 3.0, 4.5\n    ]\n}");
      r =
          run(
              Path.of("."),
              60,
              "curl",
              "-s",
              "--max-time",
              "30",
              "-o",
              "/dev/null",
              "-w",
              "%{http_code}",
              "-d",
              "{\"instances\": [\"a\"]}",
              base + ":predict");
      assertThat(r.out()).isEqualTo("400");
      r = run(Path.of("."), 60, "curl", "-s", "--max-time", "30", base);
      assertThat(Json.MAPPER.readTree(r.out()).at("/model_version_status/0/state").asText())
          .isEqualTo("AVAILABLE");
    }
  }
}
