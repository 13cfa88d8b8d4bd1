package io.estimator4j.estimator.config;

import io.estimator4j.checkpoint.TensorFlowFlavour;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * Immutable run configuration of an {@link Estimator}; Java counterpart of tf.estimator.RunConfig.
 *
 * <p>Checkpoints are saved every {@code saveCheckpointsSteps} steps or every {@code
 * saveCheckpointsSecs} seconds (never both; default 600 seconds, as TensorFlow).
 */
public final class RunConfig {
  public static final int DEFAULT_SAVE_SUMMARY_STEPS = 100;
  public static final int DEFAULT_SAVE_CHECKPOINTS_SECS = 600;
  public static final int DEFAULT_KEEP_CHECKPOINT_MAX = 5;
  public static final double DEFAULT_KEEP_CHECKPOINT_EVERY_N_HOURS = 10000;
  public static final int DEFAULT_LOG_STEP_COUNT_STEPS = 100;

  /** Cap of a worker's start delay, min(cap, (index + 1) * 5) seconds (TensorFlow's 60). */
  public static final int DEFAULT_MAX_WORKER_DELAY_SECS = 60;

  /** How long a non-chief worker waits for the chief to initialise the variables. */
  public static final int DEFAULT_SESSION_CREATION_TIMEOUT_SECS = 7200;

  /** In a cluster: the longest a session run may wait on other tasks (ConfigProto). */
  public static final long DEFAULT_OPERATION_TIMEOUT_MS = 60_000;

  private final Path modelDir;
  private final Long randomSeed;
  private final Integer saveCheckpointsSteps;
  private final Integer saveCheckpointsSecs;
  private final int keepCheckpointMax;
  private final double keepCheckpointEveryNHours;
  private final int saveSummarySteps;
  private final int logStepCountSteps;
  private final ConfigProto sessionConfig;
  private final ClusterConfig cluster;
  private final DeviceFn deviceFn;
  private final PsStrategy psStrategy;
  private final Integer syncReplicasToAggregate;
  private final int maxWorkerDelaySecs;
  private final int sessionCreationTimeoutSecs;
  private final boolean allowFreshStart;
  private final TensorFlowFlavour tensorFlowFlavour;

  private RunConfig(Builder b) {
    this.modelDir = b.modelDir;
    this.randomSeed = b.randomSeed;
    this.saveCheckpointsSteps = b.saveCheckpointsSteps;
    this.saveCheckpointsSecs = b.saveCheckpointsSecs;
    this.keepCheckpointMax = b.keepCheckpointMax;
    this.keepCheckpointEveryNHours = b.keepCheckpointEveryNHours;
    this.saveSummarySteps = b.saveSummarySteps;
    this.logStepCountSteps = b.logStepCountSteps;
    this.sessionConfig = b.sessionConfig;
    this.cluster = b.cluster;
    this.deviceFn = b.deviceFn;
    this.psStrategy = b.psStrategy;
    this.syncReplicasToAggregate = b.syncReplicasToAggregate;
    this.maxWorkerDelaySecs = b.maxWorkerDelaySecs;
    this.sessionCreationTimeoutSecs = b.sessionCreationTimeoutSecs;
    this.allowFreshStart = b.allowFreshStart;
    this.tensorFlowFlavour = b.tensorFlowFlavour;
  }

  /** Chooses the device of each op (distributed placement); identity by default. */
  @FunctionalInterface
  public interface DeviceFn {
    /** Returns the device string for an op of the given type and name, or "" for no constraint. */
    String deviceFor(String opType, String opName);

    /**
     * As {@link #deviceFor(String, String)}, also given the op's declared {@code shape} and {@code
     * dtype} attributes (null when it has none), for placement by size.
     */
    default String deviceFor(String opType, String opName, Shape shape, DataType dtype) {
      return deviceFor(opType, opName);
    }
  }

  /**
   * How variables are spread over the parameter servers (Python's {@code ps_strategy} of {@code
   * replica_device_setter}).
   */
  public enum PsStrategy {
    /** One ps task after the other in creation order (the default, as in Python). */
    ROUND_ROBIN,
    /**
     * Each variable to the ps task with the fewest bytes so far (Python's {@code
     * GreedyLoadBalancingStrategy} with {@code byte_size_load_fn}).
     */
    GREEDY_BY_BYTES
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder pre-filled with this config, like RunConfig.replace. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.modelDir = modelDir;
    b.randomSeed = randomSeed;
    b.saveCheckpointsSteps = saveCheckpointsSteps;
    b.saveCheckpointsSecs = saveCheckpointsSecs;
    b.checkpointCadenceSet = true;
    b.keepCheckpointMax = keepCheckpointMax;
    b.keepCheckpointEveryNHours = keepCheckpointEveryNHours;
    b.saveSummarySteps = saveSummarySteps;
    b.logStepCountSteps = logStepCountSteps;
    b.sessionConfig = sessionConfig;
    b.cluster = cluster;
    b.deviceFn = deviceFn;
    b.psStrategy = psStrategy;
    b.syncReplicasToAggregate = syncReplicasToAggregate;
    b.maxWorkerDelaySecs = maxWorkerDelaySecs;
    b.sessionCreationTimeoutSecs = sessionCreationTimeoutSecs;
    b.allowFreshStart = allowFreshStart;
    b.tensorFlowFlavour = tensorFlowFlavour;
    return b;
  }

