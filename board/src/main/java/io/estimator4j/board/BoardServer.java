package io.estimator4j.board;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code e4j board}'s HTTP server (Jetty): the page and the JSON it reads, with TensorBoard's HTTP
 * API shapes so that tools written for TensorBoard work against it.
 *
 * <table>
 *   <caption>Routes</caption>
 *   <tr><td>{@code /}</td><td>the page (shipped in the jar, works offline)</td></tr>
 *   <tr><td>{@code /data/logdir}</td><td>{@code {"logdir": "/abs/dir"}}</td></tr>
 *   <tr><td>{@code /data/runs}</td><td>{@code [".", "eval"]}</td></tr>
 *   <tr><td>{@code /data/plugins_listing}</td><td>the plugins this server answers for</td></tr>
 *   <tr><td>{@code /data/plugin/scalars/tags}</td>
 *       <td>{@code {run: {tag: {"displayName": .., "description": ..}}}}</td></tr>
 *   <tr><td>{@code /data/plugin/scalars/scalars?run=R&tag=T}</td>
 *       <td>{@code [[wall_time, step, value], ...]}; {@code &format=csv}: TensorBoard's CSV</td></tr>
 *   <tr><td>{@code /data/plugin/distributions/tags}, {@code /data/plugin/histograms/tags}</td>
 *       <td>the histogram tags, same shape as the scalar tags</td></tr>
 *   <tr><td>{@code /data/plugin/distributions/distributions?run=R&tag=T}</td>
 *       <td>{@code [[wall_time, step, [[basis_point, value], ...]], ...]}</td></tr>
 *   <tr><td>{@code /data/board/status}</td><td>generation, runs, messages (the page polls it)</td></tr>
 *   <tr><td>{@code /data/board/run?run=R}</td><td>the side panel ({@link RunDetails})</td></tr>
 * </table>
 *
 * <p>A background thread reloads the event files every {@code reloadInterval}. The server binds to
 * the host it is given (loopback by default); a port in use is an {@link IOException} that says so.
 * Bad requests get a 4xx status and a JSON {@code {"error": "..."}}.
 */
public final class BoardServer implements AutoCloseable {

  /** TensorBoard's port, the default. */
  public static final int DEFAULT_PORT = 6006;

  /** Loopback: the board is reachable from this machine only unless told otherwise. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** How often event files are read again by default (TensorBoard's {@code --reload_interval}). */
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(5);

  private static final Logger LOG = LoggerFactory.getLogger(BoardServer.class);
  private static final String WEB = "/io/estimator4j/board/web/";

  /** The files of the page: request path to resource name and content type. */
  private static final Map<String, String[]> STATIC =
      Map.of(
          "/", new String[] {"index.html", "text/html;charset=utf-8"},
          "/index.html", new String[] {"index.html", "text/html;charset=utf-8"},
          "/board.js", new String[] {"board.js", "text/javascript;charset=utf-8"},
          "/board.css", new String[] {"board.css", "text/css;charset=utf-8"},
          "/vendor/uPlot.iife.min.js",
              new String[] {"vendor/uPlot.iife.min.js", "text/javascript;charset=utf-8"},
          "/vendor/uPlot.min.css", new String[] {"vendor/uPlot.min.css", "text/css;charset=utf-8"},
          "/vendor/uPlot.LICENSE",
              new String[] {"vendor/uPlot.LICENSE", "text/plain;charset=utf-8"},
          "/vendor/README.md", new String[] {"vendor/README.md", "text/plain;charset=utf-8"});

  private final BoardData data;
  private final RunInspector inspector = new RunInspector();
  private final Duration reloadInterval;
  private final ObjectMapper json = new ObjectMapper();
  private final Server server;
  private final ScheduledExecutorService reloader;
  private final URI uri;

