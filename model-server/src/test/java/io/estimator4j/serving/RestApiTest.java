package io.estimator4j.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.testing.TestData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The REST API against TF Serving's own expectations: the bodies of {@code
 * http_rest_api_handler_test.cc} (half_plus_two, version 123 by a specific version policy) and
 * {@code tensorflow_model_server_test.py}, over real HTTP on 127.0.0.1.
 */
class RestApiTest {
  static final String MODEL = "saved_model_half_plus_two_2_versions";
  static ModelServer server;
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    Path base = TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_2_versions");
    server =
        ModelServer.builder()
            .model(
                new ModelConfig(MODEL, base, VersionPolicy.specific(123L), Map.of("stable", 123L)))
            .model(
                "half_plus_two",
                TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_cpu"))
            .host("127.0.0.1")
            .restApiPort(0)
            .grpcPort(-1)
            .fileSystemPollWaitSeconds(0)
            .start();
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  record Answer(int status, String body, String contentType) {
    JsonNode json() throws Exception {
      return Json.MAPPER.readTree(body);
    }
  }

  static Answer call(String method, String path, String body) throws Exception {
    HttpRequest.Builder r =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.restApiPort() + path))
            .timeout(Duration.ofSeconds(30));
    r.method(
        method,
        body == null
            ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> resp = client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(
        resp.statusCode(), resp.body(), resp.headers().firstValue("Content-Type").orElse(""));
  }