  /** The model directory, or null if the Estimator should pick a temporary one. */
  public Path modelDir() {
    return modelDir;
  }

  public Optional<Long> randomSeed() {
    return Optional.ofNullable(randomSeed);
  }

  public Optional<Integer> saveCheckpointsSteps() {
    return Optional.ofNullable(saveCheckpointsSteps);
  }

  public Optional<Integer> saveCheckpointsSecs() {
    return Optional.ofNullable(saveCheckpointsSecs);
  }

  /** Checkpoints to keep; 0 keeps all. */
  public int keepCheckpointMax() {
    return keepCheckpointMax;
  }

  public double keepCheckpointEveryNHours() {
    return keepCheckpointEveryNHours;
  }

  /** Summary cadence in steps; 0 disables summaries. */
  public int saveSummarySteps() {
    return saveSummarySteps;
  }

  /** Cadence of the loss log line and global_step/sec; 0 disables them. */
  public int logStepCountSteps() {
    return logStepCountSteps;
  }

  /**
   * The session config sessions of this task use: {@link #sessionConfig()} with the cluster's
   * device filters ({@link ClusterConfig#deviceFilters()}), unless it sets its own, and in a
   * cluster an operation timeout of {@link #DEFAULT_OPERATION_TIMEOUT_MS} unless it sets its own,
   * so that a step waiting on a task that died fails (and training recovers) instead of hanging.
   */
  public ConfigProto effectiveSessionConfig() {
    ConfigProto base = sessionConfig();
    ConfigProto.Builder b = base.toBuilder();
    if (base.getDeviceFiltersCount() == 0) {
      b.addAllDeviceFilters(cluster().deviceFilters());
    }
    if (base.getOperationTimeoutInMs() == 0 && !cluster().clusterSpec().isEmpty()) {
      b.setOperationTimeoutInMs(DEFAULT_OPERATION_TIMEOUT_MS);
    }
    return b.build();
  }

  /** The session configuration (TensorFlow's default: soft placement, one grappler pass). */
  public ConfigProto sessionConfig() {
    return sessionConfig;
  }

  public ClusterConfig cluster() {
    return cluster;
  }

  public Optional<DeviceFn> deviceFn() {
    return Optional.ofNullable(deviceFn);
  }

  /** How the default device function spreads variables over the ps tasks. */
  public PsStrategy psStrategy() {
    return psStrategy;
  }

  /**
   * Gradients averaged per step when the canned estimators train synchronously ({@link
   * Builder#syncReplicas}); empty for asynchronous training (the default).
   */
  public Optional<Integer> syncReplicasToAggregate() {
    return Optional.ofNullable(syncReplicasToAggregate);
  }

  /**
   * Cap of the start delay of worker i, min(cap, (i + 1) * 5) seconds; TensorFlow's
   * experimental_max_worker_delay_secs (0 starts workers at once).
   */
  public int maxWorkerDelaySecs() {
    return maxWorkerDelaySecs;
  }

  /** Seconds a non-chief worker waits for the chief to initialise the variables. */
  public int sessionCreationTimeoutSecs() {
    return sessionCreationTimeoutSecs;
  }

  /**
   * Whether train may start a fresh model although model_dir holds complete checkpoints it does not
   * resume from; see {@link Builder#allowFreshStart}. False by default.
   */
  public boolean allowFreshStart() {
    return allowFreshStart;
  }

  /**
   * The TensorFlow flavour of a new model_dir's optimizer state (default {@link
   * TensorFlowFlavour#TF2}, what tf.estimator wrote last). A model_dir that already holds a
   * checkpoint keeps the flavour its variable names show.
   */
  public TensorFlowFlavour tensorFlowFlavour() {
    return tensorFlowFlavour;
  }

  public boolean isChief() {
    return cluster.isChief();
  }

  /** Session target: "" locally, grpc://host:port in a cluster. */
  public String master() {
    return cluster.master();
  }