  private BoardServer(BoardData data, String host, int port, Duration reloadInterval)
      throws IOException {
    this.data = data;
    this.reloadInterval = reloadInterval;
    QueuedThreadPool pool = new QueuedThreadPool(16, 2);
    pool.setName("e4j-board");
    pool.setDaemon(true);
    server = new Server(pool);
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(new BoardHandler());
    server.setStopTimeout(1000);
    try {
      server.start();
    } catch (Exception e) {
      stopQuietly();
      if (hasCause(e, BindException.class)) {
        throw new IOException(
            "Port "
                + port
                + " on "
                + host
                + " is in use (another board or TensorBoard?). Stop it, or choose another port"
                + " with --port (--port 0 picks a free one).",
            e);
      }
      throw new IOException(
          "Cannot start the board's HTTP server on " + host + ":" + port + ": " + e.getMessage(),
          e);
    }
    String shownHost = host.contains(":") ? "[" + host + "]" : host;
    uri = URI.create("http://" + shownHost + ":" + connector.getLocalPort() + "/");
    reloader =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "e4j-board-reload");
              t.setDaemon(true);
              return t;
            });
    reloader.scheduleWithFixedDelay(
        this::reloadQuietly,
        reloadInterval.toMillis(),
        reloadInterval.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Reads the event files under {@code data}'s log directory once, then serves them on {@code
   * host:port} (port 0: a free port) and reads them again every {@code reloadInterval}.
   *
   * @throws IOException if the port is in use or the host cannot be bound; the message says which
   */
  public static BoardServer start(BoardData data, String host, int port, Duration reloadInterval)
      throws IOException {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be between 0 and 65535, got " + port + ".");
    }
    if (reloadInterval.isNegative() || reloadInterval.isZero()) {
      throw new IllegalArgumentException(
          "The reload interval must be positive, got " + reloadInterval + ".");
    }
    try {
      InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new IOException(
          "Unknown host '" + host + "'. Use an address of this machine, e.g. 127.0.0.1.", e);
    }
    data.reload();
    return new BoardServer(data, host, port, reloadInterval);
  }

  /** The page's address, e.g. {@code http://127.0.0.1:6006/}. */
  public URI uri() {
    return uri;
  }

  /** The data served. */
  public BoardData data() {
    return data;
  }

  /** Waits until the server stops (on {@link #close()} or when the JVM exits). */
  public void join() throws InterruptedException {
    server.join();
  }

  /** Stops reloading and serving; idempotent. */
  @Override
  public void close() {
    if (reloader != null) {
      reloader.shutdownNow();
    }
    stopQuietly();
  }

  private void stopQuietly() {
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("Stopping the board's HTTP server failed: {}", e.toString());
    }
  }

  private void reloadQuietly() {
    try {
      data.reload();
    } catch (RuntimeException e) {
      // The next reload tries again; a page message is better than a dead reloader thread.
      LOG.warn("Reading the event files under {} failed: {}", data.logDir(), e.toString());
    }
  }

  private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }

  /** An answer: status, content type and body. */
  private record Reply(int status, String contentType, byte[] body) {}

  /** A request that cannot be answered: the status and the message the JSON error carries. */
  private static final class BadRequest extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    BadRequest(int status, String message) {
      super(message);
      this.status = status;
    }
  }

  private final class BoardHandler extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      Reply reply;
      String method = request.getMethod();
      if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
        reply = error(HttpStatus.METHOD_NOT_ALLOWED_405, "Only GET is served; got " + method + ".");
      } else {
        try {
          reply = route(Request.getPathInContext(request), Request.extractQueryParameters(request));
        } catch (BadRequest e) {
          reply = error(e.status, e.getMessage());
        } catch (RuntimeException e) {
          LOG.warn("Board request {} failed", request.getHttpURI(), e);
          reply = error(HttpStatus.INTERNAL_SERVER_ERROR_500, String.valueOf(e.getMessage()));
        }
      }
      response.setStatus(reply.status());
      response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
      response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
      response.getHeaders().put("X-Content-Type-Options", "nosniff");
      response.write(
          true,
          HttpMethod.HEAD.is(method) ? ByteBuffer.allocate(0) : ByteBuffer.wrap(reply.body()),
          callback);
      return true;
    }
  }

  private Reply route(String path, Fields query) {
    String[] page = STATIC.get(path);
    if (page != null) {
      return new Reply(HttpStatus.OK_200, page[1], resource(page[0]));
    }
    return switch (path) {
      case "/data/logdir" -> ok(Map.of("logdir", data.logDir().toString()));
      case "/data/runs" -> ok(data.runNames());
      case "/data/plugins_listing" ->
          ok(
              Map.of(
                  "scalars", Map.of("enabled", true),
                  "distributions", Map.of("enabled", true),
                  "histograms", Map.of("enabled", true)));
      case "/data/plugin/scalars/tags" -> ok(tags(false));
      case "/data/plugin/histograms/tags", "/data/plugin/distributions/tags" -> ok(tags(true));
      case "/data/plugin/scalars/scalars" -> scalars(query);
      case "/data/plugin/distributions/distributions" -> distributions(query);
      case "/data/board/status" -> ok(status());
      case "/data/board/run" -> {
        String run = required(query, "run");
        RunData r =
            data.run(run)
                .orElseThrow(
                    () ->
                        new BadRequest(
                            HttpStatus.NOT_FOUND_404,
                            "No run '" + run + "'. Runs: " + data.runNames() + "."));
        yield ok(inspector.details(r));
      }
      default ->
          throw new BadRequest(
              HttpStatus.NOT_FOUND_404,
              "No such page: "
                  + path
                  + ". The board serves / and TensorBoard's /data/plugin/scalars/... API.");
    };
  }

  private Map<String, Map<String, Map<String, String>>> tags(boolean histograms) {
    Map<String, Map<String, Map<String, String>>> out = new LinkedHashMap<>();
    for (RunData run : data.runs()) {
      Map<String, Map<String, String>> tags = new LinkedHashMap<>();
      for (String tag : histograms ? run.histogramTags() : run.scalarTags()) {
        tags.put(tag, Map.of("displayName", run.displayName(tag), "description", ""));
      }
      out.put(run.name(), tags);
    }
    return out;
  }

  private Reply scalars(Fields query) {
    String run = required(query, "run");
    String tag = required(query, "tag");
    List<ScalarEvent> points =
        data.scalars(run, tag).orElseThrow(() -> notFound("scalar", run, tag));
    String format = query.getValue("format");
    if ("csv".equalsIgnoreCase(format)) {
      StringBuilder csv = new StringBuilder("Wall time,Step,Value\n");
      for (ScalarEvent p : points) {
        csv.append(number(p.wallTime()))
            .append(',')
            .append(p.step())
            .append(',')
            .append(number(p.value()))
            .append('\n');
      }
      return new Reply(
          HttpStatus.OK_200,
          "text/csv;charset=utf-8",
          csv.toString().getBytes(StandardCharsets.UTF_8));
    }
    if (format != null && !format.equalsIgnoreCase("json")) {
      throw new BadRequest(
          HttpStatus.BAD_REQUEST_400, "format must be json or csv; got '" + format + "'.");
    }
    List<Object[]> triples = new ArrayList<>(points.size());
    for (ScalarEvent p : points) {
      triples.add(new Object[] {p.wallTime(), p.step(), p.value()});
    }
    return ok(triples);
  }

  private Reply distributions(Fields query) {
    String run = required(query, "run");
    String tag = required(query, "tag");
    List<DistributionEvent> steps =
        data.distributions(run, tag).orElseThrow(() -> notFound("histogram", run, tag));
    List<Object[]> out = new ArrayList<>(steps.size());
    for (DistributionEvent d : steps) {
      List<Object[]> pairs = new ArrayList<>();
      for (int i = 0; i < d.values().size(); i++) {
        pairs.add(
            new Object[] {HistogramCompression.NORMAL_HISTOGRAM_BPS.get(i), d.values().get(i)});
      }
      out.add(new Object[] {d.wallTime(), d.step(), pairs});
    }
    return ok(out);
  }

  private Map<String, Object> status() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("logdir", data.logDir().toString());
    out.put("generation", data.generation());
    out.put("runs", data.runNames());
    out.put("messages", data.messages());
    out.put("lastReloadMillis", data.lastReloadMillis());
    out.put("reloadIntervalMillis", reloadInterval.toMillis());
    Map<String, Double> starts = new LinkedHashMap<>();
    data.runs().forEach(r -> starts.put(r.name(), r.firstWallTime()));
    out.put("runStartWallTimes", starts);
    return out;
  }

  private BadRequest notFound(String kind, String run, String tag) {
    Optional<RunData> r = data.run(run);
    if (r.isEmpty()) {
      return new BadRequest(
          HttpStatus.NOT_FOUND_404, "No run '" + run + "'. Runs: " + data.runNames() + ".");
    }
    return new BadRequest(
        HttpStatus.NOT_FOUND_404,
        "No "
            + kind
            + " data for run '"
            + run
            + "', tag '"
            + tag
            + "'. Its "
            + kind
            + " tags: "
            + (kind.equals("scalar") ? r.get().scalarTags() : r.get().histogramTags())
            + ".");
  }

  private static String required(Fields query, String name) {
    String value = query.getValue(name);
    if (value == null) {
      throw new BadRequest(HttpStatus.BAD_REQUEST_400, "Missing query parameter '" + name + "'.");
    }
    return value;
  }

  /** A double as TensorBoard's CSV writes it: shortest round-trip text, NaN and inf as words. */
  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "nan";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "inf" : "-inf";
    }
    return Double.toString(v);
  }

  private Reply ok(Object body) {
    try {
      return new Reply(HttpStatus.OK_200, "application/json", json.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Reply error(int status, String message) {
    try {
      return new Reply(
          status, "application/json", json.writeValueAsBytes(Map.of("error", message)));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] resource(String name) {
    try (InputStream in = BoardServer.class.getResourceAsStream(WEB + name)) {
      if (in == null) {
        throw new IllegalStateException(
            "The board's page file " + name + " is missing from the jar; rebuild e4j.");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
