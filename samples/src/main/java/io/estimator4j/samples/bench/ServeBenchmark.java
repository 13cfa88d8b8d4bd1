package io.estimator4j.samples.bench;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.samples.Census;
import io.estimator4j.samples.CensusData;
import io.estimator4j.samples.CensusExport;
import io.estimator4j.savedmodel.SavedModelPredictor;
import io.estimator4j.savedmodel.SavedModelWriter;
import io.estimator4j.serving.ModelConfig;
import io.estimator4j.serving.ModelServer;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.SessionBundleConfig.BatchingParameters;

/**
 * Load test of the model server on loopback (issue 15, point 7): p50/p99 latency and requests per
 * second for TF Serving's half_plus_two (predict, one row) and the census wide_deep export
 * (classify, one tf.Example) over REST and gRPC at 1, 8 and 64 concurrent clients, with and without
 * batching, against in-process {@link SavedModelPredictor} calls on the same model in the same run,
 * after three floor rows (bare gRPC and Jetty servers answering a fixed reply). gRPC calls go
 * through grpc-java's blocking stub on one channel, REST calls through {@link KeepAliveHttpClient};
 * the 1-client verdict also measures gRPC with an asynchronous client ({@link #chainedLatencies}).
 * Each measurement runs for a fixed time after a warm-up (bounded in time).
 */
public final class ServeBenchmark {
  public static final int[] CLIENTS = {1, 8, 64};

  /**
   * Options: seconds per measurement, census training steps, half_plus_two's base path, TF
   * Serving's {@code --tensorflow_inter_op_parallelism} for the server's and the in-process
   * baseline's sessions alike (0: TensorFlow's default; -1: each request in its caller's thread),
   * and the batching rows' {@code batch_timeout_micros}.
   */
  public record Options(
      double seconds,
      long censusSteps,
      Path halfPlusTwo,
      int interOp,
      long batchTimeoutMicros,
      int alternate,
      double verdictRoundSeconds) {
    public Options(double seconds, long censusSteps, Path halfPlusTwo) {
      this(seconds, censusSteps, halfPlusTwo, 0, 1000, 0, 0.5);
    }

    public Options {
      if (alternate < 0 || alternate > 1000) {
        throw new IllegalArgumentException("--alternate must be in [0, 1000], got " + alternate);
      }
      if (!(verdictRoundSeconds > 0) || verdictRoundSeconds > 10) {
        throw new IllegalArgumentException(
            "--verdict-round-seconds must be in (0, 10], got " + verdictRoundSeconds);
      }
      if (!(seconds > 0) || seconds > 60) {
        throw new IllegalArgumentException("--seconds must be in (0, 60], got " + seconds);
      }
      if (batchTimeoutMicros < 0) {
        throw new IllegalArgumentException(
            "--batch-timeout-micros must be >= 0, got " + batchTimeoutMicros);
      }
      if (censusSteps < 1) {
        throw new IllegalArgumentException("--census-steps must be at least 1");
      }
      if (!Files.isDirectory(halfPlusTwo)) {
        throw new IllegalArgumentException(
            "No directory "
                + halfPlusTwo
                + ": give --half-plus-two, TF Serving's saved_model_half_plus_two base path"
                + " (numbered version directories), e.g. the repository's testdata/savedmodels/"
                + "tf-serving-saved_model_half_plus_two_2_versions");
      }
    }
  }

  private ServeBenchmark() {}

  /** One kind of request to a model, sent three ways. */
  private interface Workload {
    /** One in-process call; {@code options}: TensorFlow's per-run options or null. */
    void inProcess(SavedModelPredictor p, RunOptions options);

    String restPath();

    String restBody();

    void grpc(PredictionServiceGrpc.PredictionServiceBlockingStub stub);

    /**
     * Starts the same gRPC call on {@code stub} and returns; {@code done} gets null when it
     * completes, or its error.
     */
    void grpcAsync(PredictionServiceGrpc.PredictionServiceStub stub, Consumer<Throwable> done);
  }

  /** A call's observer that tells {@code done} its end: null when completed, else the error. */
  private static <T> StreamObserver<T> ending(Consumer<Throwable> done) {
    return new StreamObserver<>() {
      @Override
      public void onNext(T value) {}

      @Override
      public void onError(Throwable t) {
        done.accept(t);
      }

      @Override
      public void onCompleted() {
        done.accept(null);
      }
    };
  }

