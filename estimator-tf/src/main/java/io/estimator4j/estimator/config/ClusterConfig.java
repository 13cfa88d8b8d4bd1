package io.estimator4j.estimator.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster and this process's role in it, parsed from TF_CONFIG; Java counterpart of the
 * cluster_spec / task_type / task_id / is_chief properties of tf.estimator.RunConfig.
 *
 * @param clusterSpec job name to task addresses ({@code {}} for a single process)
 * @param taskType chief, worker, ps, evaluator or master
 * @param taskId index of this task within its job
 * @param sessionMaster explicit session target from TF_CONFIG, or empty
 */
public record ClusterConfig(
    Map<String, List<String>> clusterSpec, String taskType, int taskId, String sessionMaster) {

  public static final String CHIEF = "chief";
  public static final String WORKER = "worker";
  public static final String PS = "ps";
  public static final String EVALUATOR = "evaluator";
  public static final String MASTER = "master";

  private static final ObjectMapper JSON = new ObjectMapper();

  public ClusterConfig {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    clusterSpec.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    clusterSpec = Collections.unmodifiableMap(copy);
  }

  /** A single local process: no cluster, task worker/0. */
  public static ClusterConfig local() {
    return new ClusterConfig(Map.of(), WORKER, 0, "");
  }

  /** Parses the environment's TF_CONFIG, or returns {@link #local()} when it is unset. */
  public static ClusterConfig fromEnvironment() {
    String tfConfig = System.getenv("TF_CONFIG");
    return tfConfig == null || tfConfig.isBlank() ? local() : parse(tfConfig);
  }

  /**
   * Parses a TF_CONFIG JSON string with TensorFlow's rules: exactly one chief (or the legacy
   * master, never both) when there is a cluster; the evaluator sits outside the cluster.
   */
  public static ClusterConfig parse(String tfConfig) {
    JsonNode root;
    try {
      root = JSON.readTree(tfConfig);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "TF_CONFIG is not valid JSON ("
              + e.getMessage()
              + "). Expected e.g. "
              + "{\"cluster\": {\"chief\": [\"host:2222\"]}, \"task\": {\"type\": \"chief\", \"index\": 0}}",
          e);
    }
    Map<String, List<String>> cluster = new LinkedHashMap<>();
    JsonNode clusterNode = root.path("cluster");
    clusterNode
        .fields()
        .forEachRemaining(
            e -> {
              List<String> addrs = new ArrayList<>();
              if (!e.getValue().isArray()) {
                throw new IllegalArgumentException(
                    "TF_CONFIG cluster job '"
                        + e.getKey()
                        + "' must be a list of \"host:port\" strings");
              }
              e.getValue().forEach(a -> addrs.add(a.asText()));
              cluster.put(e.getKey(), addrs);
            });
    JsonNode task = root.path("task");
    String type = task.path("type").asText(cluster.isEmpty() ? WORKER : "");
    int index = task.path("index").asInt(0);
    String master = root.path("session_master").asText("");
    if (cluster.isEmpty()) {
      if (!type.equals(WORKER) || index != 0) {
        throw new IllegalArgumentException(
            "TF_CONFIG has no cluster, so the task must be worker/0; found "
                + type
                + "/"
                + index
                + ". Add a \"cluster\" section or remove the task.");
      }
      return new ClusterConfig(Map.of(), WORKER, 0, master);
    }
    if (type.isEmpty()) {
      throw new IllegalArgumentException(
          "TF_CONFIG has a cluster but no task.type; set task to e.g. {\"type\": \"worker\", \"index\": 0}");
    }
    boolean hasChief = cluster.containsKey(CHIEF);
    boolean hasMaster = cluster.containsKey(MASTER);
    if (hasChief && hasMaster) {
      throw new IllegalArgumentException(
          "TF_CONFIG cluster has both 'chief' and 'master'. Fix: use only 'chief' (master is the "
              + "legacy name of the same role).");
    }
    if (hasChief && cluster.get(CHIEF).size() != 1) {
      throw new IllegalArgumentException(
          "TF_CONFIG cluster must have exactly one chief, found "
              + cluster.get(CHIEF).size()
              + ". Fix: list one address under \"chief\" and the other trainers under \"worker\".");
    }
    if (type.equals(EVALUATOR)) {
      if (index != 0) {
        throw new IllegalArgumentException(
            "TF_CONFIG task is evaluator/"
                + index
                + ", but only "
                + "one evaluator (index 0) is supported. Fix: set task.index to 0 and run a single "
                + "evaluator process.");
      }
      return new ClusterConfig(Map.of(), EVALUATOR, 0, master);
    }
    if (!hasChief && !hasMaster && !type.equals(PS)) {
      throw new IllegalArgumentException(
          "TF_CONFIG cluster has no 'chief' job (found jobs "
              + cluster.keySet()
              + "); one task "
              + "must initialise the variables and write checkpoints. Fix: add \"chief\": "
              + "[\"host:port\"] to \"cluster\" (or rename worker 0 to chief).");
    }
    List<String> tasks = cluster.get(type);
    if (tasks == null || index < 0 || index >= tasks.size()) {
      throw new IllegalArgumentException(
          "TF_CONFIG task "
              + type
              + "/"
              + index
              + " is not in the cluster "
              + cluster
              + ". Fix: "
              + "use a task.type that names a job of \"cluster\" (chief, worker, ps, master) and "
              + "a task.index below its size, or use evaluator.");
    }
    return new ClusterConfig(cluster, type, index, master);
  }

  /** True for the chief (or legacy master), and for a single local process. */
  public boolean isChief() {
    if (clusterSpec.isEmpty()) {
      return !taskType.equals(EVALUATOR);
    }
    return taskType.equals(CHIEF) || taskType.equals(MASTER);
  }

  /** Number of parameter servers. */
  public int numPsReplicas() {
    return clusterSpec.getOrDefault(PS, List.of()).size();
  }

  /**
   * Number of training replicas: workers plus chief (or master); 1 locally, 0 for the evaluator.
   */
  public int numWorkerReplicas() {
    if (taskType.equals(EVALUATOR)) {
      return 0;
    }
    if (clusterSpec.isEmpty()) {
      return 1;
    }
    return clusterSpec.getOrDefault(WORKER, List.of()).size()
        + clusterSpec.getOrDefault(CHIEF, List.of()).size()
        + clusterSpec.getOrDefault(MASTER, List.of()).size();
  }

  /** The session target: {@code ""} locally, else {@code grpc://<this task's address>}. */
  public String master() {
    if (!sessionMaster.isEmpty()) {
      return sessionMaster;
    }
    if (clusterSpec.isEmpty()) {
      return "";
    }
    return "grpc://" + clusterSpec.get(taskType).get(taskId);
  }

  /**
   * The device filters of this task's sessions, as tf.estimator's RunConfig sets them: a task sees
   * the parameter servers and itself (a worker only its own task), a ps every job; none outside a
   * cluster.
   */
  public List<String> deviceFilters() {
    if (clusterSpec().isEmpty()) {
      return List.of();
    }
    return switch (taskType()) {
      case CHIEF -> List.of("/job:ps", "/job:chief");
      case MASTER -> List.of("/job:ps", "/job:master");
      case WORKER -> List.of("/job:ps", "/job:worker/task:" + taskId());
      case PS -> List.of("/job:ps", "/job:worker", "/job:chief", "/job:master");
      default -> List.of();
    };
  }
}