  @Override
  public String toString() {
    return "RunConfig{modelDir="
        + modelDir
        + ", seed="
        + randomSeed
        + ", checkpoints="
        + (saveCheckpointsSteps != null
            ? saveCheckpointsSteps + " steps"
            : saveCheckpointsSecs != null ? saveCheckpointsSecs + " secs" : "off")
        + ", keepMax="
        + keepCheckpointMax
        + ", summarySteps="
        + saveSummarySteps
        + ", logSteps="
        + logStepCountSteps
        + ", task="
        + cluster.taskType()
        + "/"
        + cluster.taskId()
        + ", flavour="
        + tensorFlowFlavour
        + "}";
  }

  /** TensorFlow's default session config for Estimator. */
  public static ConfigProto defaultSessionConfig() {
    return ConfigProto.newBuilder()
        .setAllowSoftPlacement(true)
        .setGraphOptions(
            GraphOptions.newBuilder()
                .setRewriteOptions(
                    RewriterConfig.newBuilder()
                        .setMetaOptimizerIterations(RewriterConfig.NumIterationsType.ONE)))
        .build();
  }

  /** Builder of {@link RunConfig}. Defaults are TensorFlow's. */
  public static final class Builder {
    private Path modelDir;
    private Long randomSeed;
    private Integer saveCheckpointsSteps;
    private Integer saveCheckpointsSecs;
    private boolean checkpointCadenceSet;
    private int keepCheckpointMax = DEFAULT_KEEP_CHECKPOINT_MAX;
    private double keepCheckpointEveryNHours = DEFAULT_KEEP_CHECKPOINT_EVERY_N_HOURS;
    private int saveSummarySteps = DEFAULT_SAVE_SUMMARY_STEPS;
    private int logStepCountSteps = DEFAULT_LOG_STEP_COUNT_STEPS;
    private ConfigProto sessionConfig = defaultSessionConfig();
    private ClusterConfig cluster;
    private DeviceFn deviceFn;
    private PsStrategy psStrategy = PsStrategy.ROUND_ROBIN;
    private Integer syncReplicasToAggregate;
    private int maxWorkerDelaySecs = DEFAULT_MAX_WORKER_DELAY_SECS;
    private int sessionCreationTimeoutSecs = DEFAULT_SESSION_CREATION_TIMEOUT_SECS;
    private boolean allowFreshStart;
    private TensorFlowFlavour tensorFlowFlavour = TensorFlowFlavour.TF2;

    private Builder() {}

    /**
     * The optimizer naming and maths of a new model_dir: {@link TensorFlowFlavour#TF2} (default;
     * Keras optimizers under {@code training/<Optimizer>/}, as tf.estimator's V2 canned estimators)
     * or {@link TensorFlowFlavour#TF1} (tf.compat.v1.train optimizers, slots such as {@code
     * <variable>/Adagrad}). A model_dir with a checkpoint keeps the flavour of that checkpoint.
     */
    public Builder tensorFlowFlavour(TensorFlowFlavour flavour) {
      this.tensorFlowFlavour = Objects.requireNonNull(flavour, "flavour");
      return this;
    }

    public Builder modelDir(Path modelDir) {
      this.modelDir = modelDir;
      return this;
    }

    public Builder modelDir(String modelDir) {
      return modelDir(modelDir == null ? null : Path.of(modelDir));
    }

    public Builder randomSeed(long seed) {
      this.randomSeed = seed;
      return this;
    }

    /** Save a checkpoint every {@code steps} steps (clears the seconds cadence). */
    public Builder saveCheckpointsSteps(int steps) {
      this.saveCheckpointsSteps = steps;
      this.saveCheckpointsSecs = null;
      this.checkpointCadenceSet = true;
      return this;
    }

    /** Save a checkpoint every {@code secs} seconds (clears the steps cadence). */
    public Builder saveCheckpointsSecs(int secs) {
      this.saveCheckpointsSecs = secs;
      this.saveCheckpointsSteps = null;
      this.checkpointCadenceSet = true;
      return this;
    }

    /** Only save checkpoints at the start and at the end of each train call. */
    public Builder noPeriodicCheckpoints() {
      this.saveCheckpointsSecs = null;
      this.saveCheckpointsSteps = null;
      this.checkpointCadenceSet = true;
      return this;
    }

    public Builder keepCheckpointMax(int max) {
      this.keepCheckpointMax = max;
      return this;
    }

    public Builder keepCheckpointEveryNHours(double hours) {
      this.keepCheckpointEveryNHours = hours;
      return this;
    }

    public Builder saveSummarySteps(int steps) {
      this.saveSummarySteps = steps;
      return this;
    }

    public Builder logStepCountSteps(int steps) {
      this.logStepCountSteps = steps;
      return this;
    }

