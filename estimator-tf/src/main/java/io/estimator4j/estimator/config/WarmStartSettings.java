package io.estimator4j.estimator.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and which variables to warm-start from; Java counterpart of tf.estimator.WarmStartSettings.
 * Applied only when the model directory has no checkpoint yet.
 *
 * @param checkpoint a checkpoint prefix, a directory with a {@code checkpoint} file, or a
 *     SavedModel directory (its variables/variables is used)
 * @param varsToWarmStart regex over the new graph's variable names (global_step is never warm
 *     started)
 * @param varNameToPrevVarName renames: new variable name to its name in the checkpoint
 */
public record WarmStartSettings(
    String checkpoint, Pattern varsToWarmStart, Map<String, String> varNameToPrevVarName) {

  public WarmStartSettings {
    Objects.requireNonNull(checkpoint, "checkpoint");
    Objects.requireNonNull(varsToWarmStart, "varsToWarmStart");
    varNameToPrevVarName = Map.copyOf(varNameToPrevVarName);
  }

  /** All variables from this checkpoint, SavedModel or model directory. */
  public static WarmStartSettings from(String checkpoint) {
    return new WarmStartSettings(checkpoint, Pattern.compile(".*"), Map.of());
  }

  /** Only variables whose names match {@code regex}. */
  public WarmStartSettings vars(String regex) {
    return new WarmStartSettings(checkpoint, Pattern.compile(regex), varNameToPrevVarName);
  }

  /** Loads variable {@code newName} from {@code previousName} in the checkpoint. */
  public WarmStartSettings rename(String newName, String previousName) {
    Map<String, String> m = new LinkedHashMap<>(varNameToPrevVarName);
    m.put(newName, previousName);
    return new WarmStartSettings(checkpoint, varsToWarmStart, m);
  }

  /** Resolves the checkpoint prefix to read. */
  public String resolvePrefix() {
    Path p = Path.of(checkpoint);
    if (Files.isDirectory(p.resolve("variables")) && Files.exists(p.resolve("saved_model.pb"))) {
      return p.resolve("variables").resolve("variables").toString();
    }
    if (Files.isDirectory(p)) {
      try {
        return io.estimator4j.checkpoint.CheckpointState.latestCheckpoint(p)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "Warm-start directory "
                            + p
                            + " has no checkpoint. Fix: point WarmStartSettings at"
                            + " a checkpoint prefix, a model_dir with a checkpoint, or a SavedModel."));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
    return checkpoint;
  }
}
