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
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

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
  private final RestApi api;
  private final Server http;
  private final int restPort;
  private final io.grpc.Server grpc;

  private ModelServer(Builder b) throws IOException {
    manager = new ModelManager(b.models, b.numLoadThreads, b.unloadWaitMillis);
    api = new RestApi(manager);
    manager.start(b.pollSeconds);
    if (b.grpcPort < 0) {
      grpc = null;
    } else {
      try {
        grpc =
            io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
                    new java.net.InetSocketAddress(b.host, b.grpcPort))
                .addService(new GrpcApi(manager))
                .addService(new ModelServiceApi(manager))
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, b.maxRequestBytes))
                .build()
                .start();
      } catch (IOException e) {
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
    http.setHandler(
        new Handler.Abstract() {
          @Override
          public boolean handle(Request request, Response response, Callback callback) {
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
        });
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
    }
    if (http != null) {
      try {
        http.setStopTimeout(10_000);
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
    private long idleTimeoutMillis = 30_000;
    private long maxRequestBytes = 256L << 20;

    private Builder() {}

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
