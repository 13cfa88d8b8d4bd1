package io.estimator4j.estimator.distributed.impl;

import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.config.RunConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.tensorflow.DeviceSpec;
import org.tensorflow.internal.types.registry.TensorTypeInfo;
import org.tensorflow.internal.types.registry.TensorTypeRegistry;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;

/**
 * Places the variables of a training graph round-robin (or greedily by size, {@link
 * RunConfig.PsStrategy}) on the parameter servers and every other op on this task; Java counterpart
 * of tf.compat.v1.train.replica_device_setter (with merge_devices=True and the standard PS ops),
 * which tf.estimator uses for between-graph replication.
 *
 * <p>Stateful: the round robin follows the order in which variables are created, so use a new
 * instance for every graph ({@link #forCluster} does).
 */
public final class ReplicaDeviceSetter implements RunConfig.DeviceFn {
  /** Op types that hold state and go to a parameter server (Python's STANDARD_PS_OPS). */
  public static final Set<String> STANDARD_PS_OPS =
      Set.of(
          "Variable",
          "VariableV2",
          "AutoReloadVariable",
          "MutableHashTable",
          "MutableHashTableV2",
          "MutableHashTableOfTensors",
          "MutableHashTableOfTensorsV2",
          "MutableDenseHashTable",
          "MutableDenseHashTableV2",
          "VarHandleOp",
          "BoostedTreesEnsembleResourceHandleOp",
          "BoostedTreesQuantileStreamResourceHandleOp",
          "ResourceConditionalAccumulator",
          "DecisionTreeResource");

  private final int psTasks;
  private final String psJob;
  private final String workerDevice;
  private final RunConfig.PsStrategy strategy;
  private final long[] psBytes;
  private int nextPsTask;

  /**
   * @param psTasks number of parameter servers (> 0)
   * @param psJob job name of the parameter servers, normally {@code ps}
   * @param workerDevice device of the other ops, e.g. {@code /job:worker/task:1}
   */
  public ReplicaDeviceSetter(int psTasks, String psJob, String workerDevice) {
    this(psTasks, psJob, workerDevice, RunConfig.PsStrategy.ROUND_ROBIN);
  }

  /**
   * @param strategy round robin, or greedy by bytes: each variable to the ps task with the fewest
   *     bytes of variables so far, the lowest index among equals (Python's {@code
   *     GreedyLoadBalancingStrategy(num_tasks, byte_size_load_fn)})
   */
  public ReplicaDeviceSetter(
      int psTasks, String psJob, String workerDevice, RunConfig.PsStrategy strategy) {
    if (psTasks <= 0) {
      throw new IllegalArgumentException("psTasks must be > 0, got " + psTasks);
    }
    this.psTasks = psTasks;
    this.psJob = psJob;
    this.workerDevice = workerDevice;
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    this.psBytes = new long[psTasks];
  }

  /**
   * The setter of a training task ({@code /job:<type>/task:<index>} for the non-variable ops), or
   * empty when the cluster has no parameter server (then nothing is placed, as in TensorFlow).
   */
  public static Optional<ReplicaDeviceSetter> forCluster(ClusterConfig cluster) {
    return forCluster(cluster, RunConfig.PsStrategy.ROUND_ROBIN);
  }

  /** {@link #forCluster(ClusterConfig)} with the given way of spreading variables over the ps. */
  public static Optional<ReplicaDeviceSetter> forCluster(
      ClusterConfig cluster, RunConfig.PsStrategy strategy) {
    if (cluster.numPsReplicas() == 0 || cluster.clusterSpec().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ReplicaDeviceSetter(
            cluster.numPsReplicas(),
            ClusterConfig.PS,
            "/job:" + cluster.taskType() + "/task:" + cluster.taskId(),
            strategy));
  }

  @Override
  public String deviceFor(String opType, String opName) {
    return deviceFor(opType, opName, null, null);
  }

