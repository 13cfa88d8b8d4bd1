package io.estimator4j.serving;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * TF Serving's request metrics, with its names (its {@code /tensorflow/serving/...} names as its
 * Prometheus exporter writes them, {@code /} as {@code :}) on the Prometheus Java client: {@code
 * :tensorflow:serving:request_count} by model_name and status (the error code's name) and {@code
 * :tensorflow:serving:request_latency} in microseconds by model_name, API and entrypoint (REST or
 * GRPC), with TF Serving's buckets (10 us times 1.8^i, 33 of them).
 */
final class ServingMetrics {
  /** TF Serving's default {@code PrometheusConfig.path}. */
  static final String DEFAULT_PATH = "/monitoring/prometheus/metrics";

  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Counter requests;
  private final Histogram latency;

  ServingMetrics() {
    requests =
        Counter.builder()
            .name(":tensorflow:serving:request_count")
            .help("The total number of requests.")
            .labelNames("model_name", "status")
            .register(registry);
    latency =
        Histogram.builder()
            .name(":tensorflow:serving:request_latency")
            .help("Distribution of wall time (in microseconds) for Tensorflow Serving request.")
            .labelNames("model_name", "API", "entrypoint")
            .classicOnly()
            .classicExponentialUpperBounds(10, 1.8, 33)
            .register(registry);
  }

  /**
   * Runs one request of {@code api} on {@code model} and records its status and latency (with
   * {@code metrics} null, only runs it).
   */
  static <T> T record(
      ServingMetrics metrics, String model, String api, String entrypoint, Supplier<T> work) {
    if (metrics == null) {
      return work.get();
    }
    long t0 = System.nanoTime();
    Throwable error = null;
    try {
      return work.get();
    } catch (RuntimeException | Error e) {
      error = e;
      throw e;
    } finally {
      metrics.observe(model, api, entrypoint, t0, error);
    }
  }

  /**
   * Like {@link #record} for a request answered later: status and latency are recorded when the
   * future {@code work} returns completes. An exception {@code work} throws becomes the returned
   * future's failure.
   */
  static <T> CompletableFuture<T> recordAsync(
      ServingMetrics metrics,
      String model,
      String api,
      String entrypoint,
      Supplier<CompletableFuture<T>> work) {
    long t0 = System.nanoTime();
    CompletableFuture<T> f;
    try {
      f = work.get();
    } catch (RuntimeException | Error e) {
      f = CompletableFuture.failedFuture(e);
    }
    return metrics == null
        ? f
        : f.whenComplete((r, e) -> metrics.observe(model, api, entrypoint, t0, e));
  }

  /** Counts one request, by its status ({@code error}'s code, OK when null), and its latency. */
  private void observe(String model, String api, String entrypoint, long t0, Throwable error) {
    if (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    ServingException.Code status =
        error == null
            ? ServingException.Code.OK
            : error instanceof ServingException e
                ? e.code()
                : error instanceof IllegalArgumentException
                    ? ServingException.Code.INVALID_ARGUMENT
                    : ServingException.Code.UNKNOWN;
    String name = model == null ? "" : model;
    requests.labelValues(name, status.name()).inc();
    latency.labelValues(name, api, entrypoint).observe((System.nanoTime() - t0) / 1e3);
  }

  /** The metrics in Prometheus' text format (version 0.0.4). */
  String scrape() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      new PrometheusTextFormatWriter(false).write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
