package io.estimator4j.keras;

import io.estimator4j.checkpoint.CheckpointState;
import io.estimator4j.checkpoint.GraphSaver;
import io.estimator4j.estimator.modelfn.ModeKeys;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The Keras weights of a model as the checkpoint {@code <model_dir>/keras/keras_model.ckpt} (with
 * its {@code checkpoint} state file), which model_to_estimator's {@code _save_first_checkpoint}
 * wrote and warm-started the Estimator from: variables named as the model function names them
 * ({@code conv2d/kernel}, {@code batch_normalization/moving_mean}, ...).
 *
 * @param prefix the checkpoint prefix
 * @param variables the Keras variable names it holds, sorted
 */
record KerasCheckpoint(String prefix, List<String> variables) {
  private static final Logger LOG = LoggerFactory.getLogger(KerasCheckpoint.class);

  /** The folder under the model directory, as model_to_estimator named it. */
  static final String DIR = "keras";

  /** The checkpoint prefix in {@link #DIR}. */
  static final String NAME = "keras_model.ckpt";

  KerasCheckpoint {
    variables = List.copyOf(variables);
  }

  /** A pattern matching exactly the Keras variables, for the warm-start settings. */
  String variablesPattern() {
    return variables.stream().map(Pattern::quote).collect(Collectors.joining("|"));
  }

  /**
   * Writes the checkpoint of {@code network}'s weights under {@code modelDir} unless it exists
   * (then it is kept, as model_to_estimator kept it), and returns it.
   */
  static KerasCheckpoint ensure(KerasNetwork network, Path modelDir) {
    Path dir = modelDir.resolve(DIR);
    String prefix = dir.resolve(NAME).toString();
    try (Graph g = new Graph()) {
      Ops tf = io.estimator4j.graph.FastSubScopes.wrap(Ops.create(g));
      Map<String, Operand<?>> inputs = new LinkedHashMap<>();
      for (KerasNetwork.InputSpec in : network.inputs()) {
        inputs.put(
            in.name(),
            tf.withName(in.name()).placeholder(in.type(), Placeholder.shape(in.shape())));
      }
      boolean exists = Files.exists(Path.of(prefix + ".index"));
      // with the stored values as initial values only when they are to be saved
      KerasNetwork.Applied applied =
          exists
              ? network.applyInitialized(tf, inputs, ModeKeys.PREDICT)
              : network.apply(tf, inputs, ModeKeys.PREDICT);
      List<Variable<TFloat32>> vars = new ArrayList<>(applied.trainableVariables());
      vars.addAll(applied.nonTrainableVariables());
      List<String> names = vars.stream().map(v -> v.op().name()).sorted().toList();
      if (!exists) {
        long start = System.nanoTime();
        Files.createDirectories(dir);
        GraphSaver saver = new GraphSaver(tf, vars);
        try (Session s = new Session(g)) {
          s.initialize();
          saver.save(s, prefix);
        }
        new CheckpointState(NAME, List.of(NAME), List.of(), 0).write(dir);
        LOG.info(
            "Saved the Keras weights ({} variables) to {} in {} ms",
            names.size(),
            prefix,
            (System.nanoTime() - start) / 1_000_000);
      }
      return new KerasCheckpoint(prefix, names);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the Keras checkpoint " + prefix, e);
    }
  }
}
