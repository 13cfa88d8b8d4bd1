package io.estimator4j.serving;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.testing.TestData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions appearing on disk while serving: loaded in the background, served once ready, the old
 * one unloaded after its requests; failed and half-written versions never served; no request fails
 * during a swap.
 */
class VersionLifecycleTest {
  static final Path TWO =
      TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_cpu/00000123");
  static final Path THREE =
      TestData.path("savedmodels/tf-serving-saved_model_half_plus_three/00000123");

  @TempDir Path tmp;

  static void copyTree(Path from, Path to) {
    try (Stream<Path> s = Files.walk(from)) {
      for (Path p : (Iterable<Path>) s::iterator) {
        Path q = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(q);
        } else {
          Files.copy(p, q, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Copies a version in beside the base path, then renames it in (as an exporter does). */
  void publish(Path model, Path base, long version) throws IOException {
    Path staging = tmp.resolve("staging-" + version);
    copyTree(model, staging);
    Files.move(staging, base.resolve(Long.toString(version)), StandardCopyOption.ATOMIC_MOVE);
  }

  static String state(ModelServer s, String name, long version) throws Exception {
    RestApi.Reply r = s.restApi().handle("GET", "/v1/models/" + name, null);
    for (JsonNode v : Json.MAPPER.readTree(r.body()).get("model_version_status")) {
      if (v.get("version").asText().equals(Long.toString(version))) {
        return v.get("state").asText() + " " + v.at("/status/error_code").asText();
      }
    }
    return "ABSENT";
  }

  static void awaitState(ModelServer s, String name, long version, String want) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    String got = state(s, name, version);
    while (!got.equals(want) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      s.pollNow();
      got = state(s, name, version);
    }
    assertThat(got).as("version %d", version).isEqualTo(want);
  }

  static double predictOne(ModelServer s, String name) throws Exception {
    RestApi.Reply r =
        s.restApi().handle("POST", "/v1/models/" + name + ":predict", "{\"instances\": [1.0]}");
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    return Json.MAPPER.readTree(r.body()).get("predictions").get(0).asDouble();
  }

  ModelServer server(Path base) throws IOException {
    return ModelServer.builder()
        .model("m", base)
        .host("127.0.0.1")
        .restApiPort(0)
        .grpcPort(-1)
        .fileSystemPollWaitSeconds(0) // the test polls with pollNow()
        .start();
  }

  @Test
  void newVersionsFailedVersionsAndHalfWrittenDirectories() throws Exception {
    Path base = Files.createDirectories(tmp.resolve("m"));
    publish(TWO, base, 1);
    try (ModelServer s = server(base)) {
      assertThat(predictOne(s, "m")).isEqualTo(2.5);

      publish(THREE, base, 2);
      awaitState(s, "m", 2, "AVAILABLE OK");
      awaitState(s, "m", 1, "END OK");
      assertThat(predictOne(s, "m")).isEqualTo(3.5);

      // A version that cannot load is reported and never served; 2 keeps serving.
      Path bad = Files.createDirectories(base.resolve("3"));
      Files.writeString(bad.resolve("saved_model.pb"), "not a SavedModel");
      awaitState(s, "m", 3, "END UNKNOWN");
      assertThat(predictOne(s, "m")).isEqualTo(3.5);
      assertThat(state(s, "m", 2)).isEqualTo("AVAILABLE OK");
      RestApi.Reply specific =
          s.restApi().handle("POST", "/v1/models/m/versions/3:predict", "{\"instances\": [1.0]}");
      assertThat(specific.status()).isEqualTo(404);

      // A directory still being written (changed since the last poll) is not loaded.
      Path partial = Files.createDirectories(base.resolve("4"));
      Files.copy(TWO.resolve("saved_model.pb"), partial.resolve("saved_model.pb"));
      s.pollNow();
      assertThat(state(s, "m", 4)).isEqualTo("ABSENT");
      copyTree(TWO.resolve("variables"), partial.resolve("variables"));
      s.pollNow();
      assertThat(state(s, "m", 4)).isEqualTo("ABSENT");
      assertThat(predictOne(s, "m")).isEqualTo(3.5);
      // unchanged over a poll: loaded
      awaitState(s, "m", 4, "AVAILABLE OK");
      assertThat(predictOne(s, "m")).isEqualTo(2.5);
    }
  }

  @Test
  void swapUnderTrafficFailsNoRequest() throws Exception {
    swapUnderTraffic(1, 4);
  }

  @Test
  @Tag("slow")
  void manySwapsUnderHeavyTrafficFailNoRequest() throws Exception {
    swapUnderTraffic(6, 16);
  }

  void swapUnderTraffic(int swaps, int clients) throws Exception {
    Path base = Files.createDirectories(tmp.resolve("m"));
    publish(TWO, base, 1);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    try (ModelServer s = server(base)) {
      URI uri = URI.create("http://127.0.0.1:" + s.restApiPort() + "/v1/models/m:predict");
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong ok = new AtomicLong();
      List<String> failures = new ArrayList<>();
      Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
      List<Thread> threads = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        Thread t =
            new Thread(
                () -> {
                  long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
                  while (!stop.get() && System.nanoTime() < deadline) {
                    try {
                      HttpResponse<String> r =
                          http.send(
                              HttpRequest.newBuilder(uri)
                                  .timeout(Duration.ofSeconds(30))
                                  .POST(
                                      HttpRequest.BodyPublishers.ofString("{\"instances\": [1.0]}"))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                      if (r.statusCode() != 200) {
                        synchronized (failures) {
                          failures.add(r.statusCode() + " " + r.body());
                        }
                      } else {
                        ok.incrementAndGet();
                        String v =
                            Json.MAPPER.readTree(r.body()).get("predictions").get(0).asText();
                        answers.computeIfAbsent(v, k -> new AtomicInteger()).incrementAndGet();
                      }
                    } catch (Exception e) {
                      synchronized (failures) {
                        failures.add(e.toString());
                      }
                    }
                  }
                });
        t.start();
        threads.add(t);
      }
      try {
        // traffic is flowing on the first version before any swap
        long warm = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (ok.get() < clients && System.nanoTime() < warm) {
          Thread.sleep(10);
        }
        for (int i = 0; i < swaps; i++) {
          long v = i + 2;
          publish(i % 2 == 0 ? THREE : TWO, base, v);
          awaitState(s, "m", v, "AVAILABLE OK");
          awaitState(s, "m", v - 1, "END OK");
          Thread.sleep(200);
        }
      } finally {
        stop.set(true);
        for (Thread t : threads) {
          t.join(60_000);
        }
      }
      assertThat(failures).isEmpty();
      assertThat(ok.get()).isGreaterThan(swaps * 10L);
      assertThat(answers.keySet()).containsExactlyInAnyOrder("2.5", "3.5");
    }
  }
}
