package io.estimator4j.serving;

import io.estimator4j.savedmodel.SavedModelLoader;
import io.estimator4j.savedmodel.SavedModelPredictor;
import io.estimator4j.savedmodel.ServingCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.error.Code;
import tensorflow.serving.GetModelStatus.GetModelStatusResponse;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.Status.StatusProto;

/**
 * TF Serving's ServerCore for SavedModels: watches each model's base path, loads the versions its
 * policy aspires to in the background, serves each once loaded, and unloads a version that is no
 * longer aspired only once an aspired one is available (TF Serving's availability-preserving
 * policy), after its requests in flight finish.
 *
 * <p>A version directory is loaded only when it holds {@code saved_model.pb} (or {@code .pbtxt})
 * and its files (names, sizes, modification times) were unchanged since the previous poll, so a
 * directory still being written is not loaded. A version that fails to load is reported as {@code
 * END} with the error in its status, never served, and retried only when its files change.
 */
final class ModelManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelManager.class);
  static final Set<String> SERVE = Set.of("serve");

  /** One configured model and its versions. */
  static final class Model {
    /** Replaced by a reload that keeps the model (new policy or labels). */
    volatile ModelConfig config;

    final NavigableMap<Long, ServableVersion> versions = new ConcurrentSkipListMap<>();

    /** Fingerprints of version directories seen in the previous poll, not yet loaded. */
    final Map<Long, String> pending = new LinkedHashMap<>();

    Model(ModelConfig config) {
      this.config = config;
    }
  }

  /** Name to model; replaced whole (copy on write) by {@link #reload}. */
  private volatile Map<String, Model> models;

  private final ExecutorService loader;
  private final ScheduledExecutorService poller;
  private final long unloadWaitMillis;
  private volatile boolean closed;

  /** Each version's session configuration (TF Serving's session_config), or null: TF's default. */
  private final ConfigProto sessionConfig;

  /** TF Serving's batching ({@code --enable_batching}), or null. */
  private final BatchScheduler batcher;

  /** Requests counted in by {@link #acquire} and not yet released, over every model and version. */
  private final AtomicInteger inFlight = new AtomicInteger();

  ModelManager(
      List<ModelConfig> configs,
      int loadThreads,
      long unloadWaitMillis,
      BatchScheduler.Options batching,
      ConfigProto sessionConfig) {
    Map<String, Model> map = new LinkedHashMap<>();
    for (ModelConfig c : configs) {
      if (map.put(c.name(), new Model(c)) != null) {
        throw new IllegalArgumentException("Model '" + c.name() + "' is configured twice.");
      }
    }
    models = Collections.unmodifiableMap(map);
    this.unloadWaitMillis = unloadWaitMillis;
    this.sessionConfig = sessionConfig;
    this.batcher = batching == null ? null : new BatchScheduler(batching);
    this.loader =
        Executors.newFixedThreadPool(Math.max(1, loadThreads), daemon("e4j-serving-load"));
    this.poller = Executors.newSingleThreadScheduledExecutor(daemon("e4j-serving-poll"));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Loads what is on disk now (waiting for it), then polls every {@code pollSeconds} (0: never).
   */
  void start(long pollSeconds) {
    synchronized (this) {
      for (Model m : models.values()) {
        reconcile(m, true);
      }
    }
    // The initial loads complete before the server accepts requests, as in TF Serving.
    awaitLoads(models.values());
    if (pollSeconds > 0) {
      poller.scheduleWithFixedDelay(this::poll, pollSeconds, pollSeconds, TimeUnit.SECONDS);
    }
  }

  /** Waits (at most 10 minutes) until no version of {@code ms} is starting or loading. */
  private static void awaitLoads(Iterable<Model> ms) {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    for (Model m : ms) {
      for (ServableVersion v : m.versions.values()) {
        while ((v.state() == ServableVersion.State.START
                || v.state() == ServableVersion.State.LOADING)
            && System.nanoTime() < deadline) {
          sleep(10);
        }
      }
    }
  }

  /**
   * Replaces the served model set, as TF Serving's {@code ServerCore::ReloadConfig}: models left
   * out are unloaded (after their requests in flight), new ones are loaded (this waits for them),
   * kept ones take the new base path, policy and labels. Labels must name available versions.
   */
  void reload(List<ModelConfig> configs) {
    List<Model> removed = new ArrayList<>();
    synchronized (this) {
      if (closed) {
        throw new ServingException(ServingException.Code.UNAVAILABLE, "Server is shutting down.");
      }
      Map<String, Model> next = new LinkedHashMap<>();
      for (ModelConfig c : configs) {
        Model m = models.get(c.name());
        if (m == null) {
          m = new Model(c);
        } else {
          m.config = c;
        }
        next.put(c.name(), m);
      }
      for (Model m : models.values()) {
        if (!next.containsKey(m.config.name())) {
          removed.add(m);
        }
      }
      models = Collections.unmodifiableMap(next);
      for (Model m : next.values()) {
        reconcile(m, true); // an explicit reload loads what is on disk now
      }
    }
    for (Model m : removed) {
      LOG.info("Model {} left the config: unloading it", m.config.name());
      for (ServableVersion sv : m.versions.values()) {
        loader.execute(() -> sv.unload(unloadWaitMillis));
      }
    }
    awaitLoads(models.values());
    for (ModelConfig c : configs) {
      Model m = models.get(c.name());
      for (Map.Entry<String, Long> l : c.versionLabels().entrySet()) {
        ServableVersion sv = m == null ? null : m.versions.get(l.getValue());
        if (sv == null || sv.state() != ServableVersion.State.AVAILABLE) {
          throw new ServingException(
              ServingException.Code.FAILED_PRECONDITION,
              "Request to assign label to version "
                  + l.getValue()
                  + " of model "
                  + c.name()
                  + ", which is not currently available for inference");
        }
      }
    }
  }

  /**
   * TF Serving's {@code GetModelStatus}: every version of the model (newest first, as its REST API
   * lists them), or the one {@code version} or {@code label} names.
   */
  GetModelStatusResponse status(String name, Long version, String label) {
    Model m = models.get(name);
    if (m == null) {
      throw ServingException.notFound("Could not find any versions of model " + name);
    }
    if (label != null) {
      version = m.config.versionLabels().get(label);
      if (version == null) {
        throw ServingException.invalid("Unrecognized servable version label: " + label);
      }
    }
    List<ServableVersion> versions = new ArrayList<>();
    if (version != null) {
      ServableVersion sv = m.versions.get(version);
      if (sv == null) {
        throw ServingException.notFound("Could not find version " + version + " of model " + name);
      }
      versions.add(sv);
    } else {
      versions.addAll(m.versions.descendingMap().values());
      if (versions.isEmpty()) {
        throw ServingException.notFound("Could not find any versions of model " + name);
      }
    }
    GetModelStatusResponse.Builder b = GetModelStatusResponse.newBuilder();
    for (ServableVersion sv : versions) {
      b.addModelVersionStatusBuilder()
          .setVersion(sv.version)
          .setState(ModelVersionStatus.State.valueOf(sv.state().name()))
          .setStatus(
              StatusProto.newBuilder()
                  .setErrorCode(Code.forNumber(sv.errorCode().ordinal()))
                  .setErrorMessage(sv.errorMessage()));
    }
    return b.build();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One poll of every model's base path (also what the poll thread runs). */
  void poll() {
    synchronized (this) {
      if (closed) {
        return;
      }
      for (Model m : models.values()) {
        try {
          reconcile(m, false);
        } catch (RuntimeException e) {
          LOG.warn("Polling model {} failed: {}", m.config.name(), e.toString());
        }
      }
    }
  }

  Model model(String name) {
    return models.get(name);
  }

  List<Model> models() {
    return List.copyOf(models.values());
  }

  /** Version directories under the base path: numeric names (TF Serving parses them as int64). */
  static NavigableMap<Long, Path> versionDirs(Path base) {
    NavigableMap<Long, Path> out = new java.util.TreeMap<>();
    if (!Files.isDirectory(base)) {
      return out;
    }
    try (Stream<Path> s = Files.list(base)) {
      s.forEach(
          p -> {
            String n = p.getFileName().toString();
            if (Files.isDirectory(p) && n.matches("[0-9]{1,18}")) {
              out.put(Long.parseLong(n), p);
            }
          });
    } catch (IOException e) {
      LOG.warn("Cannot list model base path {}: {}", base, e.toString());
    }
    return out;
  }

  /** Names, sizes and modification times of every file below {@code dir}. */
  static String fingerprint(Path dir) {
    StringBuilder b = new StringBuilder();
    try (Stream<Path> s = Files.walk(dir, 8)) {
      s.sorted()
          .forEach(
              p -> {
                try {
                  b.append(dir.relativize(p))
                      .append(':')
                      .append(Files.isDirectory(p) ? -1 : Files.size(p))
                      .append(':')
                      .append(Files.getLastModifiedTime(p).toMillis())
                      .append('\n');
                } catch (IOException e) {
                  b.append(p).append(":gone\n");
                }
              });
    } catch (IOException | java.io.UncheckedIOException e) {
      return "unreadable:" + System.nanoTime();
    }
    return b.toString();
  }

  private static boolean hasSavedModel(Path dir) {
    return Files.isRegularFile(dir.resolve(SavedModelLoader.SAVED_MODEL_PB))
        || Files.isRegularFile(dir.resolve("saved_model.pbtxt"));
  }

  private void reconcile(Model m, boolean initial) {
    NavigableMap<Long, Path> dirs = versionDirs(m.config.basePath());
    NavigableSet<Long> candidates = new TreeSet<>();
    dirs.forEach(
        (v, p) -> {
          if (hasSavedModel(p)) {
            candidates.add(v);
          }
        });
    NavigableSet<Long> aspired = m.config.versionPolicy().select(candidates);
    for (Long v : aspired) {
      ServableVersion known = m.versions.get(v);
      Path dir = dirs.get(v);
      if (known != null) {
        ServableVersion.State s = known.state();
        boolean retry =
            s == ServableVersion.State.END
                && known.errorCode() != ServingException.Code.OK
                && !fingerprint(dir).equals(known.fingerprint);
        if (!retry) {
          continue;
        }
      }
      String fp = fingerprint(dir);
      if (!initial && !fp.equals(m.pending.get(v))) {
        m.pending.put(v, fp); // new or still changing: look again next poll
        continue;
      }
      m.pending.remove(v);
      ServableVersion sv = new ServableVersion(m.config.name(), v, dir, batcher, inFlight);
      sv.fingerprint = fp;
      m.versions.put(v, sv);
      sv.loading();
      loader.execute(() -> load(m, sv));
    }
    m.pending.keySet().retainAll(aspired);
    unloadUnaspired(m, aspired);
  }

  private void load(Model m, ServableVersion sv) {
    long t0 = System.nanoTime();
    try {
      MetaGraphDef meta =
          SavedModelLoader.metaGraph(SavedModelLoader.readProto(sv.dir), sv.dir, SERVE);
      for (ServingCheck.Outcome o : ServingCheck.check(meta)) {
        LOG.debug("{} version {}: {}", sv.model, sv.version, o);
      }
      SavedModelPredictor p = SavedModelPredictor.load(sv.dir, SERVE, sessionConfig);
      boolean keep;
      synchronized (this) {
        keep = !closed;
        if (keep) {
          sv.available(p, meta);
        }
      }
      if (!keep) {
        p.close();
        sv.failed(ServingException.Code.CANCELLED, "Server shut down while loading.");
        return;
      }
      LOG.info(
          "Loaded model {} version {} in {} ms",
          sv.model,
          sv.version,
          (System.nanoTime() - t0) / 1_000_000);
    } catch (Exception | LinkageError e) {
      String msg = e.getMessage() == null ? e.toString() : e.getMessage();
      LOG.warn("Failed to load model {} version {}: {}", sv.model, sv.version, msg);
      sv.failed(ServingException.Code.UNKNOWN, msg);
    }
    synchronized (this) {
      if (!closed) {
        unloadUnaspired(m, null);
      }
    }
  }

  /** Unloads available versions outside {@code aspired} once an aspired version is available. */
  private void unloadUnaspired(Model m, NavigableSet<Long> aspired) {
    if (aspired == null) {
      NavigableSet<Long> candidates = new TreeSet<>();
      versionDirs(m.config.basePath())
          .forEach(
              (v, p) -> {
                if (hasSavedModel(p)) {
                  candidates.add(v);
                }
              });
      aspired = m.config.versionPolicy().select(candidates);
    }
    boolean anyAspiredAvailable = false;
    for (Long v : aspired) {
      ServableVersion sv = m.versions.get(v);
      anyAspiredAvailable |= sv != null && sv.state() == ServableVersion.State.AVAILABLE;
    }
    List<ServableVersion> retire = new ArrayList<>();
    for (ServableVersion sv : m.versions.values()) {
      if (!aspired.contains(sv.version)
          && sv.state() == ServableVersion.State.AVAILABLE
          && (anyAspiredAvailable || aspired.isEmpty())) {
        retire.add(sv);
      }
    }
    for (ServableVersion sv : retire) {
      loader.execute(
          () -> {
            sv.unload(unloadWaitMillis);
            LOG.info("Unloaded model {} version {}", sv.model, sv.version);
          });
    }
  }

  /**
   * The version a request names, counted in (the caller must {@link ServableVersion#release}):
   * {@code version} and {@code label} null for the latest available one.
   */
  ServableVersion acquire(String name, Long version, String label) {
    Model m = models.get(name);
    String request =
        version != null ? "Specific(" + name + ", " + version + ")" : "Latest(" + name + ")";
    if (m == null) {
      throw ServingException.notFound("Servable not found for request: " + request);
    }
    if (label != null) {
      Long v = m.config.versionLabels().get(label);
      if (v == null) {
        throw ServingException.invalid("Unrecognized servable version label: " + label);
      }
      version = v;
      request = "Specific(" + name + ", " + version + ")";
    }
    for (int attempt = 0; attempt < 100; attempt++) {
      ServableVersion sv = version != null ? m.versions.get(version) : latestAvailable(m);
      // acquire() checks AVAILABLE and counts in one step; a separate state check here would
      // race with an unload beginning in between and answer 404 during a swap
      if (sv == null) {
        break;
      }
      if (sv.acquire()) {
        return sv;
      }
      if (version != null) {
        break; // that version is unloading or failed
      }
      // The latest began unloading between the lookup and the count: a newer one is available.
    }
    throw ServingException.notFound("Servable not found for request: " + request);
  }

  /**
   * Whether a request for {@code name} (at {@code version}, or the latest) may run on the thread
   * that received it: that version's session runs are {@link RunCost#quick() quick}. An unknown
   * model or version is quick too: its answer is an error found without a session run. (With
   * batching on, the caller decides: a request that waits for its batch must not.)
   */
  boolean quick(String name, Long version) {
    Model m = models.get(name);
    if (m == null) {
      return true;
    }
    ServableVersion sv = version != null ? m.versions.get(version) : latestAvailable(m);
    return sv == null || sv.cost.quick();
  }

  /** The newest AVAILABLE version of {@code m}, or null. */
  private static ServableVersion latestAvailable(Model m) {
    for (ServableVersion c : m.versions.descendingMap().values()) {
      if (c.state() == ServableVersion.State.AVAILABLE) {
        return c;
      }
    }
    return null;
  }

  BatchScheduler batcher() {
    return batcher;
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    if (batcher != null) {
      batcher.close(); // runs the batches still queued: their requests finish
    }
    poller.shutdownNow();
    loader.shutdown();
    try {
      loader.awaitTermination(2, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Model m : models.values()) {
      for (ServableVersion sv : m.versions.values()) {
        sv.unload(unloadWaitMillis);
      }
    }
  }
}