  public static void run(Options o, PrintStream out) throws Exception {
    Path tmp = Files.createTempDirectory("e4j-bench-serve-");
    try {
      Path census = tmp.resolve("census");
      out.println(Machine.describe());
      out.println("Training census wide_deep " + o.censusSteps() + " steps for its export ...");
      Estimator est =
          Census.estimator(
              Census.Model.WIDE_DEEP,
              RunConfig.builder()
                  .modelDir(tmp.resolve("model"))
                  .randomSeed(42)
                  .noPeriodicCheckpoints()
                  .saveSummarySteps(0)
                  .logStepCountSteps(0)
                  .build());
      est.train(
          CensusData.input(CensusData.trainFile(), true, null, Census.BATCH_SIZE, 1),
          StepLimit.steps(o.censusSteps()));
      Path export = CensusExport.export(est, census);
      Path hp2 = ModelServerVersions.latest(o.halfPlusTwo());
      Example row =
          CensusBenchmark.toExample(
              Files.readAllLines(CensusData.trainFile()).get(0).split(",", -1));

      Workload halfPlusTwo = halfPlusTwo();
      Workload censusClassify = census(row);
      out.println();
      out.println("| model | path | batching | clients | requests/s | p50 µs | p99 µs |");
      out.println("|---|---|---|---|---|---|---|");
      floors(out, o);
      measureModel(out, o, "half_plus_two", o.halfPlusTwo(), hp2, halfPlusTwo);
      measureModel(out, o, "census", census, export, censusClassify);
      if (o.alternate() > 0) {
        out.println();
        out.printf(
            Locale.ROOT,
            "1 client, batching off, median of %d alternating rounds of %.1f s per path:%n%n",
            o.alternate(),
            o.verdictRoundSeconds());
        out.println(VERDICT_HEADER);
        verdict(out, o, "half_plus_two", o.halfPlusTwo(), hp2, halfPlusTwo);
        verdict(out, o, "census", census, export, censusClassify);
        out.println();
        out.printf(
            Locale.ROOT,
            "%d clients, batching off and on (both servers up at once), median of %d alternating"
                + " rounds of %.1f s per path:%n%n",
            BATCHING_CLIENTS,
            o.alternate(),
            o.verdictRoundSeconds());
        out.println(BATCHING_VERDICT_HEADER);
        batchingVerdict(out, o, "half_plus_two", o.halfPlusTwo(), halfPlusTwo);
        batchingVerdict(out, o, "census", census, censusClassify);
      }
      out.println();
      out.println(Machine.loadAverage());
    } finally {
      // the census model_dir and export (the benchmark writes nothing else)
      SavedModelWriter.deleteRecursively(tmp);
    }
  }

  /**
   * The loopback floor of each protocol with the same clients: bare gRPC servers (Netty; the call
   * on the transport thread, as the model server runs quick calls, and on an executor, as it runs
   * the others) and a bare Jetty server answering a fixed half_plus_two reply without any model, at
   * 1 client. What a row adds above these is the server's own work.
   */
  private static void floors(PrintStream out, Options o) throws Exception {
    try (Floors f = new Floors()) {
      row("-", "warm-up", "-", 8, o, f.grpcDirect);
      row("-", "warm-up", "-", 8, o, f.grpcPooled);
      row("-", "warm-up", "-", 8, o, f.rest);
      out.println(
          row("-", "gRPC floor: no model, fixed reply, transport thread", "-", 1, o, f.grpcDirect));
      out.println(row("-", "gRPC floor: no model, fixed reply, executor", "-", 1, o, f.grpcPooled));
      out.println(row("-", "REST floor: no model, fixed reply", "-", 1, o, f.rest));
    }
  }

  /** The floor servers, and a call to each through the benchmark's clients. */
  private static final class Floors implements AutoCloseable {
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final io.grpc.Server direct;
    private final io.grpc.Server pooled;
    private final org.eclipse.jetty.server.Server jetty = new org.eclipse.jetty.server.Server();
    private final ManagedChannel toDirect;
    private final ManagedChannel toDirectAsync;
    private final ManagedChannel toPooled;
    private final KeepAliveHttpClient http;
    final Runnable grpcDirect;
    final AsyncCall grpcDirectAsync;
    final Runnable grpcPooled;
    final Runnable rest;

