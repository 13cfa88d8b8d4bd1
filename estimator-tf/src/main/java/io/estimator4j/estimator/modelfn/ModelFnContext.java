package io.estimator4j.estimator.modelfn;

import io.estimator4j.checkpoint.Saveable;
import io.estimator4j.checkpoint.TensorFlowFlavour;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.hook.SessionRunHook;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Everything a {@link ModelFn} receives: features, labels, mode, params, config and the graph; the
 * Java form of the {@code (features, labels, mode, params, config)} arguments of a tf.estimator
 * model_fn.
 */
public final class ModelFnContext {
  private final Ops tf;
  private final Map<String, Operand<?>> features;
  private final Map<String, Operand<?>> labels;
  private final ModeKeys mode;
  private final Params params;
  private final RunConfig config;
  private final Variable<TInt64> globalStep;
  private final TensorFlowFlavour tensorFlowFlavour;
  private final Map<String, Operand<?>> scalarSummaries = new LinkedHashMap<>();
  private final Map<String, Operand<?>> histogramSummaries = new LinkedHashMap<>();
  private final List<org.tensorflow.op.Op> localInitOps = new ArrayList<>();
  private final List<Saveable> saveables = new ArrayList<>();
  private final List<SessionRunHook> trainingHooks = new ArrayList<>();
  private long seedCounter;

  public ModelFnContext(
      Ops tf,
      Map<String, Operand<?>> features,
      Map<String, Operand<?>> labels,
      ModeKeys mode,
      Params params,
      RunConfig config,
      Variable<TInt64> globalStep) {
    this(tf, features, labels, mode, params, config, globalStep, config.tensorFlowFlavour());
  }

  /**
   * A context whose optimizer flavour is {@code tensorFlowFlavour} (the flavour of the checkpoint
   * training resumes from, else the config's).
   */
  public ModelFnContext(
      Ops tf,
      Map<String, Operand<?>> features,
      Map<String, Operand<?>> labels,
      ModeKeys mode,
      Params params,
      RunConfig config,
      Variable<TInt64> globalStep,
      TensorFlowFlavour tensorFlowFlavour) {
    this.tf = tf;
    this.tensorFlowFlavour = java.util.Objects.requireNonNull(tensorFlowFlavour, "flavour");
    this.features = Collections.unmodifiableMap(new LinkedHashMap<>(features));
    this.labels =
        labels == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    this.mode = mode;
    this.params = params;
    this.config = config;
    this.globalStep = globalStep;
  }

  /** Ops bound to the graph under construction. */
  public Ops tf() {
    return tf;
  }

  public ModeKeys mode() {
    return mode;
  }

  public Params params() {
    return params;
  }

  public RunConfig config() {
    return config;
  }

  /**
   * The flavour of the optimizer state to build: the flavour of the checkpoint this training
   * resumes from when its variable names show one, else {@link RunConfig#tensorFlowFlavour()}.
   * Canned estimators build TF2 (Keras) or TF1 optimizer state from it.
   */
  public TensorFlowFlavour tensorFlowFlavour() {
    return tensorFlowFlavour;
  }

  /** The int64 global step variable (the train op must increment it). */
  public Variable<TInt64> globalStep() {
    return globalStep;
  }

  /** All features, keyed by name. */
  public Map<String, Operand<?>> features() {
    return features;
  }

  /** One feature; a missing key fails with the keys that were present. */
  public Operand<?> feature(String key) {
    Operand<?> f = features.get(key);
    if (f == null) {
      throw new IllegalArgumentException(
          "Feature '"
              + key
              + "' is not in the input. Features present: "
              + features.keySet()
              + ". Fix: make the input function return a feature named '"
              + key
              + "' (for CSV inputs, a column of that name).");
    }
    return f;
  }

  /** One feature checked to have the given dtype. */
  public <T extends TType> Operand<T> feature(String key, Class<T> type) {
    return checkType("feature '" + key + "'", feature(key), type);
  }

  /** True when labels were given (never in PREDICT mode). */
  public boolean hasLabels() {
    return !labels.isEmpty();
  }

  /** All labels keyed by name (a single labels tensor is keyed by {@code "labels"}). */
  public Map<String, Operand<?>> labelsMap() {
    return labels;
  }

  /** The single labels tensor. */
  public Operand<?> labels() {
    if (labels.isEmpty()) {
      throw new IllegalStateException(
          "No labels in mode "
              + mode
              + ". Labels exist only in TRAIN and EVAL; "
              + "make the input function return labels.");
    }
    if (labels.size() > 1) {
      throw new IllegalStateException(
          "The input has several labels " + labels.keySet() + "; use labelsMap().");
    }
    return labels.values().iterator().next();
  }

