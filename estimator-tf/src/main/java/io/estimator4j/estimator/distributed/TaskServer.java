package io.estimator4j.estimator.distributed;

import io.estimator4j.estimator.config.ClusterConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Server;
import org.tensorflow.proto.ClusterDef;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.JobDef;
import org.tensorflow.proto.ServerDef;

/**
 * The in-process TensorFlow server of one cluster task (the counterpart of tf.distribute.Server
 * started by tf.estimator's {@code _start_std_server}), and the handle a caller waits on.
 *
 * <p>tensorflow-java cannot stop a server ({@code Server.stop()} is unimplemented upstream), so a
 * started server lives until the process exits. Its threads are native and do not keep the JVM
 * alive; {@link #join} waits in a daemon thread.
 */
public final class TaskServer {
  private static final Logger LOG = LoggerFactory.getLogger(TaskServer.class);
  public static final String PROTOCOL = "grpc";

  /** Started servers, kept reachable: a collected Server must never try to stop its native one. */
  private static final Set<TaskServer> STARTED = ConcurrentHashMap.newKeySet();

  private final Server server;
  private final String job;
  private final int task;
  private final String target;
  private CompletableFuture<Void> joined;

  private TaskServer(Server server, String job, int task, String address) {
    this.server = server;
    this.job = job;
    this.task = task;
    this.target = PROTOCOL + "://" + address;
  }

  /**
   * Starts the server of this process's task on the port of its address in the cluster.
   *
   * @param sessionConfig default configuration of sessions the server masters
   */
  public static TaskServer start(ClusterConfig cluster, ConfigProto sessionConfig) {
    ServerDef def = serverDef(cluster, sessionConfig);
    Server server = new Server(def);
    server.start();
    TaskServer ts =
        new TaskServer(
            server,
            def.getJobName(),
            def.getTaskIndex(),
            cluster.clusterSpec().get(def.getJobName()).get(def.getTaskIndex()));
    STARTED.add(ts);
    LOG.info("Started TensorFlow server {}/{} at {}", ts.job, ts.task, ts.target);
    return ts;
  }

  /** The ServerDef of this process's task: the whole cluster, its job and index, grpc. */
  public static ServerDef serverDef(ClusterConfig cluster, ConfigProto sessionConfig) {
    if (cluster.clusterSpec().isEmpty()) {
      throw new IllegalArgumentException(
          "Task "
              + cluster.taskType()
              + "/"
              + cluster.taskId()
              + " has no cluster, so it cannot start a server. Fix: set the \"cluster\" section of "
              + "TF_CONFIG (the evaluator never starts one).");
    }
    ClusterDef.Builder clusterDef = ClusterDef.newBuilder();
    for (Map.Entry<String, List<String>> job : cluster.clusterSpec().entrySet()) {
      JobDef.Builder jobDef = JobDef.newBuilder().setName(job.getKey());
      for (int i = 0; i < job.getValue().size(); i++) {
        jobDef.putTasks(i, job.getValue().get(i));
      }
      clusterDef.addJob(jobDef);
    }
    return ServerDef.newBuilder()
        .setCluster(clusterDef)
        .setJobName(cluster.taskType())
        .setTaskIndex(cluster.taskId())
        .setProtocol(PROTOCOL)
        .setDefaultSessionConfig(sessionConfig)
        .build();
  }

  /** The session target of this server, {@code grpc://host:port}. */
  public String target() {
    return target;
  }

  public String job() {
    return job;
  }

  public int task() {
    return task;
  }

  /** Blocks until the server ends, which is never in tensorflow-java (as a Python ps's join). */
  public void join() throws InterruptedException {
    try {
      joiner().get();
    } catch (ExecutionException e) {
      throw new IllegalStateException("Server " + target + " failed: " + e.getCause(), e);
    }
  }

  /** Waits at most {@code timeout} for the server to end; true if it ended. */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    try {
      joiner().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException("Server " + target + " failed: " + e.getCause(), e);
    }
  }

  private synchronized CompletableFuture<Void> joiner() {
    if (joined == null) {
      CompletableFuture<Void> f = new CompletableFuture<>();
      Thread t =
          new Thread(
              () -> {
                try {
                  server.join();
                  f.complete(null);
                } catch (RuntimeException | Error e) {
                  f.completeExceptionally(e);
                }
              },
              "tf-server-join-" + job + "-" + task);
      t.setDaemon(true);
      t.start();
      joined = f;
    }
    return joined;
  }

  @Override
  public String toString() {
    return "TaskServer{" + job + "/" + task + " at " + target + "}";
  }
}