  /**
   * The device of an op; with {@link RunConfig.PsStrategy#GREEDY_BY_BYTES} a ps op's size is its
   * {@code shape} times its {@code dtype}'s size, as Python's {@code byte_size_load_fn}.
   *
   * @throws IllegalArgumentException with greedy placement, for a ps op without a fully defined
   *     shape and a dtype (Python raises the same)
   */
  @Override
  public synchronized String deviceFor(String opType, String opName, Shape shape, DataType dtype) {
    if (!STANDARD_PS_OPS.contains(opType)) {
      return workerDevice;
    }
    int task;
    if (strategy == RunConfig.PsStrategy.ROUND_ROBIN) {
      task = nextPsTask;
      nextPsTask = (nextPsTask + 1) % psTasks;
    } else {
      long bytes = byteSize(opName, shape, dtype);
      task = 0;
      for (int i = 1; i < psTasks; i++) {
        if (psBytes[i] < psBytes[task]) {
          task = i;
        }
      }
      psBytes[task] += bytes;
    }
    return "/job:" + psJob + "/task:" + task;
  }

  /** Bytes placed on each ps task so far by greedy placement (all 0 with round robin). */
  public synchronized long[] psBytes() {
    return psBytes.clone();
  }

  /** Python's byte_size_load_fn: elements times the dtype's size (8 for variable-length types). */
  static long byteSize(String opName, Shape shape, DataType dtype) {
    if (shape == null || shape.isUnknown() || shape.hasUnknownDimension() || dtype == null) {
      throw new IllegalArgumentException(
          "Cannot place '"
              + opName
              + "' by size: its shape "
              + shape
              + " or dtype "
              + dtype
              + " is not fully defined. Fix: give the variable a fully defined shape, or use "
              + "RunConfig.PsStrategy.ROUND_ROBIN.");
    }
    TensorTypeInfo<?> info = TensorTypeRegistry.find(dtype);
    int elementBytes = info.isVariableLength() ? 8 : info.byteSize();
    return shape.size() * elementBytes;
  }

  /**
   * Merges a placement into the device an op asked for itself: the op's own fields win and the
   * placement fills the rest (merge_devices=True). Both are device strings such as {@code
   * /job:ps/task:0} or {@code /device:CPU:0}; the result lists job, replica, task, device.
   */
  public static String merge(String requested, String placement) {
    Map<String, String> fields = parse(placement);
    fields.putAll(parse(requested));
    StringBuilder sb = new StringBuilder();
    for (String key : new String[] {"job", "replica", "task", "device"}) {
      if (fields.containsKey(key)) {
        sb.append('/').append(key).append(':').append(fields.get(key));
      }
    }
    return sb.toString();
  }

  /**
   * The {@link DeviceSpec} of a device string such as {@code /job:ps/task:0/device:CPU:0} (empty
   * fields stay unset), for {@code tf.withDevice} with the device of an existing op.
   */
  public static DeviceSpec deviceSpec(String device) {
    Map<String, String> fields = parse(device);
    DeviceSpec.Builder b = DeviceSpec.newBuilder();
    if (fields.containsKey("job")) {
      b.job(fields.get("job"));
    }
    if (fields.containsKey("replica")) {
      b.replica(Integer.parseInt(fields.get("replica")));
    }
    if (fields.containsKey("task")) {
      b.task(Integer.parseInt(fields.get("task")));
    }
    if (fields.containsKey("device")) {
      String[] typeIndex = fields.get("device").split(":");
      b.deviceType(DeviceSpec.DeviceType.valueOf(typeIndex[0].toUpperCase()));
      if (typeIndex.length > 1 && !"*".equals(typeIndex[1])) {
        b.deviceIndex(Integer.parseInt(typeIndex[1]));
      }
    }
    return b.build();
  }

  private static Map<String, String> parse(String device) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (device == null || device.isEmpty()) {
      return fields;
    }
    for (String part : device.split("/")) {
      if (part.isEmpty()) {
        continue;
      }
      int colon = part.indexOf(':');
      String key = colon < 0 ? part : part.substring(0, colon).toLowerCase();
      String value = colon < 0 ? "" : part.substring(colon + 1);
      switch (key) {
        case "job", "replica", "task", "device" -> fields.put(key, value);
        case "cpu", "gpu" -> fields.put("device", key.toUpperCase() + ":" + value);
        default ->
            throw new IllegalArgumentException(
                "Cannot parse device '"
                    + device
                    + "': unknown field '"
                    + part
                    + "'. Expected e.g. /job:ps/task:0/device:CPU:0.");
      }
    }
    return fields;
  }
}