  /**
   * TF Serving's half_plus_two (cpu) over REST on a free port of 127.0.0.1, no gRPC, no polling.
   */
  static ModelServer.Builder halfPlusTwoRest() {
    return ModelServer.builder()
        .model(
            "half_plus_two", TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_cpu"))
        .host("127.0.0.1")
        .restApiPort(0)
        .grpcPort(-1)
        .fileSystemPollWaitSeconds(0);
  }

  /** POSTs {@code body} to {@code path} on 127.0.0.1:{@code port} (30 s timeout). */
  static HttpResponse<String> post(HttpClient client, int port, String path, String body)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static void assertJson(Answer a, int status, String expected) throws Exception {
    assertThat(a.status()).as(a.body()).isEqualTo(status);
    assertThat(a.contentType()).startsWith("application/json");
    assertThat(a.json()).as(a.body()).isEqualTo(Json.MAPPER.readTree(expected));
  }

  static String error(Answer a) throws Exception {
    return a.json().get("error").asText();
  }

  @Test
  void predictAsTfServingsHandlerTest() throws Exception {
    String p = "/v1/models/" + MODEL;
    assertJson(
        call("POST", p + ":predict", "{\"instances\": [[1.0, 2.0], [3.0, 4.0]]}"),
        200,
        "{ \"predictions\": [[2.5, 3.0], [3.5, 4.0]] }");
    assertJson(
        call("POST", p + "/versions/123:predict", "{\"instances\": [1.0, 2.0]}"),
        200,
        "{ \"predictions\": [2.5, 3.0] }");
    assertJson(
        call(
            "POST",
            p + "/versions/123:predict",
            "{\"signature_name\": \"serving_default\", \"instances\": [3.0, 4.0]}"),
        200,
        "{ \"predictions\": [3.5, 4.0] }");
    assertJson(
        call(
            "POST",
            p + "/versions/123:predict",
            "{\"signature_name\": \"serving_default\", \"inputs\": [3.0, 4.0]}"),
        200,
        "{ \"outputs\": [3.5, 4.0] }");
    assertJson(
        call("POST", p + "/labels/stable:predict", "{\"instances\": [1.0]}"),
        200,
        "{ \"predictions\": [2.5] }");
  }

  @Test
  void bodyLayoutIsTfServings() throws Exception {
    // As TF Serving's REST API page shows the answer for half_plus_two.
    Answer a = call("POST", "/v1/models/half_plus_two:predict", "{\"instances\": [1.0, 2.0, 5.0]}");
    assertThat(a.body()).isEqualTo("{\n    \"predictions\": [2.5, 3.0, 4.5\n    ]\n}");
  }

  @Test
  void regressAndClassify() throws Exception {
    String p = "/v1/models/" + MODEL;
    String regress = "{\"signature_name\": \"regress_x_to_y\", \"examples\": [ { \"x\": 80.0 } ] }";
    assertJson(call("POST", p + ":regress", regress), 200, "{ \"results\": [42.0] }");
    assertJson(call("POST", p + "/versions/123:regress", regress), 200, "{ \"results\": [42.0] }");
    assertJson(
        call(
            "POST",
            p + ":classify",
            "{\"signature_name\": \"classify_x_to_y\", \"examples\": [ { \"x\": 20.0 } ] }"),
        200,
        "{ \"results\": [[[\"\", 12.0]]] }");
    assertJson(
        call(
            "POST",
            p + "/versions/123:classify",
            "{\"signature_name\": \"classify_x_to_y\", \"examples\": [ { \"x\": 10.0 } ] }"),
        200,
        "{ \"results\": [[[\"\", 7.0]]] }");
    // context features join every example (tensorflow_model_server_test.py's regress/classify)
    assertJson(
        call(
            "POST",
            p + ":regress",
            "{\"signature_name\": \"regress_x_to_y\", \"context\": {\"x\": 80.0},"
                + " \"examples\": [{}, {\"x\": 2.0}]}"),
        200,
        "{ \"results\": [42.0, 3.0] }");
  }

  @Test
  void status() throws Exception {
    String expected =
        "{\"model_version_status\": [{\"version\": \"123\", \"state\": \"AVAILABLE\","
            + " \"status\": {\"error_code\": \"OK\", \"error_message\": \"\"}}]}";
    assertJson(call("GET", "/v1/models/" + MODEL, null), 200, expected);
    assertJson(call("GET", "/v1/models/" + MODEL + "/versions/123", null), 200, expected);
    assertJson(call("GET", "/v1/models/" + MODEL + "/labels/stable", null), 200, expected);
    Answer a = call("GET", "/v1/models/half_plus_two", null);
    assertThat(a.body())
        .isEqualTo(
            "{\n \"model_version_status\": [\n  {\n   \"version\": \"123\",\n   \"state\":"
                + " \"AVAILABLE\",\n   \"status\": {\n    \"error_code\": \"OK\",\n   "
                + " \"error_message\": \"\"\n   }\n  }\n ]\n}\n");
    Answer missing = call("GET", "/v1/models/" + MODEL + "/versions/124", null);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(error(missing)).isEqualTo("Could not find version 124 of model " + MODEL);
    Answer unknown = call("GET", "/v1/models/foo", null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(error(unknown)).isEqualTo("Could not find any versions of model foo");
  }

  @Test
  void metadata() throws Exception {
    Answer a = call("GET", "/v1/models/" + MODEL + "/versions/123/metadata", null);
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode n = a.json();
    assertThat(n.at("/model_spec/name").asText()).isEqualTo(MODEL);
    assertThat(n.at("/model_spec/version").asText()).isEqualTo("123");
    assertThat(n.at("/model_spec/signature_name").asText()).isEmpty();
    JsonNode sigs = n.at("/metadata/signature_def/signature_def");
    assertThat(sigs.fieldNames())
        .toIterable()
        .contains("serving_default", "classify_x_to_y", "regress_x_to_y");
    JsonNode x = sigs.at("/serving_default/inputs/x");
    assertThat(x.get("dtype").asText()).isEqualTo("DT_FLOAT");
    assertThat(x.get("name").asText()).isEqualTo("x:0");
    assertThat(sigs.at("/serving_default/method_name").asText())
        .isEqualTo("tensorflow/serving/predict");
  }

  @Test
  void errorsAsTfServing() throws Exception {
    String p = "/v1/models/" + MODEL;
    Answer a = call("GET", "/v1/foo", null);
    assertThat(a.status()).isEqualTo(400);
    assertThat(error(a)).contains("Malformed request");
    a = call("GET", "/v1/models", null);
    assertThat(error(a)).contains("Missing model name");
    a = call("POST", "/v1/models", "");
    assertThat(error(a)).contains("Malformed request");
    a = call("GET", "/v1/models/foo:predict", null);
    assertThat(error(a)).contains("Malformed request");
    a = call("POST", "/v1/models/foo/version/50:regress", "");
    assertThat(error(a)).contains("Malformed request");
    a = call("POST", "/v1/models/foo/versions/HELLO:regress", "");
    assertThat(error(a)).contains("Malformed request");
    a = call("POST", "/v1/models/foo/versions/18446744073709551615:regress", "");
    assertThat(a.status()).isEqualTo(400);
    assertThat(error(a)).contains("Failed to convert version");

    a = call("POST", "/v1/models/foo:predict", "{ \"instances\": [1] }");
    assertThat(a.status()).isEqualTo(404);
    assertThat(error(a)).isEqualTo("Servable not found for request: Latest(foo)");
    a = call("POST", "/v1/models/foo/versions/50:predict", "{ \"instances\": [1] }");
    assertThat(a.status()).isEqualTo(404);
    a = call("POST", p + "/versions/99:predict", "{ \"instances\": [1.0] }");
    assertThat(a.status()).isEqualTo(404);
    assertThat(error(a)).isEqualTo("Servable not found for request: Specific(" + MODEL + ", 99)");

    a = call("POST", p + ":predict", "");
    assertThat(a.status()).isEqualTo(400);
    assertThat(error(a)).contains("JSON Parse error: The document is empty");
    a = call("POST", p + ":predict", "instances = [1, 2]");
    assertThat(error(a)).contains("JSON Parse error: Invalid value");
    // JSON integers feed float inputs (JavaScript's JSON.stringify writes 1.0 as 1)
    assertJson(
        call("POST", p + ":predict", "{ \"instances\": [1, 2] }"),
        200,
        "{\"predictions\": [2.5, 3.0]}");
    a = call("POST", p + ":predict", "{ \"instances\": [\"NaN\"] }");
    assertThat(a.status()).isEqualTo(400);
    assertThat(error(a))
        .isEqualTo("JSON Value: \"NaN\" Type: String is not of expected type: float");
    a = call("POST", p + ":predict", "{ \"instances\": [[1.0], [2.0, 3.0]] }");
    assertThat(a.status()).isEqualTo(400);
    a = call("POST", p + ":predict", "{ \"instances\": [\"a\"] }");
    assertThat(a.status()).isEqualTo(400);
    assertThat(error(a)).contains("not of expected type: float");
    a = call("POST", p + ":predict", "{\"signature_name\": \"nope\", \"instances\": [1.0]}");
    assertThat(a.status()).isEqualTo(400);
    assertThat(error(a)).isEqualTo("Serving signature name: \"nope\" not found in signature def");
    a = call("POST", p + ":predict", "{\"inputs\": [1.0], \"instances\": [1.0]}");
    assertThat(a.status()).isEqualTo(400);
    a = call("POST", p + ":predict", "{\"foo\": 1}");
    assertThat(error(a)).contains("Missing 'inputs' or 'instances' key");
    a = call("POST", p + "/labels/nope:predict", "{\"instances\": [1.0]}");
    assertThat(a.status()).isEqualTo(400);
    assertThat(error(a)).isEqualTo("Unrecognized servable version label: nope");
    a = call("POST", p + ":classify", "{\"examples\": [{\"x\": 1.0}]}");
    assertThat(a.status()).isEqualTo(400);
    assertThat(error(a)).contains("classification signature method_name");
    // the server still answers after every error
    assertJson(
        call("POST", p + ":predict", "{\"instances\": [1.0]}"), 200, "{\"predictions\": [2.5]}");
  }

  @Test
  void oversizedBodyIsRefused() throws Exception {
    ModelServer small = halfPlusTwoRest().maxRequestBytes(1000).start();
    try {
      String big = "{\"instances\": [" + "1.0, ".repeat(1000) + "1.0]}";
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + small.restApiPort()
                              + "/v1/models/half_plus_two:predict"))
                  .timeout(Duration.ofSeconds(30))
                  .POST(HttpRequest.BodyPublishers.ofString(big))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(Json.MAPPER.readTree(r.body()).get("error").asText()).contains("exceeds");
    } finally {
      small.close();
    }
  }

