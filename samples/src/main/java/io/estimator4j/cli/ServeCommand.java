package io.estimator4j.cli;

import io.estimator4j.serving.ModelConfig;
import io.estimator4j.serving.ModelConfigFile;
import io.estimator4j.serving.ModelServer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.tensorflow.proto.ConfigProto;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code e4j serve}: TF Serving's {@code tensorflow_model_server} in Java, with its flag names; see
 * {@link ModelServer}.
 */
@Command(
    name = "serve",
    description = {
      "Serve SavedModels over TF Serving's REST and gRPC APIs (as tensorflow_model_server).",
      "MODEL_BASE_PATH holds numbered version directories (1/, 2/, ...); the latest is served and"
          + " newer ones are picked up from disk every --file_system_poll_wait_seconds. Stops on"
          + " SIGTERM or Ctrl-C after the requests in flight."
    })
final class ServeCommand implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(names = "--model_name", paramLabel = "NAME", description = "Name of the model.")
  private String modelName = "default";

  @Option(
      names = "--model_base_path",
      paramLabel = "DIR",
      description = "Directory of the model's numbered version directories.")
  private Path modelBasePath;

  @Option(
      names = "--model_config_file",
      paramLabel = "FILE",
      description =
          "A ModelServerConfig text proto (model_config_list with name, base_path,"
              + " model_version_policy, version_labels); instead of --model_name/--model_base_path.")
  private Path modelConfigFile;

  @Option(
      names = "--rest_api_port",
      paramLabel = "PORT",
      description =
          "Port of the REST API (default ${DEFAULT-VALUE}; 0: no REST API, as TF Serving).")
  private int restApiPort = 8501;

  @Option(
      names = "--port",
      paramLabel = "PORT",
      description = "Port of TF Serving's gRPC API, PredictionService (default ${DEFAULT-VALUE}).")
  private int port = 8500;

  @Option(
      names = "--rest_api_host",
      paramLabel = "ADDR",
      description = "Address the REST API listens on (default ${DEFAULT-VALUE}, as TF Serving).")
  private String host = "0.0.0.0";

  @Option(
      names = "--file_system_poll_wait_seconds",
      paramLabel = "SECONDS",
      description = "How often to look for new versions (default ${DEFAULT-VALUE}; 0: never).")
  private long pollSeconds = 2;

  @Option(
      names = "--num_load_threads",
      paramLabel = "N",
      description = "Threads loading versions (default ${DEFAULT-VALUE}).")
  private int loadThreads = 2;

  @Option(
      names = "--enable_batching",
      description =
          "Merge concurrent requests into one session run (TF Serving's batching; defaults:"
              + " max_batch_size 1000, batch_timeout_micros 0, max_enqueued_batches 10,"
              + " num_batch_threads = CPUs).")
  private boolean enableBatching;

  @Option(
      names = "--batching_parameters_file",
      paramLabel = "FILE",
      description =
          "A BatchingParameters text proto (max_batch_size { value: 128 } batch_timeout_micros"
              + " { value: 1000 } num_batch_threads { value: 4 } max_enqueued_batches { value:"
              + " 100 } allowed_batch_sizes: ...); used with --enable_batching.")
  private Path batchingParametersFile;

  @Option(
      names = "--grpc_max_threads",
      paramLabel = "N",
      description =
          "gRPC calls served at a time (default, as TF Serving: 4 per core; with batching at"
              + " least max_batch_size).")
  private Integer grpcMaxThreads;

  @Option(
      names = "--tensorflow_session_parallelism",
      paramLabel = "N",
      description =
          "Threads TensorFlow uses to run a session, intra- and inter-op (default 0: chosen by"
              + " TensorFlow).")
  private int sessionParallelism;

  @Option(
      names = "--tensorflow_intra_op_parallelism",
      paramLabel = "N",
      description = "Threads parallelising one op (default 0: chosen by TensorFlow).")
  private int intraOpParallelism;

  @Option(
      names = "--tensorflow_inter_op_parallelism",
      paramLabel = "N",
      description =
          "Ops of one request run at a time (default 0: chosen by TensorFlow); -1 runs each"
              + " request's graph in the thread that received it, the lowest latency for small"
              + " graphs.")
  private int interOpParallelism;

  @Option(
      names = "--monitoring_config_file",
      paramLabel = "FILE",
      description =
          "A MonitoringConfig text proto; prometheus_config { enable: true } serves Prometheus"
              + " metrics at /monitoring/prometheus/metrics (or its path) on the REST port.")
  private Path monitoringConfigFile;

  @Override
  public Integer call() throws Exception {
    ConfigProto sessionConfig = null;
    if (sessionParallelism != 0 || intraOpParallelism != 0 || interOpParallelism != 0) {
      try {
        sessionConfig =
            ModelServer.sessionParallelism(
                sessionParallelism, intraOpParallelism, interOpParallelism);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
    }
    List<ModelConfig> models;
    if (modelConfigFile != null) {
      if (modelBasePath != null) {
        throw new ParameterException(
            spec.commandLine(),
            "Give either --model_config_file or --model_base_path, not both (as TF Serving).");
      }
      models = ModelConfigFile.read(modelConfigFile);
    } else if (modelBasePath != null) {
      models = List.of(ModelConfig.of(modelName, modelBasePath));
    } else {
      throw new ParameterException(
          spec.commandLine(), "Give --model_base_path (with --model_name) or --model_config_file.");
    }
    ModelServer.Builder builder =
        ModelServer.builder()
            .models(models)
            .host(host)
            .restApiPort(restApiPort == 0 ? -1 : restApiPort)
            .grpcPort(port)
            .fileSystemPollWaitSeconds(pollSeconds)
            .numLoadThreads(loadThreads);
    if (grpcMaxThreads != null) {
      builder.grpcMaxThreads(grpcMaxThreads);
    }
    if (sessionConfig != null) {
      builder.sessionConfig(sessionConfig);
    }
    if (enableBatching) {
      if (batchingParametersFile != null) {
        builder.batchingParametersFile(batchingParametersFile);
      } else {
        builder.enableBatching();
      }
    } else if (batchingParametersFile != null) {
      // TF Serving ignores the file without --enable_batching; say so rather than surprise.
      System.err.println(
          "e4j serve: --batching_parameters_file has no effect without" + " --enable_batching.");
    }
    if (monitoringConfigFile != null) {
      builder.monitoringConfigFile(monitoringConfigFile);
    }
    ModelServer server = builder.start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                },
                "e4j-serve-shutdown"));
    System.err.println(
        "e4j serve: "
            + models.size()
            + " model(s); REST API on "
            + host
            + ":"
            + server.restApiPort()
            + ", gRPC on "
            + host
            + ":"
            + server.grpcPort());
    stopped.await();
    return 0;
  }
}
