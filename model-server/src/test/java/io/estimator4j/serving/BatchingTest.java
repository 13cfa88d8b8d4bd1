package io.estimator4j.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Int64Value;
import io.estimator4j.testing.TestData;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * TF Serving's batching: concurrent requests merged into fewer session runs, each getting its own
 * rows back; the Prometheus endpoint; a graceful close that lets queued requests finish.
 */
class BatchingTest {
  static final String MODEL = "half_plus_two";
  static final Path BASE =
      TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_2_versions");

  static ModelServer server(Path dir, String params) throws Exception {
    Path file = dir.resolve("batching.config");
    Files.writeString(file, params);
    Path monitoring = dir.resolve("monitoring.config");
    Files.writeString(monitoring, "prometheus_config { enable: true }\n");
    return ModelServer.builder()
        .model(new ModelConfig(MODEL, BASE, VersionPolicy.specific(123L), Map.of()))
        .host("127.0.0.1")
        .restApiPort(0)
        .grpcPort(0)
        .fileSystemPollWaitSeconds(0)
        .batchingParametersFile(file)
        .monitoringConfigFile(monitoring)
        .start();
  }

  @Test
  void concurrentRequestsShareSessionRunsAndGetTheirOwnRows(@TempDir Path dir) throws Exception {
    int clients = 32;
    try (ModelServer server =
        server(
            dir,
            """
            max_batch_size { value: 64 }
            batch_timeout_micros { value: 200000 }
            max_enqueued_batches { value: 100 }
            num_batch_threads { value: 1 }
            allowed_batch_sizes: 8
            allowed_batch_sizes: 64
            """)) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      ExecutorService pool = Executors.newFixedThreadPool(clients);
      try {
        var stub = PredictionServiceGrpc.newBlockingStub(channel);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<PredictResponse>> answers = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
          float x = i;
          answers.add(
              pool.submit(
                  () -> {
                    go.await();
                    PredictRequest.Builder r =
                        PredictRequest.newBuilder().putInputs("x", GrpcApiTest.floats(x, x + 0.5f));
                    r.getModelSpecBuilder().setName(MODEL);
                    return stub.withDeadlineAfter(60, TimeUnit.SECONDS).predict(r.build());
                  }));
        }
        go.countDown();
        for (int i = 0; i < clients; i++) {
          // half_plus_two: y = x / 2 + 2, row by row, this request's rows only
          assertThat(
                  answers.get(i).get(90, TimeUnit.SECONDS).getOutputsOrThrow("y").getFloatValList())
              .containsExactly(i / 2f + 2f, (i + 0.5f) / 2f + 2f);
        }
        long[] counts = server.batchingCounts();
        assertThat(counts[1]).isEqualTo(clients);
        // 32 requests of 2 rows each fit in one batch of 64; with a 200 ms timeout they share
        // a few session runs (one each would mean no batching)
        assertThat(counts[0]).as("session runs for %d requests", clients).isLessThanOrEqualTo(8);

        // A request larger than max_batch_size: TF Serving's error
        PredictRequest.Builder big =
            PredictRequest.newBuilder().putInputs("x", GrpcApiTest.floats(new float[65]));
        big.getModelSpecBuilder().setName(MODEL).setVersion(Int64Value.of(123));
        assertThatThrownBy(() -> stub.predict(big.build()))
            .hasMessage(
                "INVALID_ARGUMENT: Task size 65 is larger than maximum input batch size 64");

        HttpResponse<String> scrape =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create(
                                "http://127.0.0.1:"
                                    + server.restApiPort()
                                    + "/monitoring/prometheus/metrics"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body())
            .contains(
                ":tensorflow:serving:request_count_total{model_name=\"half_plus_two\",status=\"OK\"} "
                    + clients)
            .contains(
                ":tensorflow:serving:request_count_total{model_name=\"half_plus_two\","
                    + "status=\"INVALID_ARGUMENT\"} 1")
            .contains(
                ":tensorflow:serving:request_latency_count{API=\"predict\",entrypoint=\"GRPC\","
                    + "model_name=\"half_plus_two\"} "
                    + (clients + 1));
      } finally {
        pool.shutdownNow();
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void closeLetsQueuedRequestsFinish(@TempDir Path dir) throws Exception {
    ModelServer server =
        server(
            dir,
            "max_batch_size { value: 64 } batch_timeout_micros { value: 3000000 }"
                + " num_batch_threads { value: 1 }");
    HttpClient http = HttpClient.newHttpClient();
    String url = "http://127.0.0.1:" + server.restApiPort() + "/v1/models/" + MODEL + ":predict";
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      inFlight.add(
          http.sendAsync(
              HttpRequest.newBuilder(URI.create(url))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"instances\": [" + i + ".0]}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    // The requests wait in the batch (3 s timeout) while the server is asked to stop.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline && queued(server) < 4) {
      Thread.sleep(5);
    }
    assertThat(queued(server)).isEqualTo(4);
    assertThat(server.batchingCounts()[0]).as("no session run yet").isZero();
    server.close();
    assertThat(server.batchingCounts()).containsExactly(1, 4);
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = inFlight.get(i).get(60, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(Json.MAPPER.readTree(r.body()).at("/predictions/0").floatValue())
          .isEqualTo(i / 2f + 2f);
    }
  }

  @Test
  void aFullQueueIsUnavailable(@TempDir Path dir) throws Exception {
    try (ModelServer server =
        server(
            dir,
            "max_batch_size { value: 2 } batch_timeout_micros { value: 2000000 }"
                + " max_enqueued_batches { value: 1 } num_batch_threads { value: 1 }")) {
      String p = "/v1/models/" + MODEL + ":predict";
      // One row waits in the only batch the queue may hold (2 s timeout) ...
      var first =
          java.util.concurrent.CompletableFuture.supplyAsync(
              () -> server.restApi().handle("POST", p, "{\"instances\": [[1.0]]}"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline && queued(server) < 1) {
        Thread.sleep(5);
      }
      // ... so two rows, which do not fit beside it, would need a second batch: refused.
      RestApi.Reply full = server.restApi().handle("POST", p, "{\"instances\": [[1.0], [2.0]]}");
      assertThat(full.status()).isEqualTo(503);
      assertThat(full.body())
          .isEqualTo(
              "{ \"error\": \"The batch scheduling queue to which this task was submitted is"
                  + " full\" }");
      RestApi.Reply ok = first.get(60, TimeUnit.SECONDS);
      assertThat(ok.status()).as(ok.body()).isEqualTo(200);
    }
  }

  /** Requests counted in on version 123 (waiting in the batch scheduler). */
  /**
   * Requests waiting in a batch. (Not the version's in-flight count: a request is in flight a
   * moment before it joins a batch, and a test that went on then would race it.)
   */
  private static int queued(ModelServer server) {
    return server.batchQueued();
  }
}