    Floors() throws Exception {
      direct = fixedGrpc(null);
      pooled = fixedGrpc(executor);
      String body = "{\n    \"predictions\": [[2.5]\n    ]\n}";
      org.eclipse.jetty.server.ServerConnector connector =
          new org.eclipse.jetty.server.ServerConnector(jetty);
      connector.setHost("127.0.0.1");
      jetty.addConnector(connector);
      jetty.setHandler(
          new org.eclipse.jetty.server.Handler.Abstract() {
            @Override
            public boolean handle(
                org.eclipse.jetty.server.Request request,
                org.eclipse.jetty.server.Response response,
                org.eclipse.jetty.util.Callback callback) {
              response.setStatus(200);
              org.eclipse.jetty.io.Content.Sink.write(response, true, body, callback);
              return true;
            }
          });
      jetty.start();
      toDirect = clientChannel(direct.getPort());
      toDirectAsync = asyncClientChannel(direct.getPort());
      toPooled = clientChannel(pooled.getPort());
      Workload w = halfPlusTwo();
      http =
          new KeepAliveHttpClient(
              "127.0.0.1", connector.getLocalPort(), w.restPath(), w.restBody());
      var d = PredictionServiceGrpc.newBlockingStub(toDirect);
      var p = PredictionServiceGrpc.newBlockingStub(toPooled);
      grpcDirect = () -> w.grpc(d);
      var a = PredictionServiceGrpc.newStub(toDirectAsync);
      grpcDirectAsync = done -> w.grpcAsync(a, done);
      grpcPooled = () -> w.grpc(p);
      rest = http::post;
    }

    @Override
    public void close() throws Exception {
      http.close();
      shutdown(toDirect, toDirectAsync, toPooled);
      for (io.grpc.Server g : List.of(direct, pooled)) {
        g.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
      executor.shutdownNow();
      jetty.stop();
    }
  }

  /**
   * A gRPC server that answers every Predict with y = [[2.5]]; null executor: grpc's direct one.
   */
  private static io.grpc.Server fixedGrpc(ExecutorService executor) throws IOException {
    PredictResponse fixed = PredictResponse.newBuilder().putOutputs("y", oneByOne(2.5f)).build();
    var b =
        io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder.forAddress(
            new java.net.InetSocketAddress("127.0.0.1", 0));
    if (executor == null) {
      b.directExecutor();
    } else {
      b.executor(executor);
    }
    return b.addService(
            new PredictionServiceGrpc.PredictionServiceImplBase() {
              @Override
              public void predict(
                  PredictRequest request, io.grpc.stub.StreamObserver<PredictResponse> reply) {
                reply.onNext(fixed);
                reply.onCompleted();
              }
            })
        .build()
        .start();
  }

  private static void measureModel(
      PrintStream out, Options o, String name, Path base, Path version, Workload w)
      throws Exception {
    // the server's session configuration, built by the server's own rule, serves the baseline too
    ConfigProto config = ModelServer.sessionParallelism(0, 0, o.interOp());
    try (SavedModelPredictor p = SavedModelPredictor.load(version, Set.of("serve"), config)) {
      row(name, "warm-up", "-", 8, o, () -> w.inProcess(p, null));
      for (int c : CLIENTS) {
        out.println(
            row(name, "in-process SavedModelPredictor", "-", c, o, () -> w.inProcess(p, null)));
      }
      // the server runs a quick model's graph in the calling thread: the baseline for that too
      RunOptions inline = SavedModelPredictor.IN_CALLER_THREAD;
      for (int c : CLIENTS) {
        String path = "in-process SavedModelPredictor, caller thread";
        out.println(row(name, path, "-", c, o, () -> w.inProcess(p, inline)));
      }
      // a served request follows an idle gap (its round trip): the same calls after one
      for (RunOptions options : Arrays.asList(null, inline)) {
        String path =
            "in-process SavedModelPredictor"
                + (options == null ? "" : ", caller thread")
                + ", idle "
                + PAUSE_NANOS / 1000
                + " µs before each call";
        out.println(row(name, path, "-", 1, o, PAUSE_NANOS, () -> w.inProcess(p, options)));
      }
    }
    for (boolean batching : new boolean[] {false, true}) {
      ModelServer.Builder b = loopbackServer(name, base, config);
      if (batching) {
        b.batching(batchingParameters(o));
      }
      try (ModelServer server = b.start()) {
        ManagedChannel channel = clientChannel(server.grpcPort());
        KeepAliveHttpClient http =
            new KeepAliveHttpClient("127.0.0.1", server.restApiPort(), w.restPath(), w.restBody());
        String on = batching ? "on" : "off";
        try {
          var stub = PredictionServiceGrpc.newBlockingStub(channel);
          // a new server's paths (Netty, Jetty, the handlers) are cold: warm both with 8 clients
          // before any row, or the first rows measure the JIT
          row(name, "warm-up", on, 8, o, () -> w.grpc(stub));
          row(name, "warm-up", on, 8, o, http::post);
          for (int c : CLIENTS) {
            out.println(row(name, "gRPC", on, c, o, () -> w.grpc(stub)));
          }
          for (int c : CLIENTS) {
            out.println(row(name, "REST", on, c, o, http::post));
          }
        } finally {
          shutdown(channel);
          http.close();
        }
      }
    }
  }