  @Test
  void slowClientIsCutOffAndOthersAreServed() throws Exception {
    ModelServer s = halfPlusTwoRest().idleTimeoutMillis(500).start();
    try (s;
        java.net.Socket slow = new java.net.Socket("127.0.0.1", s.restApiPort())) {
      slow.setSoTimeout(20_000);
      // promises 100 bytes, sends 10, then stalls
      slow.getOutputStream()
          .write(
              ("POST /v1/models/half_plus_two:predict HTTP/1.1\r\nHost: x\r\n"
                      + "Content-Length: 100\r\n\r\n{\"instance")
                  .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      slow.getOutputStream().flush();
      HttpResponse<String> ok =
          post(
              client,
              s.restApiPort(),
              "/v1/models/half_plus_two:predict",
              "{\"instances\": [1.0]}");
      assertThat(ok.statusCode()).isEqualTo(200);
      // the server answers the stalled request with an error and/or closes it, within the timeout
      long t0 = System.nanoTime();
      byte[] buf = new byte[4096];
      String answer = "";
      int n;
      while ((n = slow.getInputStream().read(buf)) > 0) {
        answer += new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII);
      }
      assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(15).toNanos());
      assertThat(answer).doesNotStartWith("HTTP/1.1 200");
    }
  }
}