  /** The single labels tensor checked to have the given dtype. */
  public <T extends TType> Operand<T> labels(Class<T> type) {
    return checkType("labels", labels(), type);
  }

  /**
   * The single labels tensor checked for dtype and for its static shape after the batch dimension,
   * as tf.estimator's heads check labels: {@code labels(TFloat32.class, 1)} accepts [batch, 1];
   * {@code labels(TInt32.class)} accepts [batch].
   */
  public <T extends TType> Operand<T> labels(Class<T> type, long... dimsAfterBatch) {
    Operand<T> l = labels(type);
    org.tensorflow.ndarray.Shape s = l.shape();
    boolean ok = !s.isUnknown() && s.numDimensions() == dimsAfterBatch.length + 1;
    for (int i = 0; ok && i < dimsAfterBatch.length; i++) {
      long d = s.size(i + 1);
      ok = d == org.tensorflow.ndarray.Shape.UNKNOWN_SIZE || d == dimsAfterBatch[i];
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "Mismatched label shape. Expected labels of shape [batch"
              + java.util.Arrays.stream(dimsAfterBatch)
                  .mapToObj(d -> ", " + d)
                  .collect(java.util.stream.Collectors.joining())
              + "], received "
              + s
              + ". Suggested fix: make the input function return labels of "
              + "that shape (reshape them, e.g. tf.reshape(labels, [-1"
              + java.util.Arrays.stream(dimsAfterBatch)
                  .mapToObj(d -> ", " + d)
                  .collect(java.util.stream.Collectors.joining())
              + "])).");
    }
    return l;
  }

  /** Adds a scalar to the summaries written every save_summary_steps (TRAIN) . */
  public void scalarSummary(String name, Operand<?> value) {
    scalarSummaries.put(name, value);
  }

  /** Adds a histogram to the summaries written every save_summary_steps (TRAIN). */
  public void histogramSummary(String name, Operand<?> values) {
    histogramSummaries.put(name, values);
  }

  /** Adds an op run once the session is ready, after variables (e.g. a lookup table init). */
  public void addLocalInitOp(org.tensorflow.op.Op op) {
    localInitOps.add(op);
  }

  /**
   * Adds state that checkpoints hold beside the variables (a resource such as a tree ensemble):
   * saved with every checkpoint and export, restored with them; tf.compat.v1's SAVEABLE_OBJECTS
   * collection.
   */
  public void addSaveable(Saveable saveable) {
    saveables.add(java.util.Objects.requireNonNull(saveable, "saveable"));
  }

  /**
   * Adds a hook that training runs beside the EstimatorSpec's own (e.g. the synchronous-replicas
   * hook a canned estimator's train op needs).
   */
  public void addTrainingHook(SessionRunHook hook) {
    trainingHooks.add(java.util.Objects.requireNonNull(hook, "hook"));
  }

  /** The hooks added by {@link #addTrainingHook}. */
  public List<SessionRunHook> trainingHooks() {
    return Collections.unmodifiableList(trainingHooks);
  }

  /** The saveables added so far. */
  public List<Saveable> saveables() {
    return Collections.unmodifiableList(saveables);
  }

  /**
   * A deterministic op-level seed derived from the config's random seed (like TensorFlow's
   * graph-level seed), or empty when no seed is configured.
   */
  public Optional<Long> nextSeed() {
    return config.randomSeed().map(s -> s * 1_000_003L + (++seedCounter));
  }

  public Map<String, Operand<?>> scalarSummaries() {
    return scalarSummaries;
  }

  public Map<String, Operand<?>> histogramSummaries() {
    return histogramSummaries;
  }

  public List<org.tensorflow.op.Op> localInitOps() {
    return localInitOps;
  }

  @SuppressWarnings("unchecked")
  static <T extends TType> Operand<T> checkType(String what, Operand<?> operand, Class<T> type) {
    if (!type.isAssignableFrom(operand.type())) {
      throw new IllegalArgumentException(
          "Wrong dtype for "
              + what
              + ": expected "
              + type.getSimpleName()
              + ", found "
              + operand.type().getSimpleName()
              + " (shape "
              + operand.shape()
              + "). Fix: give the input column the dtype the model expects, or cast it with "
              + "tf.dtypes.cast in the model function.");
    }
    return (Operand<T>) operand;
  }
}
