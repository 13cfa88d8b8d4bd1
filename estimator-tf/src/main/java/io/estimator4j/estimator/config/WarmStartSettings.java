package io.estimator4j.estimator.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and which variables to warm-start from; Java counterpart of tf.estimator.WarmStartSettings
 * with TensorFlow's semantics (training/warm_starting_util.py). Applied only when the model
 * directory has no checkpoint yet.
 *
 * <p>Which variables ({@code vars_to_warm_start}):
 *
 * <ul>
 *   <li>a regex ({@link #vars(String)}, default {@code ".*"}): the <b>trainable</b> variables whose
 *       name plus {@code ":0"} the regex matches from its start (Python's {@code
 *       get_collection(TRAINABLE_VARIABLES, scope=regex)}): never optimizer slots, batch-norm
 *       moving statistics or global_step;
 *   <li>a list ({@link #vars(List)}): every global variable (slots included) matched from its start
 *       by one of the regexes;
 *   <li>none ({@link #onlyVocabularyVariables()}): only the variables given a {@link VocabInfo}.
 * </ul>
 *
 * <p>A selected variable missing from the checkpoint, a shape mismatch, and a rename or VocabInfo
 * naming no selected variable are errors, as in TensorFlow. Sliced (partitioned) tensors of the
 * checkpoint are read joined.
 *
 * @param checkpoint a checkpoint prefix, a directory with a {@code checkpoint} file, or a
 *     SavedModel directory (its variables/variables is used)
 * @param varsRegex the regex over trainable variables, or null when {@code varsList} is given or
 *     only vocabulary variables are warm-started
 * @param varsList regexes over all global variables, or null
 * @param varNameToVocabInfo variables whose rows (or columns) follow a vocabulary that changed
 * @param varNameToPrevVarName renames: new variable name to its name in the checkpoint
 */
public record WarmStartSettings(
    String checkpoint,
    String varsRegex,
    List<String> varsList,
    Map<String, VocabInfo> varNameToVocabInfo,
    Map<String, String> varNameToPrevVarName) {

  /** Validates the fields and copies the collections. */
  public WarmStartSettings {
    Objects.requireNonNull(checkpoint, "checkpoint");
    if (varsRegex != null && varsList != null) {
      throw new IllegalArgumentException("Give vars_to_warm_start as a regex or a list, not both");
    }
    if (varsRegex != null) {
      Pattern.compile(varsRegex);
    }
    if (varsList != null) {
      varsList.forEach(Pattern::compile);
      varsList = List.copyOf(varsList);
    }
    varNameToVocabInfo = Map.copyOf(varNameToVocabInfo);
    varNameToPrevVarName = Map.copyOf(varNameToPrevVarName);
  }

  /** The trainable variables ({@code ".*"}) from this checkpoint, SavedModel or model directory. */
  public static WarmStartSettings from(String checkpoint) {
    return new WarmStartSettings(checkpoint, ".*", null, Map.of(), Map.of());
  }

  /**
   * Only the trainable variables whose name (with {@code ":0"}) {@code regex} matches from its
   * start, as Python's {@code vars_to_warm_start="<regex>"}.
   */
  public WarmStartSettings vars(String regex) {
    return new WarmStartSettings(
        checkpoint,
        Objects.requireNonNull(regex, "regex"),
        null,
        varNameToVocabInfo,
        varNameToPrevVarName);
  }

  /**
   * The global variables (slots and moving statistics included) that one of {@code regexes} matches
   * from the start of the name, as Python's {@code vars_to_warm_start=[...]}; e.g. {@code
   * List.of("dnn/hiddenlayer_0/kernel")} also takes the TF1 slot {@code
   * dnn/hiddenlayer_0/kernel/Adagrad}.
   */
  public WarmStartSettings vars(List<String> regexes) {
    return new WarmStartSettings(
        checkpoint, null, List.copyOf(regexes), varNameToVocabInfo, varNameToPrevVarName);
  }

  /** Only the variables given a {@link VocabInfo}, as Python's {@code vars_to_warm_start=None}. */
  public WarmStartSettings onlyVocabularyVariables() {
    return new WarmStartSettings(checkpoint, null, null, varNameToVocabInfo, varNameToPrevVarName);
  }

  /** Loads variable {@code newName} from {@code previousName} in the checkpoint. */
  public WarmStartSettings rename(String newName, String previousName) {
    Map<String, String> m = new LinkedHashMap<>(varNameToPrevVarName);
    m.put(newName, previousName);
    return new WarmStartSettings(checkpoint, varsRegex, varsList, varNameToVocabInfo, m);
  }

  /**
   * Loads variable {@code varName} with its rows (or columns) remapped from the old vocabulary to
   * the new one, as Python's {@code var_name_to_vocab_info}.
   */
  public WarmStartSettings vocabInfo(String varName, VocabInfo info) {
    Map<String, VocabInfo> m = new LinkedHashMap<>(varNameToVocabInfo);
    m.put(varName, Objects.requireNonNull(info, "info"));
    return new WarmStartSettings(checkpoint, varsRegex, varsList, m, varNameToPrevVarName);
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
