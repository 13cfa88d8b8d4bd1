package io.estimator4j.estimator.impl;

import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.Input;
import io.estimator4j.estimator.input.InputContext;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.modelfn.Params;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * What an Estimator is made of (model function, params, run config with its model_dir): the part of
 * it that the runtime, the exporter and the evaluator build graphs from, without depending on the
 * Estimator class itself.
 *
 * @param modelFn the model function
 * @param params the params passed to it
 * @param config the run config; its model_dir is set
 */
public record ModelDefinition(ModelFn modelFn, Params params, RunConfig config) {

  /** Validates the fields. */
  public ModelDefinition {
    Objects.requireNonNull(modelFn, "modelFn");
    Objects.requireNonNull(params, "params");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(config.modelDir(), "config.modelDir");
  }

  /** The model directory. */
  public Path modelDir() {
    return config.modelDir();
  }

  /** Builds the graph of one mode over the given input. */
  public ModelGraph buildGraph(ModeKeys mode, Function<InputContext, Input> input) {
    return ModelGraph.build(modelFn, mode, params, config, input);
  }

  /**
   * Builds the graph of one mode that will restore {@code checkpoint}: its optimizer state follows
   * the flavour the checkpoint's variable names show (TF1 or TF2), else the config's.
   *
   * @param checkpoint the prefix to restore, or null for a new model (the config's flavour)
   */
  public ModelGraph buildGraph(
      ModeKeys mode, Function<InputContext, Input> input, String checkpoint) {
    return ModelGraph.build(
        modelFn, mode, params, config, input, Flavours.of(checkpoint, config.tensorFlowFlavour()));
  }

  /** The newest checkpoint of the model directory. */
  public Optional<String> latestCheckpoint() {
    try {
      return CheckpointState.latestCheckpoint(modelDir());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The newest checkpoint, or a clear error when the model has none. */
  public String requireCheckpoint() {
    return latestCheckpoint()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "No checkpoint in "
                        + modelDir()
                        + ". Fix: train the estimator first, or point RunConfig at a model_dir"
                        + " that holds a checkpoint."));
  }
}