  /** The batching rows' parameters. */
  private static BatchingParameters batchingParameters(Options o) {
    // TF Serving's batching guide's CPU starting point: small timeout, threads = cores
    return BatchingParameters.newBuilder()
        .setMaxBatchSize(com.google.protobuf.Int64Value.of(64))
        .setBatchTimeoutMicros(com.google.protobuf.Int64Value.of(o.batchTimeoutMicros()))
        .setMaxEnqueuedBatches(com.google.protobuf.Int64Value.of(1000))
        .setNumBatchThreads(
            com.google.protobuf.Int64Value.of(Runtime.getRuntime().availableProcessors()))
        .build();
  }

  /** The server every row measures: one model, free loopback ports, no polling. */
  private static ModelServer.Builder loopbackServer(String name, Path base, ConfigProto config) {
    return ModelServer.builder()
        .model(ModelConfig.of(name, base))
        .host("127.0.0.1")
        .restApiPort(0)
        .grpcPort(0)
        .fileSystemPollWaitSeconds(0)
        .sessionConfig(config);
  }

  /** A float tensor of shape [1, 1], half_plus_two's x and y for one row. */
  private static TensorProto oneByOne(float v) {
    return TensorProto.newBuilder()
        .setDtype(DataType.DT_FLOAT)
        .setTensorShape(
            TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1))
                .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
        .addFloatVal(v)
        .build();
  }

  private static Workload halfPlusTwo() {
    TensorProto x = oneByOne(1f);
    PredictRequest.Builder req = PredictRequest.newBuilder().putInputs("x", x);
    req.getModelSpecBuilder().setName("half_plus_two");
    PredictRequest request = req.build();
    return new Workload() {
      @Override
      public void inProcess(SavedModelPredictor p, RunOptions options) {
        try (TFloat32 t = TFloat32.tensorOf(Shape.of(1, 1), DataBuffers.of(new float[] {1f}))) {
          SavedModelPredictorCalls.close(
              p.predictAsServing("serving_default", Map.of("x", t), null, options));
        }
      }

      @Override
      public String restPath() {
        return "/v1/models/half_plus_two:predict";
      }

      @Override
      public String restBody() {
        return "{\"instances\": [[1.0]]}";
      }

      @Override
      public void grpc(PredictionServiceGrpc.PredictionServiceBlockingStub stub) {
        stub.predict(request);
      }

      @Override
      public void grpcAsync(
          PredictionServiceGrpc.PredictionServiceStub stub, Consumer<Throwable> done) {
        stub.predict(request, ending(done));
      }
    };
  }

