package io.estimator4j.estimator;

import io.estimator4j.checkpoint.CheckpointFiles;
import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.checkpoint.VariableInfo;
import io.estimator4j.estimator.config.ClusterConfig;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.config.WarmStartSettings;
import io.estimator4j.estimator.export.SavedModelExporter;
import io.estimator4j.estimator.hook.CheckpointSaverHook;
import io.estimator4j.estimator.hook.CheckpointSaverListener;
import io.estimator4j.estimator.hook.SessionRunHook;
import io.estimator4j.estimator.impl.ModelDefinition;
import io.estimator4j.estimator.impl.ModelGraph;
import io.estimator4j.estimator.impl.Trainer;
import io.estimator4j.estimator.input.InputFn;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.modelfn.Params;
import io.estimator4j.savedmodel.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Tensor;

/**
 * Trains, evaluates and predicts with a model function, keeping its state in a model directory that
 * TensorFlow's tools read; Java counterpart of tf.estimator.Estimator.
 *
 * <p>Each call builds its own graph from the model function, as tf.estimator does; for repeated
 * evaluation use {@link #evaluator} and for online inference {@link #predictor}, which build their
 * graph once.
 */
public final class Estimator {
  private static final Logger LOG = LoggerFactory.getLogger(Estimator.class);

  private final ModelFn modelFn;
  private final RunConfig config;
  private final Params params;
  private final WarmStartSettings warmStart;
  private final Path modelDir;
  private final ModelDefinition definition;

  private Estimator(Builder b) {
    this.modelFn = b.modelFn;
    this.params = b.params;
    this.warmStart = b.warmStart;
    Path dir = b.config.modelDir();
    if (dir == null) {
      try {
        dir = Files.createTempDirectory("estimator4j-model-");
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot create a temporary model_dir", e);
      }
      LOG.info("Using temporary folder as model directory: {}", dir);
    }
    this.modelDir = dir.toAbsolutePath();
    this.config = b.config.toBuilder().modelDir(this.modelDir).build();
    checkModelDir(this.modelDir);
    this.definition = new ModelDefinition(modelFn, params, config);
  }

  public static Builder builder(ModelFn modelFn) {
    return new Builder(modelFn);
  }

  public Path modelDir() {
    return modelDir;
  }

  public RunConfig config() {
    return config;
  }

  public Params params() {
    return params;
  }

  public ModelFn modelFn() {
    return modelFn;
  }

  public Optional<WarmStartSettings> warmStartSettings() {
    return Optional.ofNullable(warmStart);
  }

  /** The newest checkpoint of the model directory, like Estimator.latest_checkpoint(). */
  public Optional<String> latestCheckpoint() {
    return definition.latestCheckpoint();
  }

