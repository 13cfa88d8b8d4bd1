package io.estimator4j.serving;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.tensorflow.proto.ConfigProto;

/**
 * A model server that speaks TF Serving's REST and gRPC APIs, in process:
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.builder()
 *     .model("half_plus_two", Path.of("/models/half_plus_two"))
 *     .restApiPort(8501)
 *     .start()) {
 *   // POST http://localhost:8501/v1/models/half_plus_two:predict
 *   server.awaitShutdown();
 * }
 * }</pre>
 *
 * <p>Each model's base path holds numbered version directories, as for TF Serving; new versions are
 * picked up every {@code fileSystemPollWaitSeconds} without a restart (see {@link ModelManager}).
 */
public final class ModelServer implements AutoCloseable {

  private final ModelManager manager;
  private final ServingMetrics metrics;
  private final RestApi api;
  private final Server http;
  private GracefulHandler graceful;
  private final int restPort;
  private final io.grpc.Server grpc;
  private final java.util.concurrent.ExecutorService grpcExecutor;

  private ModelServer(Builder b) throws IOException {
    manager =
        new ModelManager(
            b.models, b.numLoadThreads, b.unloadWaitMillis, b.batching, b.sessionConfig);
    metrics = b.metricsPath == null ? null : new ServingMetrics();
    api = new RestApi(manager, metrics);
    manager.start(b.pollSeconds);
    if (b.grpcPort < 0) {
      grpc = null;
      grpcExecutor = null;
    } else {
      grpcExecutor = grpcExecutor(b);
      try {
        grpc =
            io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                    new java.net.InetSocketAddress(b.host, b.grpcPort))
                .directExecutor()
                .addService(new GrpcApi(manager, metrics, grpcExecutor))
                .addService(new ModelServiceApi(manager, grpcExecutor))
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, b.maxRequestBytes))
                .build()
                .start();
      } catch (IOException e) {
        grpcExecutor.shutdownNow();
        manager.close();
        throw new IOException(
            "Cannot start the gRPC server on " + b.host + ":" + b.grpcPort + ": " + e, e);
      }
    }
    if (b.restApiPort < 0) {
      http = null;
      restPort = -1;
      return;
    }
    QueuedThreadPool pool = new QueuedThreadPool(b.maxThreads, 4);
    pool.setName("e4j-serving-http");
    pool.setDaemon(true);
    http = new Server(pool);
    HttpConfiguration hc = new HttpConfiguration();
    hc.setSendServerVersion(false);
    ServerConnector c = new ServerConnector(http, new HttpConnectionFactory(hc));
    c.setHost(b.host);
    c.setPort(b.restApiPort);
    c.setIdleTimeout(b.idleTimeoutMillis);
    http.addConnector(c);
    long maxBody = b.maxRequestBytes;
    String metricsPath = b.metricsPath;
    Handler.Abstract rest =
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
            if (metrics != null
                && request.getMethod().equals("GET")
                && request.getHttpURI().getPath().equals(metricsPath)) {
              response.setStatus(200);
              response
                  .getHeaders()
                  .put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
              Content.Sink.write(response, true, metrics.scrape(), callback);
              return true;
            }
            RestApi.Reply reply;
            try {
              String body = readBody(request, maxBody);
              reply = api.handle(request.getMethod(), request.getHttpURI().getPath(), body);
            } catch (BodyTooLarge e) {
              reply = new RestApi.Reply(413, Json.error(e.getMessage()));
            } catch (IOException e) {
              reply = new RestApi.Reply(400, Json.error("Failed to read request: " + e));
            }
            response.setStatus(reply.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            Content.Sink.write(response, true, reply.body(), callback);
            return true;
          }
        };
    // Graceful stop: close() stops accepting, lets requests in flight answer, then stops.
    graceful = new GracefulHandler(rest);
    http.setHandler(graceful);
    try {
      http.start();
    } catch (Exception e) {
      if (grpc != null) {
        grpc.shutdownNow();
      }
      manager.close();
      throw new IOException(
          "Cannot start the REST server on " + b.host + ":" + b.restApiPort + ": " + e, e);
    }
    restPort = c.getLocalPort();
  }

  private static final class BodyTooLarge extends IOException {
    BodyTooLarge(String m) {
      super(m);
    }
  }

  private static String readBody(Request request, long max) throws IOException {
    long declared = request.getLength();
    if (declared > max) {
      throw new BodyTooLarge(
          "Request body of " + declared + " bytes exceeds the limit of " + max + " bytes");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try (InputStream in = Content.Source.asInputStream(request)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        if (out.size() + n > max) {
          throw new BodyTooLarge("Request body exceeds the limit of " + max + " bytes");
        }
        out.write(buf, 0, n);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /**
   * TF Serving's {@code --tensorflow_session_parallelism}, {@code
   * --tensorflow_intra_op_parallelism} and {@code --tensorflow_inter_op_parallelism} (0: chosen by
   * TensorFlow), as a session configuration for {@link Builder#sessionConfig}, combined as TF
   * Serving's server does: intra and inter when either is set, else session parallelism for both;
   * all three set is refused. A negative inter-op value runs each request's graph in the thread
   * that received it (TensorFlow's {@code inter_op_parallelism_threads < 0}): no hand-off to
   * TensorFlow's inter-op pool and back, the lowest latency for small graphs; ops still use the
   * intra-op pool.
   */
  public static ConfigProto sessionParallelism(int session, int intraOp, int interOp) {
    if (intraOp > 0 && interOp > 0 && session > 0) {
      throw new IllegalArgumentException(
          "Either configure --tensorflow_session_parallelism or"
              + " (--tensorflow_intra_op_parallelism, --tensorflow_inter_op_parallelism)"
              + " separately. You cannot configure all.");
    }
    if (session < 0 || intraOp < 0) {
      throw new IllegalArgumentException(
          "--tensorflow_session_parallelism and --tensorflow_intra_op_parallelism must be >= 0"
              + " (0: chosen by TensorFlow); got "
              + session
              + " and "
              + intraOp
              + ".");
    }
    // TF Serving passes any value on; a typo of 100000 would start 100000 threads
    if (session > MAX_SESSION_THREADS
        || intraOp > MAX_SESSION_THREADS
        || interOp > MAX_SESSION_THREADS) {
      throw new IllegalArgumentException(
          "Session parallelism of "
              + Math.max(session, Math.max(intraOp, interOp))
              + " threads: TensorFlow would start that many threads per pool; give at most "
              + MAX_SESSION_THREADS
              + " (0: chosen by TensorFlow).");
    }
    boolean separately = intraOp != 0 || interOp != 0;
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(separately ? intraOp : session)
        .setInterOpParallelismThreads(separately ? interOp : session)
        .build();
  }

  /** The most threads a session-parallelism flag may ask for. */
  static final int MAX_SESSION_THREADS = 1024;

  public static Builder builder() {
    return new Builder();
  }

  /** The REST API's port (the one bound when 0 was asked), or -1 when it is off. */
  public int restApiPort() {
    return restPort;
  }

  /** The gRPC API's port (the one bound when 0 was asked), or -1 when it is off. */
  public int grpcPort() {
    return grpc == null ? -1 : grpc.getPort();
  }

  /** Session runs and requests served by the batch scheduler: {runs, requests}; null without. */
  long[] batchingCounts() {
    BatchScheduler b = manager.batcher();
    return b == null ? null : new long[] {b.sessionRuns.get(), b.requestsRun.get()};
  }

  /** Requests waiting in a batch that has not started to run (tests); 0 without batching. */
  int batchQueued() {
    BatchScheduler b = manager.batcher();
    return b == null ? 0 : b.queuedRequests();
  }

  /** Requests in flight on one version (tests). */
  int inFlight(String model, long version) {
    ServableVersion sv = manager.model(model).versions.get(version);
    return sv == null ? 0 : sv.inFlight();
  }

  /** The REST API without HTTP (the same answers the server gives). */
  public RestApi restApi() {
    return api;
  }

  /** Polls the base paths now (as the poll thread does every poll interval). */
  public void pollNow() {
    manager.poll();
  }

  /** Blocks until {@link #close()} is called from another thread. */
  public void awaitShutdown() throws InterruptedException {
    if (http != null) {
      http.join();
    } else if (grpc != null) {
      grpc.awaitTermination();
    }
  }

  /**
   * The threads that run gRPC calls that may block (all but quick session runs, which stay on the
   * transport thread: {@link GrpcApi#dispatch}): a fixed pool of {@code --grpc_max_threads} (TF
   * Serving's default, 4 per core), raised to the largest batch when batching is on, so that a full
   * batch can gather. grpc-java's default, a thread per concurrent call, put 64 threads on 2 cores
   * at 64 clients and served fewer requests (BENCHMARKS.md, issue 15).
   */
  private static java.util.concurrent.ExecutorService grpcExecutor(Builder b) {
    int threads =
        b.grpcMaxThreads > 0 ? b.grpcMaxThreads : 4 * Runtime.getRuntime().availableProcessors();
    if (b.batching != null) {
      threads = Math.max(threads, b.batching.maxBatchSize());
    }
    java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
    return java.util.concurrent.Executors.newFixedThreadPool(
        threads,
        r -> {
          Thread t = new Thread(r, "e4j-serving-grpc-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** Stops accepting requests, lets those in flight finish, unloads every model. */
  @Override
  public void close() {
    if (grpc != null) {
      grpc.shutdown();
      try {
        grpc.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      grpc.shutdownNow();
      grpcExecutor.shutdownNow();
    }
    if (http != null) {
      try {
        // New requests get 503 while those in flight finish (at most 10 s); then idle
        // keep-alive connections are closed at once rather than waited for.
        graceful.shutdown().get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // requests still running after 10 s are cut off by the stop below
      }
      try {
        http.stop();
      } catch (Exception e) {
        // stopping: nothing left to do
      }
    }
    manager.close();
  }

  /** Options, named as TF Serving's flags. */
  public static final class Builder {
    private final List<ModelConfig> models = new ArrayList<>();
    private int restApiPort = 8501;
    private int grpcPort = 8500;
    private String host = "0.0.0.0";
    private long pollSeconds = 2;
    private int numLoadThreads = 2;
    private long unloadWaitMillis = 60_000;
    private int maxThreads = 64;
    private int grpcMaxThreads;
    private long idleTimeoutMillis = 30_000;
    private long maxRequestBytes = 256L << 20;
    private BatchScheduler.Options batching;
    private String metricsPath;
    private ConfigProto sessionConfig;

    private Builder() {}

    /** {@code --enable_batching} with TF Serving's default batching parameters. */
    public Builder enableBatching() {
      batching = BatchScheduler.Options.defaults();
      return this;
    }

    /** {@code --enable_batching} with these parameters (TF Serving's BatchingParameters). */
    public Builder batching(tensorflow.serving.SessionBundleConfig.BatchingParameters parameters) {
      batching = BatchScheduler.Options.from(parameters);
      return this;
    }

    /** {@code --enable_batching --batching_parameters_file FILE} (a text BatchingParameters). */
    public Builder batchingParametersFile(Path file) throws IOException {
      batching = BatchScheduler.Options.read(file);
      return this;
    }

    /**
     * Prometheus metrics at {@code path} on the REST port (TF Serving's {@code
     * --monitoring_config_file} with {@code prometheus_config { enable: true }}; its default path
     * is {@code /monitoring/prometheus/metrics}); null turns them off (the default).
     */
    public Builder prometheusMetrics(String path) {
      metricsPath = path == null || path.isEmpty() ? null : path;
      return this;
    }

    /** {@code --monitoring_config_file}: a text MonitoringConfig. */
    public Builder monitoringConfigFile(Path file) throws IOException {
      tensorflow.serving.MonitoringConfigOuterClass.MonitoringConfig.Builder m =
          tensorflow.serving.MonitoringConfigOuterClass.MonitoringConfig.newBuilder();
      try {
        com.google.protobuf.TextFormat.merge(
            java.nio.file.Files.readString(file, StandardCharsets.UTF_8), m);
      } catch (com.google.protobuf.TextFormat.ParseException e) {
        throw new IllegalArgumentException(
            file + ": not a text MonitoringConfig: " + e.getMessage(), e);
      }
      var p = m.getPrometheusConfig();
      return prometheusMetrics(
          !p.getEnable()
              ? null
              : p.getPath().isEmpty() ? ServingMetrics.DEFAULT_PATH : p.getPath());
    }

    /** A model with TF Serving's default policy (the latest version). */
    public Builder model(String name, Path basePath) {
      return model(ModelConfig.of(name, basePath));
    }

    public Builder model(ModelConfig config) {
      models.add(config);
      return this;
    }

    public Builder models(List<ModelConfig> configs) {
      models.addAll(configs);
      return this;
    }

    /** {@code --rest_api_port}; 0 binds a free port, -1 turns the REST API off. */
    public Builder restApiPort(int port) {
      restApiPort = port;
      return this;
    }

    /** {@code --port}: TF Serving's gRPC API; 0 binds a free port, -1 turns it off. */
    public Builder grpcPort(int port) {
      grpcPort = port;
      return this;
    }

    /** The address to listen on (TF Serving: every address, 0.0.0.0). */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** {@code --file_system_poll_wait_seconds}; 0 loads once and never polls. */
    public Builder fileSystemPollWaitSeconds(long seconds) {
      pollSeconds = seconds;
      return this;
    }

    /**
     * The session configuration every loaded version runs with (TF Serving's {@code
     * session_config}); null, the default, is TensorFlow's.
     */
    public Builder sessionConfig(ConfigProto config) {
      sessionConfig = config;
      return this;
    }

    /** Threads loading and unloading versions ({@code --num_load_threads}). */
    public Builder numLoadThreads(int n) {
      numLoadThreads = Math.max(2, n);
      return this;
    }

    /** How long an unload waits for requests in flight before closing the session. */
    public Builder unloadWaitMillis(long millis) {
      unloadWaitMillis = millis;
      return this;
    }

    /** HTTP threads (requests served at a time). */
    public Builder maxThreads(int n) {
      maxThreads = Math.max(8, n);
      return this;
    }

    /**
     * {@code --grpc_max_threads}: gRPC calls served at a time (default, as TF Serving: 4 per core;
     * with batching at least the largest batch).
     */
    public Builder grpcMaxThreads(int n) {
      if (n < 1) {
        throw new IllegalArgumentException(
            "--grpc_max_threads must be at least 1, got " + n + ". Fix: give a positive count.");
      }
      grpcMaxThreads = n;
      return this;
    }

    /** A connection idle (or a client sending nothing) this long is closed. */
    public Builder idleTimeoutMillis(long millis) {
      idleTimeoutMillis = millis;
      return this;
    }

    /** Bodies larger than this are refused with 413 before they are read in full. */
    public Builder maxRequestBytes(long bytes) {
      maxRequestBytes = bytes;
      return this;
    }

    /** Loads every model's aspired versions, then starts serving. */
    public ModelServer start() throws IOException {
      if (models.isEmpty()) {
        throw new IllegalArgumentException(
            "No model to serve: give --model_name and --model_base_path, or"
                + " --model_config_file.");
      }
      return new ModelServer(this);
    }
  }
}