  private static Workload census(Example row) {
    ClassificationRequest.Builder req =
        ClassificationRequest.newBuilder()
            .setInput(Input.newBuilder().setExampleList(ExampleList.newBuilder().addExamples(row)));
    req.getModelSpecBuilder().setName("census");
    ClassificationRequest request = req.build();
    byte[] serialized = row.toByteArray();
    StringBuilder json = new StringBuilder("{\"examples\": [{");
    String sep = "";
    for (var e : row.getFeatures().getFeatureMap().entrySet()) {
      json.append(sep).append('"').append(e.getKey()).append("\": ");
      var f = e.getValue();
      if (f.hasFloatList()) {
        json.append(f.getFloatList().getValue(0));
      } else {
        json.append('"').append(f.getBytesList().getValue(0).toStringUtf8().strip()).append('"');
      }
      sep = ", ";
    }
    String body = json.append("}]}").toString();
    return new Workload() {
      @Override
      public void inProcess(SavedModelPredictor p, RunOptions options) {
        try (TString t =
            TString.tensorOfBytes(Shape.of(1), DataBuffers.ofObjects(new byte[][] {serialized}))) {
          SavedModelPredictorCalls.close(
              p.predictAsServing("serving_default", Map.of("inputs", t), null, options));
        }
      }

      @Override
      public String restPath() {
        return "/v1/models/census:classify";
      }

      @Override
      public String restBody() {
        return body;
      }

      @Override
      public void grpc(PredictionServiceGrpc.PredictionServiceBlockingStub stub) {
        stub.classify(request);
      }

      @Override
      public void grpcAsync(
          PredictionServiceGrpc.PredictionServiceStub stub, Consumer<Throwable> done) {
        stub.classify(request, ending(done));
      }
    };
  }

  /** Runs {@code call} from {@code clients} threads for the configured time after a warm-up. */
  private static String row(
      String model, String path, String batching, int clients, Options o, Runnable call)
      throws Exception {
    return row(model, path, batching, clients, o, 0, call);
  }

  /** Like the above, each client idle for {@code pauseNanos} before each call (not counted). */
  private static String row(
      String model,
      String path,
      String batching,
      int clients,
      Options o,
      long pauseNanos,
      Runnable call)
      throws Exception {
    long runNanos = (long) (o.seconds() * 1e9);
    long[] all =
        latencies(clients, (long) Math.min(1e9, o.seconds() * 1e9 / 2), runNanos, pauseNanos, call);
    return String.format(
        Locale.ROOT,
        "| %s | %s | %s | %d | %.0f | %.0f | %.0f |",
        model,
        path,
        batching,
        clients,
        all.length / (runNanos / 1e9),
        all.length == 0 ? Double.NaN : all[all.length / 2] / 1e3,
        all.length == 0 ? Double.NaN : all[(int) (all.length * 0.99)] / 1e3);
  }

  /**
   * Runs {@code call} back to back from {@code clients} threads for {@code warmupNanos} and then
   * {@code runNanos}; returns the latencies of the calls that started after the warm-up, sorted.
   */
  private static long[] latencies(int clients, long warmupNanos, long runNanos, Runnable call)
      throws Exception {
    return latencies(clients, warmupNanos, runNanos, 0, call);
  }