  /** Names, dtypes and shapes of the variables in the latest checkpoint. */
  public Map<String, VariableInfo> variables() {
    try (CheckpointReader r = CheckpointReader.open(requireCheckpoint())) {
      return r.variables();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Names of the variables in the latest checkpoint, like get_variable_names(). */
  public List<String> variableNames() {
    return List.copyOf(variables().keySet());
  }

  /** A variable's value in the latest checkpoint, like get_variable_value(); caller closes it. */
  public Tensor variableValue(String name) {
    try (CheckpointReader r = CheckpointReader.open(requireCheckpoint())) {
      return r.read(name);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The directory evaluation events go to: eval, or eval_&lt;name&gt;. */
  public Path evalDir(String name) {
    return modelDir.resolve(name == null ? "eval" : "eval_" + name);
  }

  /** Trains with the given limit; see {@link StepLimit}. */
  public Estimator train(InputFn inputFn, StepLimit limit, SessionRunHook... hooks) {
    return train(inputFn, limit, List.of(hooks), List.of());
  }

  /**
   * Trains until the step limit, a stop request or the end of the input; resumes from the latest
   * checkpoint, and saves checkpoints at start, on the configured cadence and at the end.
   *
   * <p>The latest checkpoint is the one the {@code checkpoint} file names or, if that one is
   * missing or incomplete, the newest complete one listed or in model_dir ({@link
   * CheckpointState#latestCheckpoint}). Training never starts from step 0 while model_dir holds a
   * complete checkpoint, unless {@link RunConfig.Builder#allowFreshStart} says so.
   *
   * <p>In a cluster (TF_CONFIG) the variables live on the parameter servers and the session runs on
   * this task's server, which must be started first ({@link TrainAndEvaluate#run} does it): the
   * chief initialises or restores them and writes checkpoints and summaries; a worker waits for the
   * chief, then trains the shared variables. ps and evaluator tasks cannot train.
   */
  public Estimator train(
      InputFn inputFn,
      StepLimit limit,
      List<SessionRunHook> hooks,
      List<CheckpointSaverListener> listeners) {
    Objects.requireNonNull(inputFn, "inputFn");
    Objects.requireNonNull(limit, "limit");
    String type = config.cluster().taskType();
    if (type.equals(ClusterConfig.EVALUATOR) || type.equals(ClusterConfig.PS)) {
      throw new IllegalStateException(
          "TF_CONFIG task type "
              + type
              + " does not train: a ps "
              + "serves variables and the evaluator evaluates checkpoints. Fix: run this process "
              + "with TrainAndEvaluate.run, which runs each role.");
    }
    String latest = latestCheckpoint().orElse(null);
    if (latest == null && config.isChief() && !config.allowFreshStart()) {
      refuseToIgnoreCheckpoints();
    }
    if (limit.maxSteps() != null
        && latest != null
        && CheckpointState.stepOf(latest) >= limit.maxSteps()) {
      LOG.info("Skipping training since max_steps has already saved.");
      return this;
    }
    if (config.isChief()) {
      removeStaleTemporaries(); // a worker must not delete the chief's save in progress
    }
    new Trainer(definition, warmStart, limit.steps(), limit.maxSteps(), hooks, listeners)
        .run(inputFn, latest);
    return this;
  }

  /** Evaluates on the whole input with the latest checkpoint. */
  public Map<String, Double> evaluate(InputFn inputFn) {
    return evaluate(inputFn, EvalOptions.defaults());
  }

  /**
   * Evaluates the model: runs the metrics' update ops over the input (or {@code steps} batches) and
   * returns the metrics plus {@code loss} and {@code global_step}; writes them as events to {@link
   * #evalDir}.
   */
  public Map<String, Double> evaluate(InputFn inputFn, EvalOptions options) {
    try (Evaluator ev = evaluator(inputFn, options.name())) {
      return ev.evaluate(options.steps(), options.checkpointPath(), options.hooks());
    }
  }

  /**
   * An evaluator that builds the evaluation graph once and re-evaluates new checkpoints without
   * rebuilding it (tf.estimator rebuilt the graph for every evaluation).
   */
  public Evaluator evaluator(InputFn inputFn, String name) {
    return new Evaluator(this, inputFn, name);
  }

  /** Lazily predicts over the input with the latest checkpoint, one example at a time. */
  public PredictionIterator predict(InputFn inputFn) {
    return predict(inputFn, PredictOptions.defaults());
  }

  /** Lazily predicts over the input; close the iterator to release the session. */
  public PredictionIterator predict(InputFn inputFn, PredictOptions options) {
    String ckpt =
        options.checkpointPath() != null
            ? options.checkpointPath()
            : latestCheckpoint().orElse(null);
    if (ckpt == null) {
      LOG.warn(
          "No checkpoint in {}; predicting with {}.",
          modelDir,
          warmStart == null
              ? "freshly initialised variables"
              : "the variables warm-started from " + warmStart.checkpoint());
    }
    ModelGraph mg = buildGraph(ModeKeys.PREDICT, inputFn::build);
    return new PredictionIterator(mg, this, ckpt, options);
  }

  /**
   * A warm predictor over the latest checkpoint, fed through placeholders of the given specs; safe
   * for concurrent use, built once.
   */
  public Predictor predictor(Map<String, TensorSpec> featureSpecs) {
    return new Predictor(this, featureSpecs, requireCheckpoint());
  }

  /**
   * Exports the latest checkpoint as a SavedModel for TF Serving under {@code exportDirBase/<unix
   * seconds>}; returns that directory. Java counterpart of Estimator.export_saved_model.
   */
  public Path exportSavedModel(
      Path exportDirBase, io.estimator4j.estimator.export.ServingInputReceiverFn receiverFn) {
    return exportSavedModel(exportDirBase, receiverFn, Map.of(), null);
  }

  /**
   * Exports a checkpoint (null: the latest) as a SavedModel, with extra files copied to
   * assets.extra/ (destination name to source file). The export is written to a temporary directory
   * and renamed at the end, so nothing half-written is left behind.
   */
  public Path exportSavedModel(
      Path exportDirBase,
      io.estimator4j.estimator.export.ServingInputReceiverFn receiverFn,
      Map<String, Path> assetsExtra,
      String checkpointPath) {
    try {
      return SavedModelExporter.export(
          definition, exportDirBase, receiverFn, assetsExtra, checkpointPath);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Export to " + exportDirBase + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * Exports one SavedModel holding a meta graph per mode given (tags train, eval, serve) from a
   * checkpoint (null: the latest); TRAIN and EVAL receivers must supply labels, e.g. {@code
   * ServingInputReceivers.rawSupervised}. Java counterpart of
   * Estimator.experimental_export_all_saved_models.
   */
  public Path exportAllSavedModels(
      Path exportDirBase,
      Map<ModeKeys, io.estimator4j.estimator.export.ServingInputReceiverFn> receivers,
      Map<String, Path> assetsExtra,
      String checkpointPath) {
    try {
      return SavedModelExporter.export(
          definition, exportDirBase, receivers, assetsExtra, checkpointPath);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Export to " + exportDirBase + " failed: " + e.getMessage(), e);
    }
  }

  /** Evaluator, Predictor and the prediction iterator build their graphs through this. */
  ModelGraph buildGraph(
      ModeKeys mode,
      java.util.function.Function<
              io.estimator4j.estimator.input.InputContext, io.estimator4j.estimator.input.Input>
          input) {
    return definition.buildGraph(mode, input);
  }

  /** The newest checkpoint, or an IllegalStateException that says to train first. */
  public String requireCheckpoint() {
    return definition.requireCheckpoint();
  }

  private void removeStaleTemporaries() {
    try {
      CheckpointFiles.removeStaleTemporaries(modelDir);
      CheckpointSaverHook.removeStaleTemporaries(modelDir);
    } catch (IOException e) {
      LOG.warn("Could not remove stale temporary files in {}: {}", modelDir, e.toString());
    }
  }

  /** Throws if model_dir holds complete checkpoints that a fresh start would train beside. */
  private void refuseToIgnoreCheckpoints() {
    List<String> complete;
    try {
      complete = CheckpointFiles.listComplete(modelDir);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list the checkpoints in " + modelDir, e);
    }
    if (!complete.isEmpty()) {
      throw new IllegalStateException(
          "model_dir "
              + modelDir
              + " holds complete checkpoints "
              + complete.stream().map(p -> Path.of(p).getFileName().toString()).toList()
              + " but none that train resumes from (the checkpoint named in its 'checkpoint' file,"
              + " else the newest complete model.ckpt-<step>), so training would start from step 0"
              + " beside them. Fix: name the one to resume from in "
              + modelDir.resolve("checkpoint")
              + " (model_checkpoint_path: \"<name>\"), use another model_dir, or set"
              + " RunConfig.Builder.allowFreshStart(true) to train from scratch anyway.");
    }
  }

  private static void checkModelDir(Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "model_dir "
              + dir
              + " is a file, not a directory. Fix: pass a directory path (it is "
              + "created if missing) or remove the file.");
    }
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "Cannot create model_dir " + dir + ": " + e + ". Fix: choose a writable directory.", e);
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalArgumentException(
          "model_dir " + dir + " is not writable. Fix: choose a writable directory.");
    }
  }

  /** Builder of {@link Estimator}. */
  public static final class Builder {
    private final ModelFn modelFn;
    private RunConfig config;
    private Params params = Params.empty();
    private WarmStartSettings warmStart;

    private Builder(ModelFn modelFn) {
      this.modelFn = Objects.requireNonNull(modelFn, "modelFn");
    }

    public Builder config(RunConfig config) {
      this.config = config;
      return this;
    }

    /** Shorthand for a default config with this model directory. */
    public Builder modelDir(Path modelDir) {
      this.config =
          (config == null ? RunConfig.builder() : config.toBuilder()).modelDir(modelDir).build();
      return this;
    }

    public Builder params(Params params) {
      this.params = Objects.requireNonNull(params, "params");
      return this;
    }

    public Builder warmStartFrom(WarmStartSettings settings) {
      this.warmStart = settings;
      return this;
    }

    /** Shorthand for warm-starting every variable from a checkpoint or SavedModel. */
    public Builder warmStartFrom(String checkpointOrSavedModel) {
      return warmStartFrom(WarmStartSettings.from(checkpointOrSavedModel));
    }

    public Estimator build() {
      if (config == null) {
        config = RunConfig.builder().build();
      }
      return new Estimator(this);
    }
  }
}
