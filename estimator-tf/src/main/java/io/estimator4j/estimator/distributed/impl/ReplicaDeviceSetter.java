package io.estimator4j.estimator.distributed.impl;

import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.config.RunConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Places the variables of a training graph round-robin on the parameter servers and every other op
 * on this task; Java counterpart of tf.compat.v1.train.replica_device_setter (with
 * merge_devices=True and the standard PS ops), which tf.estimator uses for between-graph
 * replication.
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
  private int nextPsTask;

  /**
   * @param psTasks number of parameter servers (> 0)
   * @param psJob job name of the parameter servers, normally {@code ps}
   * @param workerDevice device of the other ops, e.g. {@code /job:worker/task:1}
   */
  public ReplicaDeviceSetter(int psTasks, String psJob, String workerDevice) {
    if (psTasks <= 0) {
      throw new IllegalArgumentException("psTasks must be > 0, got " + psTasks);
    }
    this.psTasks = psTasks;
    this.psJob = psJob;
    this.workerDevice = workerDevice;
  }

  /**
   * The setter of a training task ({@code /job:<type>/task:<index>} for the non-variable ops), or
   * empty when the cluster has no parameter server (then nothing is placed, as in TensorFlow).
   */
  public static Optional<ReplicaDeviceSetter> forCluster(ClusterConfig cluster) {
    if (cluster.numPsReplicas() == 0 || cluster.clusterSpec().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new ReplicaDeviceSetter(
            cluster.numPsReplicas(),
            ClusterConfig.PS,
            "/job:" + cluster.taskType() + "/task:" + cluster.taskId()));
  }

  @Override
  public synchronized String deviceFor(String opType, String opName) {
    if (STANDARD_PS_OPS.contains(opType)) {
      int task = nextPsTask;
      nextPsTask = (nextPsTask + 1) % psTasks;
      return "/job:" + psJob + "/task:" + task;
    }
    return workerDevice;
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
