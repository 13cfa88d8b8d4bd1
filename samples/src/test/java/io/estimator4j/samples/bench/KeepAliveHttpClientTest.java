package io.estimator4j.samples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.serving.ModelServer;
import io.estimator4j.testing.TestData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The load test's REST client against the model server: TF Serving's bodies, one per call. */
class KeepAliveHttpClientTest {
  private static final Path HALF_PLUS_TWO =
      TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_cpu");

  /** TF Serving's half_plus_two over REST on a free port of 127.0.0.1. */
  private static ModelServer halfPlusTwoRest() throws java.io.IOException {
    return ModelServer.builder()
        .model("half_plus_two", HALF_PLUS_TWO)
        .host("127.0.0.1")
        .restApiPort(0)
        .grpcPort(-1)
        .fileSystemPollWaitSeconds(0)
        .start();
  }

  @Test
  void eachCallReadsOneWholeReplyOnItsThreadsConnection() throws Exception {
    try (ModelServer server = halfPlusTwoRest();
        KeepAliveHttpClient http =
            new KeepAliveHttpClient(
                "127.0.0.1",
                server.restApiPort(),
                "/v1/models/half_plus_two:predict",
                "{\"instances\": [1.0, 2.0, 5.0]}")) {
      // TF Serving's REST API page: 0.5 x + 2, in its layout; 4 threads x 50 calls on kept
      // connections, every reply whole (a reply read short or long would break the next one)
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<List<String>>> bodies = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          bodies.add(
              pool.submit(
                  () -> {
                    List<String> out = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                      out.add(new String(http.post(), StandardCharsets.UTF_8));
                    }
                    return out;
                  }));
        }
        for (Future<List<String>> f : bodies) {
          assertThat(f.get(60, TimeUnit.SECONDS))
              .hasSize(50)
              .containsOnly("{\n    \"predictions\": [2.5, 3.0, 4.5\n    ]\n}");
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void aReplyOtherThan200ThrowsWithItsBody() throws Exception {
    try (ModelServer server = halfPlusTwoRest();
        KeepAliveHttpClient http =
            new KeepAliveHttpClient(
                "127.0.0.1",
                server.restApiPort(),
                "/v1/models/nope:predict",
                "{\"instances\": [1.0]}")) {
      assertThatThrownBy(http::post)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("HTTP 404")
          .hasMessageContaining("Servable not found for request: Latest(nope)");
    }
  }
}