    public Builder sessionConfig(ConfigProto config) {
      this.sessionConfig = Objects.requireNonNull(config, "sessionConfig");
      return this;
    }

    public Builder cluster(ClusterConfig cluster) {
      this.cluster = cluster;
      return this;
    }

    /**
     * Places the ops of training graphs; by default, in a cluster with parameter servers, a new
     * {@code ReplicaDeviceSetter} per graph. A function given here is shared by every graph.
     */
    public Builder deviceFn(DeviceFn fn) {
      this.deviceFn = fn;
      return this;
    }

    /**
     * Trains the canned estimators synchronously: each step averages {@code replicasToAggregate}
     * gradients of the training tasks and drops stale ones (tf.compat.v1's SyncReplicasOptimizer,
     * see {@code io.estimator4j.estimator.optimizer.SyncReplicas}); usually the number of training
     * tasks (chief and workers). A custom model function wraps its optimizer in {@code
     * SyncReplicas} itself and adds its hook.
     */
    public Builder syncReplicas(int replicasToAggregate) {
      if (replicasToAggregate <= 0) {
        throw new IllegalArgumentException(
            "syncReplicas needs replicasToAggregate > 0, got "
                + replicasToAggregate
                + ". Fix: pass the number of training tasks (chief and workers).");
      }
      this.syncReplicasToAggregate = replicasToAggregate;
      return this;
    }

    /** How the default device function spreads variables over the ps tasks (round robin). */
    public Builder psStrategy(PsStrategy strategy) {
      this.psStrategy = Objects.requireNonNull(strategy, "psStrategy");
      return this;
    }

    /** Cap of the workers' start delay in seconds (0: no delay); TensorFlow's default is 60. */
    public Builder maxWorkerDelaySecs(int secs) {
      this.maxWorkerDelaySecs = secs;
      return this;
    }

    /** Seconds a non-chief worker waits for the chief's initialisation; default 7200. */
    public Builder sessionCreationTimeoutSecs(int secs) {
      this.sessionCreationTimeoutSecs = secs;
      return this;
    }

    /**
     * Lets train start a fresh model (step 0, or a warm start) although model_dir holds complete
     * checkpoints that it does not resume from, such as checkpoints not named {@code
     * model.ckpt-<step>} while no {@code checkpoint} file names one. By default (false) train then
     * throws an IllegalStateException naming them, so that work saved in model_dir is never
     * silently trained over. Where a resumable checkpoint exists, train resumes from it either way:
     * the named one, or the newest complete one if that is missing. No TensorFlow counterpart
     * (tf.estimator starts from step 0 when the named checkpoint is missing).
     */
    public Builder allowFreshStart(boolean allow) {
      this.allowFreshStart = allow;
      return this;
    }

    /** Validates and builds; TF_CONFIG from the environment is used when no cluster was set. */
    public RunConfig build() {
      if (!checkpointCadenceSet) {
        saveCheckpointsSecs = DEFAULT_SAVE_CHECKPOINTS_SECS;
      }
      if (saveCheckpointsSteps != null && saveCheckpointsSteps <= 0) {
        throw new IllegalArgumentException(
            "saveCheckpointsSteps must be > 0, got "
                + saveCheckpointsSteps
                + "; use noPeriodicCheckpoints() to disable periodic checkpoints");
      }
      if (saveCheckpointsSecs != null && saveCheckpointsSecs <= 0) {
        throw new IllegalArgumentException(
            "saveCheckpointsSecs must be > 0, got "
                + saveCheckpointsSecs
                + "; use noPeriodicCheckpoints() to disable periodic checkpoints");
      }
      if (keepCheckpointMax < 0) {
        throw new IllegalArgumentException(
            "keepCheckpointMax must be >= 0 (0 keeps all), got " + keepCheckpointMax);
      }
      if (keepCheckpointEveryNHours <= 0) {
        throw new IllegalArgumentException(
            "keepCheckpointEveryNHours must be > 0, got " + keepCheckpointEveryNHours);
      }
      if (saveSummarySteps < 0 || logStepCountSteps < 0) {
        throw new IllegalArgumentException(
            "saveSummarySteps and logStepCountSteps must be >= 0 (0 disables), got "
                + saveSummarySteps
                + " and "
                + logStepCountSteps);
      }
      if (maxWorkerDelaySecs < 0 || sessionCreationTimeoutSecs <= 0) {
        throw new IllegalArgumentException(
            "maxWorkerDelaySecs must be >= 0 and sessionCreationTimeoutSecs > 0, got "
                + maxWorkerDelaySecs
                + " and "
                + sessionCreationTimeoutSecs);
      }
      if (cluster == null) {
        cluster = ClusterConfig.fromEnvironment();
      }
      return new RunConfig(this);
    }
  }
}
