package io.estimator4j.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A TensorFlow cluster of local processes on loopback: one JVM per task (the same java, JVM options
 * and class path as this one, running {@link E4j} with the given command), each with its TF_CONFIG.
 * Task output is copied line by line with the task's name as prefix ({@code [worker:1] ...}). Every
 * process it started is stopped (SIGKILL, with its descendants) by {@link #close}, and by a
 * shutdown hook when the JVM ends first (Ctrl-C).
 *
 * <p>Training tasks are {@code chief:0} and {@code worker:0..M-2}: M training tasks in all.
 */
final class LocalCluster implements AutoCloseable {
  static final String CHIEF = "chief";
  static final String WORKER = "worker";
  static final String PS = "ps";
  static final String EVALUATOR = "evaluator";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long POLL_MILLIS = 200;

  /** One task of the cluster. */
  record Task(String type, int index) {
    @Override
    public String toString() {
      return type + ":" + index;
    }
  }

  private final Map<String, List<String>> spec = new LinkedHashMap<>();
  private final List<Task> tasks = new ArrayList<>();
  private final List<String> command;
  private final PrintStream out;
  private final PrintStream err;
  private final Map<Task, Running> running = new LinkedHashMap<>();
  private final Thread shutdownHook;

  /** A started process of a task, and the threads copying its output. */
  private record Running(Process process, Thread stdout, Thread stderr, LastJson json) {}

  /** The last line of a task's standard output that is a JSON object. */
  private static final class LastJson {
    volatile String line;
  }

  /**
   * @param ps parameter server tasks
   * @param trainers training tasks, the chief included (at least 1)
   * @param evaluator whether to run an evaluator
   * @param command the e4j command each task runs (e.g. sample census ... --model-dir DIR)
   */
  LocalCluster(
      int ps,
      int trainers,
      boolean evaluator,
      List<String> command,
      PrintStream out,
      PrintStream err) {
    if (trainers < 1 || ps < 0) {
      throw new IllegalArgumentException(
          "A cluster needs at least 1 training task and no negative ps count, got --workers "
              + trainers
              + " --ps "
              + ps
              + ".");
    }
    if (trainers > 1 && ps == 0) {
      throw new IllegalArgumentException(
          trainers
              + " training tasks need a parameter server to share variables. Fix: add --ps 1.");
    }
    this.command = List.copyOf(command);
    this.out = out;
    this.err = err;
    List<Integer> ports = freePorts(trainers + ps);
    int p = 0;
    spec.put(CHIEF, List.of(address(ports.get(p++))));
    tasks.add(new Task(CHIEF, 0));
    if (trainers > 1) {
      List<String> w = new ArrayList<>();
      for (int i = 0; i < trainers - 1; i++) {
        w.add(address(ports.get(p++)));
        tasks.add(new Task(WORKER, i));
      }
      spec.put(WORKER, w);
    }
    if (ps > 0) {
      List<String> s = new ArrayList<>();
      for (int i = 0; i < ps; i++) {
        s.add(address(ports.get(p++)));
        tasks.add(0, new Task(PS, ps - 1 - i));
      }
      spec.put(PS, s);
    }
    if (evaluator) {
      tasks.add(new Task(EVALUATOR, 0));
    }
    shutdownHook = new Thread(this::killAll, "e4j-cluster-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** Every task, ps first, then chief, workers and the evaluator. */
  List<Task> tasks() {
    return List.copyOf(tasks);
  }

  /** The cluster's jobs and addresses, as in TF_CONFIG's "cluster". */
  Map<String, List<String>> clusterSpec() {
    return spec;
  }

  /** The TF_CONFIG of a task. */
  String tfConfig(Task task) {
    ObjectNode root = JSON.createObjectNode();
    root.set("cluster", JSON.valueToTree(spec));
    ObjectNode t = root.putObject("task");
    t.put("type", task.type());
    t.put("index", task.index());
    return root.toString();
  }

  /** Starts (or restarts, after it ended) the process of a task. */
  synchronized Process start(Task task) {
    Running old = running.get(task);
    if (old != null && old.process().isAlive()) {
      throw new IllegalStateException("Task " + task + " is still running");
    }
    List<String> cmd = new ArrayList<>(javaCommand());
    cmd.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.environment().put("TF_CONFIG", tfConfig(task));
    pb.environment().putIfAbsent("TF_CPP_MIN_LOG_LEVEL", "2");
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start task " + task + ": " + cmd, e);
    }
    try {
      process.getOutputStream().close();
    } catch (IOException e) {
      // the task reads no input; a pipe that is already gone is fine
    }
    LastJson json = new LastJson();
    Thread o = copy(process.getInputStream(), "[" + task + "] ", out, json, task);
    Thread e = copy(process.getErrorStream(), "[" + task + "] ", err, null, task);
    running.put(task, new Running(process, o, e, json));
    return process;
  }

  /** The process of a task (the latest one started), if any. */
  synchronized Optional<Process> process(Task task) {
    return Optional.ofNullable(running.get(task)).map(Running::process);
  }

  /** Kills a task's process with SIGKILL (and its descendants) and waits until it is gone. */
  void kill(Task task) throws InterruptedException {
    Running r;
    synchronized (this) {
      r = running.get(task);
    }
    if (r != null) {
      destroy(r.process());
      r.process().waitFor(30, TimeUnit.SECONDS);
      r.stdout().join(5000);
      r.stderr().join(5000);
    }
  }

  /**
   * Waits until a task's process ends and its output is copied; returns its exit code, or empty if
   * it still runs after {@code timeout}.
   */
  Optional<Integer> await(Task task, Duration timeout) throws InterruptedException {
    Running r;
    synchronized (this) {
      r = running.get(task);
    }
    if (r == null) {
      throw new IllegalStateException("Task " + task + " was never started");
    }
    if (!r.process().waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      return Optional.empty();
    }
    r.stdout().join(5000);
    r.stderr().join(5000);
    return Optional.of(r.process().exitValue());
  }

  /** The last JSON object a task printed on its standard output. */
  synchronized Optional<String> lastJson(Task task) {
    return Optional.ofNullable(running.get(task)).map(r -> r.json().line);
  }

  /**
   * Starts every task, waits until the chief, the workers and the evaluator have ended with exit
   * code 0 (a task that fails is restarted up to {@code maxRestarts} times; after that, or when a
   * ps ends, the cluster has failed for good), then stops the ps tasks.
   *
   * @return the chief's final metrics line, with training_tasks
   * @throws IllegalStateException naming the task that failed for good, or the timeout
   */
  String runAll(int maxRestarts, Duration timeout) throws InterruptedException {
    for (Task t : tasks) {
      start(t);
    }
    Map<Task, Integer> restarts = new LinkedHashMap<>();
    List<Task> pending = new ArrayList<>();
    for (Task t : tasks) {
      if (!t.type().equals(PS)) {
        pending.add(t);
      }
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!pending.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "The cluster did not finish within "
                + timeout.toSeconds()
                + " s (still running: "
                + pending
                + "). Fix: raise --timeout-secs, or look at the tasks' logs above.");
      }
      for (Task t : tasks) {
        Process p = process(t).orElseThrow();
        if (p.isAlive()) {
          continue;
        }
        int code = await(t, Duration.ZERO).orElseThrow();
        if (t.type().equals(PS)) {
          restartOrFail(t, code, restarts, maxRestarts, "a ps must serve until training ends");
        } else if (code != 0) {
          restartOrFail(t, code, restarts, maxRestarts, "it failed");
        } else {
          pending.remove(t);
        }
      }
      Thread.sleep(POLL_MILLIS);
    }
    for (Task t : tasks) {
      if (t.type().equals(PS)) {
        kill(t);
      }
    }
    Task chief = new Task(CHIEF, 0);
    String line =
        lastJson(chief)
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "The chief ended without printing its metrics as JSON: the command "
                            + command
                            + " does not look like a sample that supports TF_CONFIG."));
    try {
      ObjectNode metrics = (ObjectNode) JSON.readTree(line);
      if (!metrics.has("training_tasks")) {
        metrics.put(
            "training_tasks", spec.get(CHIEF).size() + spec.getOrDefault(WORKER, List.of()).size());
      }
      return metrics.toString();
    } catch (IOException | ClassCastException e) {
      throw new IllegalStateException("The chief's last line is not a JSON object: " + line, e);
    }
  }

  private void restartOrFail(
      Task t, int code, Map<Task, Integer> restarts, int maxRestarts, String why) {
    int n = restarts.merge(t, 1, Integer::sum);
    if (n > maxRestarts) {
      throw new IllegalStateException(
          "Task "
              + t
              + " exited with code "
              + code
              + " ("
              + why
              + ") after "
              + (n - 1)
              + " restart(s); stopping the cluster. Fix: see the ["
              + t
              + "] lines above, or allow restarts with --max-restarts.");
    }
    err.println("e4j cluster: task " + t + " exited with code " + code + "; restart " + n);
    start(t);
  }

  /** Stops every process this cluster started. */
  @Override
  public void close() {
    killAll();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway
    }
  }

  private synchronized void killAll() {
    for (Running r : running.values()) {
      destroy(r.process());
    }
    for (Running r : running.values()) {
      try {
        r.process().waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private static void destroy(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
  }

  private Thread copy(InputStream in, String prefix, PrintStream to, LastJson json, Task task) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (json != null && line.startsWith("{") && line.endsWith("}")) {
                    json.line = line;
                  }
                  synchronized (to) {
                    to.println(prefix + line);
                  }
                }
              } catch (IOException e) {
                // the process was killed: its pipe is gone
              }
            },
            "e4j-cluster-" + task);
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** This JVM's java, its options (a debugger's left out) and class path, and E4j's main class. */
  static List<String> javaCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(
        ProcessHandle.current()
            .info()
            .command()
            .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (!arg.startsWith("-agentlib:jdwp") && !arg.startsWith("-Xrunjdwp")) {
        cmd.add(arg);
      }
    }
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(E4j.class.getName());
    return cmd;
  }

  private static String address(int port) {
    return "127.0.0.1:" + port;
  }

  /** Free loopback ports, all held open until every one is found so that they differ. */
  static List<Integer> freePorts(int n) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        s.setReuseAddress(true);
        sockets.add(s);
      }
      return sockets.stream().map(ServerSocket::getLocalPort).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot find " + n + " free loopback ports", e);
    } finally {
      for (ServerSocket s : sockets) {
        try {
          s.close();
        } catch (IOException e) {
          // closing a listening socket that nobody used does not fail in practice
        }
      }
    }
  }
}