  /** Like the above, each client idle for {@code pauseNanos} before each call (not counted). */
  private static long[] latencies(
      int clients, long warmupNanos, long runNanos, long pauseNanos, Runnable call)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    try {
      long start = System.nanoTime();
      long measureFrom = start + warmupNanos;
      long end = measureFrom + runNanos;
      List<Future<long[]>> futures = new ArrayList<>();
      for (int t = 0; t < clients; t++) {
        futures.add(
            pool.submit(
                () -> {
                  long[] lat = new long[1 << 12];
                  int n = 0;
                  long now;
                  while (true) {
                    if (pauseNanos > 0) {
                      LockSupport.parkNanos(pauseNanos);
                    }
                    if ((now = System.nanoTime()) >= end) {
                      break;
                    }
                    call.run();
                    long done = System.nanoTime();
                    if (now >= measureFrom) {
                      if (n == lat.length) {
                        lat = Arrays.copyOf(lat, n * 2);
                      }
                      lat[n++] = done - now;
                    }
                  }
                  return Arrays.copyOf(lat, n);
                }));
      }
      List<long[]> parts = new ArrayList<>();
      for (Future<long[]> f : futures) {
        parts.add(f.get((warmupNanos + runNanos) / 1_000_000_000L + 120, TimeUnit.SECONDS));
      }
      return parts.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    } finally {
      pool.shutdownNow();
    }
  }

  /** One asynchronous call: starts it; {@code done} gets null when it completes, or its error. */
  interface AsyncCall {
    void start(Consumer<Throwable> done);
  }

  /**
   * A channel for the asynchronous client: grpc-java's direct executor runs each call's callbacks
   * on the client's transport thread, where {@link #chainedLatencies} starts the next call.
   */
  private static ManagedChannel asyncClientChannel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port)
        .usePlaintext()
        .directExecutor()
        .build();
  }

  /**
   * Like {@link #latencies} for 1 client, the way gRPC's own benchmarks measure unary latency (an
   * asynchronous client, "unary ping-pong"): each call is started from the previous call's
   * completion callback, on the client's transport thread, so no client thread waits and is woken
   * for each answer. The blocking stub's two hand-offs per call (calling thread to transport thread
   * and back) are client work that a server cannot save.
   */
  private static long[] chainedLatencies(long warmupNanos, long runNanos, AsyncCall call)
      throws Exception {
    long measureFrom = System.nanoTime() + warmupNanos;
    Chain chain = new Chain(call, measureFrom, measureFrom + runNanos);
    chain.next();
    long[] all =
        chain.result.get((warmupNanos + runNanos) / 1_000_000_000L + 120, TimeUnit.SECONDS);
    Arrays.sort(all);
    return all;
  }

  /** {@link #chainedLatencies}' calls: each one's end starts the next, until {@code end}. */
  private static final class Chain implements Consumer<Throwable> {
    final CompletableFuture<long[]> result = new CompletableFuture<>();
    private final AsyncCall call;
    private final long measureFrom;
    private final long end;
    private long[] lat = new long[1 << 12];
    private int n;
    private long started;

    Chain(AsyncCall call, long measureFrom, long end) {
      this.call = call;
      this.measureFrom = measureFrom;
      this.end = end;
    }

    void next() {
      started = System.nanoTime();
      if (started >= end) {
        result.complete(Arrays.copyOf(lat, n));
      } else {
        call.start(this);
      }
    }

    @Override
    public void accept(Throwable error) {
      long done = System.nanoTime();
      if (error != null) {
        result.completeExceptionally(error);
        return;
      }
      if (started >= measureFrom) {
        if (n == lat.length) {
          lat = Arrays.copyOf(lat, n * 2);
        }
        lat[n++] = done - started;
      }
      next();
    }
  }

  /**
   * The 1-client goals of issue 15 point 7, measured in alternating rounds (the machine's speed
   * drifts by tens of percent within minutes, so paths measured minutes apart do not compare): each
   * round measures every path once at 1 client for {@code --verdict-round-seconds}; the median over
   * rounds of each path's p50 is compared with the goals against both in-process baselines
   * (TensorFlow's pool, as {@code SavedModelPredictor} runs by default, and the calling thread, as
   * the server runs a quick model). Batching off.
   */
  private static void verdict(
      PrintStream out, Options o, String name, Path base, Path version, Workload w)
      throws Exception {
    ConfigProto config = ModelServer.sessionParallelism(0, 0, o.interOp());
    try (SavedModelPredictor p = SavedModelPredictor.load(version, Set.of("serve"), config);
        Floors floors = new Floors();
        ModelServer server = loopbackServer(name, base, config).start();
        KeepAliveHttpClient http =
            new KeepAliveHttpClient(
                "127.0.0.1", server.restApiPort(), w.restPath(), w.restBody())) {
      ManagedChannel channel = clientChannel(server.grpcPort());
      ManagedChannel asyncChannel = asyncClientChannel(server.grpcPort());
      try {
        var stub = PredictionServiceGrpc.newBlockingStub(channel);
        var asyncStub = PredictionServiceGrpc.newStub(asyncChannel);
        Map<String, Runnable> paths = new LinkedHashMap<>();
        paths.put("in-process", () -> w.inProcess(p, null));
        paths.put(
            "in-process, caller thread",
            () -> w.inProcess(p, SavedModelPredictor.IN_CALLER_THREAD));
        paths.put("gRPC", () -> w.grpc(stub));
        paths.put("REST", http::post);
        paths.put("gRPC floor", floors.grpcDirect);
        paths.put("REST floor", floors.rest);
        Map<String, AsyncCall> chained = new LinkedHashMap<>();
        chained.put("gRPC, async client", done -> w.grpcAsync(asyncStub, done));
        chained.put("gRPC floor, async client", floors.grpcDirectAsync);
        for (Runnable r : paths.values()) {
          latencies(8, 1_000_000_000L, 0, r); // warm-up: JIT, and the server's quick runs
        }
        for (AsyncCall c : chained.values()) {
          chainedLatencies(1_000_000_000L, 0, c);
        }
        long round = (long) (o.verdictRoundSeconds() * 1e9);
        // each path's p50 in µs, a round at a time
        Map<String, Measure> p50s = new LinkedHashMap<>();
        paths.forEach((k, r) -> p50s.put(k, () -> p50(latencies(1, 0, round, r)) / 1e3));
        chained.forEach((k, c) -> p50s.put(k, () -> p50(chainedLatencies(0, round, c)) / 1e3));
        Map<String, Double> m = mediansOfRounds(o.alternate(), p50s);
        out.println(
            verdictRow(
                name,
                m.get("in-process"),
                m.get("in-process, caller thread"),
                m.get("gRPC"),
                m.get("gRPC, async client"),
                m.get("REST"),
                m.get("gRPC floor"),
                m.get("gRPC floor, async client"),
                m.get("REST floor")));
      } finally {
        shutdown(channel, asyncChannel);
      }
    }
  }

  /** The clients of the batching verdict: the "batching raising throughput at 64". */
  static final int BATCHING_CLIENTS = 64;

  /**
   * The batching goal measured fairly: the server without batching and the one with it run side by
   * side and take turns, round by round, so both see the same JIT state and machine load. Rows
   * measured one server after the other do not compare at 64 clients: in a fresh JVM
   * half_plus_two's throughput there climbs for about 30 s while the JIT competes with 64 client
   * threads for the cores (BENCHMARKS.md, issue 15 point 7, session 8), and the rows without
   * batching come first.
   */
  private static void batchingVerdict(
      PrintStream out, Options o, String name, Path base, Workload w) throws Exception {
    ConfigProto config = ModelServer.sessionParallelism(0, 0, o.interOp());
    try (ModelServer off = loopbackServer(name, base, config).start();
        ModelServer on =
            loopbackServer(name, base, config).batching(batchingParameters(o)).start();
        KeepAliveHttpClient restOff =
            new KeepAliveHttpClient("127.0.0.1", off.restApiPort(), w.restPath(), w.restBody());
        KeepAliveHttpClient restOn =
            new KeepAliveHttpClient("127.0.0.1", on.restApiPort(), w.restPath(), w.restBody())) {
      ManagedChannel channelOff = clientChannel(off.grpcPort());
      ManagedChannel channelOn = clientChannel(on.grpcPort());
      try {
        var stubOff = PredictionServiceGrpc.newBlockingStub(channelOff);
        var stubOn = PredictionServiceGrpc.newBlockingStub(channelOn);
        Map<String, Runnable> paths = new LinkedHashMap<>();
        paths.put("gRPC off", () -> w.grpc(stubOff));
        paths.put("gRPC on", () -> w.grpc(stubOn));
        paths.put("REST off", restOff::post);
        paths.put("REST on", restOn::post);
        for (Runnable r : paths.values()) {
          latencies(8, 1_000_000_000L, 0, r); // warm-up: JIT, the servers' runs and batches
        }
        long round = (long) (o.verdictRoundSeconds() * 1e9);
        // each path's requests/s, a round at a time
        Map<String, Measure> rates = new LinkedHashMap<>();
        paths.forEach(
            (k, r) ->
                rates.put(
                    k, () -> latencies(BATCHING_CLIENTS, 0, round, r).length / (round / 1e9)));
        Map<String, Double> m = mediansOfRounds(o.alternate(), rates);
        out.println(
            batchingVerdictRow(
                name, m.get("gRPC off"), m.get("gRPC on"), m.get("REST off"), m.get("REST on")));
      } finally {
        shutdown(channelOff, channelOn);
      }
    }
  }

  /** The batching verdict table's header, in the order of {@link #batchingVerdictRow}'s columns. */
  static final String BATCHING_VERDICT_HEADER =
      "| model | gRPC requests/s, batching off / on | batching raises gRPC's | REST requests/s,"
          + " batching off / on | batching raises REST's |\n|---|---|---|---|---|";

  /**
   * One batching verdict row: the median requests/s of each path, and whether batching raised it.
   */
  static String batchingVerdictRow(
      String model, double grpcOff, double grpcOn, double restOff, double restOn) {
    return String.format(
        Locale.ROOT,
        "| %s | %.0f / %.0f | %s (x%.2f) | %.0f / %.0f | %s (x%.2f) |",
        model,
        grpcOff,
        grpcOn,
        grpcOn > grpcOff ? "yes" : "no",
        grpcOn / grpcOff,
        restOff,
        restOn,
        restOn > restOff ? "yes" : "no",
        restOn / restOff);
  }

  /**
   * The idle gap of the paced in-process rows: about a loopback round trip, after which a request
   * reaches the server. After it a CPU's caches no longer hold the call's code and data: a
   * half_plus_two run in the caller took 13 µs back to back and 35-40 µs after 100 µs idle (issue
   * 15 point 7, session 7).
   */
  static final long PAUSE_NANOS = 100_000;

  /** One measurement of a path (a p50, a rate). */
  private interface Measure {
    double take() throws Exception;
  }

  /**
   * Takes every measure once a round, in order, for {@code rounds} rounds (paths measured minutes
   * apart do not compare on this machine; alternating ones do), and returns each one's median.
   */
  private static Map<String, Double> mediansOfRounds(int rounds, Map<String, Measure> measures)
      throws Exception {
    Map<String, double[]> taken = new LinkedHashMap<>();
    measures.keySet().forEach(k -> taken.put(k, new double[rounds]));
    for (int i = 0; i < rounds; i++) {
      for (Map.Entry<String, Measure> e : measures.entrySet()) {
        taken.get(e.getKey())[i] = e.getValue().take();
      }
    }
    Map<String, Double> medians = new LinkedHashMap<>();
    taken.forEach((k, v) -> medians.put(k, Stats.median(v)));
    return medians;
  }

  /** A blocking client's channel to a loopback port. */
  private static ManagedChannel clientChannel(int port) {
    return NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
  }

  /** Shuts the channels down, waiting for each. */
  private static void shutdown(ManagedChannel... channels) throws InterruptedException {
    for (ManagedChannel c : channels) {
      c.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** The median of sorted {@code latencies}; for none, the largest long. */
  private static long p50(long[] latencies) {
    return latencies.length == 0 ? Long.MAX_VALUE : latencies[latencies.length / 2];
  }

  /** The verdict table's header, in the order of {@link #verdictRow}'s columns. */
  static final String VERDICT_HEADER =
      "| model | in-process p50 µs (pool / caller thread) | gRPC p50 µs (blocking / async client)"
          + " | gRPC goal 1.5x + 200 µs (pool / caller), blocking client | async client | REST p50"
          + " µs | REST goal 2x (pool / caller) | REST goal 2x + 200 µs (pool / caller) | gRPC floor"
          + " µs (blocking / async client) / REST floor µs |\n|---|---|---|---|---|---|---|---|---|";

  /** One verdict row: the medians (µs) and each goal against each baseline, met or not. */
  static String verdictRow(
      String model,
      double inPool,
      double inCaller,
      double grpc,
      double grpcAsync,
      double rest,
      double grpcFloor,
      double grpcAsyncFloor,
      double restFloor) {
    return String.format(
        Locale.ROOT,
        "| %s | %.0f / %.0f | %.0f / %.0f | %s | %s | %.0f | %s | %s | %.0f / %.0f / %.0f |",
        model,
        inPool,
        inCaller,
        grpc,
        grpcAsync,
        goals(grpc, 1.5 * inPool + 200, 1.5 * inCaller + 200),
        goals(grpcAsync, 1.5 * inPool + 200, 1.5 * inCaller + 200),
        rest,
        goals(rest, 2 * inPool, 2 * inCaller),
        goals(rest, 2 * inPool + 200, 2 * inCaller + 200),
        grpcFloor,
        grpcAsyncFloor,
        restFloor);
  }

  private static String goals(double got, double againstPool, double againstCaller) {
    return String.format(
        Locale.ROOT,
        "%.0f %s / %.0f %s",
        againstPool,
        got <= againstPool ? "met" : "not met",
        againstCaller,
        got <= againstCaller ? "met" : "not met");
  }

  /** Closes a call's outputs. */
  private static final class SavedModelPredictorCalls {
    static void close(Map<String, Tensor> out) {
      SavedModelPredictor.closeAll(out.values());
    }
  }

  /** The version directory TF Serving would serve by default: the highest number. */
  private static final class ModelServerVersions {
    static Path latest(Path base) throws IOException {
      try (var s = Files.list(base)) {
        return s.filter(p -> p.getFileName().toString().matches("[0-9]+"))
            .max((a, b) -> Long.compare(num(a), num(b)))
            .orElseThrow(() -> new IllegalArgumentException("No version directory in " + base));
      }
    }

    private static long num(Path p) {
      return Long.parseLong(p.getFileName().toString());
    }
  }
}
