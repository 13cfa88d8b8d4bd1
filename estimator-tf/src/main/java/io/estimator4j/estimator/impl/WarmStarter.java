package io.estimator4j.estimator.impl;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.checkpoint.VariableInfo;
import io.estimator4j.estimator.config.VocabInfo;
import io.estimator4j.estimator.config.WarmStartSettings;
import io.estimator4j.graph.GraphCollections;
import io.estimator4j.graph.Initializers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.LoadAndRemapMatrix;
import org.tensorflow.op.train.GenerateVocabRemapping;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Warm-starts the variables of a fresh session from a checkpoint as TensorFlow's warm_start does
 * (training/warm_starting_util.py): selection of the variables, renames, vocabulary remapping
 * (checkpoint_ops.py's _load_and_remap_matrix), and the errors for missing tensors, mismatched
 * shapes and unused settings.
 */
final class WarmStarter {
  private static final Logger LOG = LoggerFactory.getLogger(WarmStarter.class);

  private WarmStarter() {}

  static void warmStart(ModelGraph mg, Session session, WarmStartSettings ws) {
    String prefix = ws.resolvePrefix();
    Map<String, VariableInfo> saved;
    try (CheckpointReader reader = CheckpointReader.open(prefix)) {
      saved = reader.variables();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read warm-start checkpoint " + prefix, e);
    }
    Map<String, Operand<?>> grouped = selected(mg, ws);
    Set<String> renameUsed = new LinkedHashSet<>();
    Set<String> vocabUsed = new LinkedHashSet<>();
    List<Operand<?>> targets = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    boolean onlyVocabulary = ws.varsRegex() == null && ws.varsList() == null;
    int vocabularyCount = 0;
    for (Map.Entry<String, Operand<?>> e : grouped.entrySet()) {
      String name = e.getKey();
      String prev = ws.varNameToPrevVarName().get(name);
      if (prev != null) {
        renameUsed.add(name);
      }
      String source = prev != null ? prev : name;
      VocabInfo vocab = ws.varNameToVocabInfo().get(name);
      if (vocab != null) {
        vocabUsed.add(name);
        check(name, e.getValue(), source, saved, prefix, vocab);
        warmStartWithVocabulary(mg, session, e.getValue(), source, prefix, vocab);
        vocabularyCount++;
      } else if (!onlyVocabulary) {
        check(name, e.getValue(), source, saved, prefix, null);
        targets.add(e.getValue());
        sources.add(source);
      }
    }
    unused("var_name_to_prev_var_name", ws.varNameToPrevVarName().keySet(), renameUsed, grouped);
    unused("var_name_to_vocab_info", ws.varNameToVocabInfo().keySet(), vocabUsed, grouped);
    if (!targets.isEmpty()) {
      restore(mg, session, prefix, targets, sources);
    }
    if (targets.isEmpty() && vocabularyCount == 0) {
      LOG.warn("Warm-start from {} selected no variable.", prefix);
    } else {
      LOG.info(
          "Warm-started {} variables from {} ({} with a vocabulary remapping).",
          targets.size() + vocabularyCount,
          prefix,
          vocabularyCount);
    }
  }

  /** Python's _get_grouped_variables: the variables the settings select, by name. */
  private static Map<String, Operand<?>> selected(ModelGraph mg, WarmStartSettings ws) {
    Map<String, Operand<?>> globals = new LinkedHashMap<>();
    for (Operand<?> v : mg.saver.variables()) {
      globals.put(v.op().name(), v);
    }
    // the parts of partitioned variables: saved as slices, not one by one
    List<String> parts = new ArrayList<>();
    mg.globalVariables.forEach(
        v -> {
          if (!globals.containsKey(v.op().name())) {
            parts.add(v.op().name());
          }
        });
    Map<String, Operand<?>> out = new LinkedHashMap<>();
    if (ws.varsList() != null) {
      for (String regex : ws.varsList()) {
        Pattern p = Pattern.compile(regex);
        globals.forEach(
            (name, v) -> {
              if (p.matcher(name + ":0").lookingAt()) {
                out.put(name, v);
              }
            });
        parts.forEach(name -> refusePart(p, name));
      }
      return out;
    }
    Pattern p = ws.varsRegex() == null ? null : Pattern.compile(ws.varsRegex());
    for (String name : GraphCollections.get(mg.graph, GraphCollections.TRAINABLE_VARIABLES)) {
      Operand<?> v = globals.get(name);
      if (v != null && (p == null || p.matcher(name + ":0").lookingAt())) {
        out.put(name, v);
      } else if (v == null && parts.contains(name)) {
        refusePart(p, name);
      }
    }
    return out;
  }

  /** Warm-starting the parts of a partitioned variable is not supported: refuse, never skip. */
  private static void refusePart(Pattern selection, String part) {
    if (selection == null || selection.matcher(part + ":0").lookingAt()) {
      throw new IllegalArgumentException(
          "Cannot warm-start "
              + part
              + ": warm-starting the parts of a partitioned variable is not supported yet. Fix:"
              + " exclude it with WarmStartSettings.vars(...), or build the model without a"
              + " partitioner for the warm start and add the partitioner once it has a checkpoint"
              + " of its own (checkpoints move between partitioned and unpartitioned models).");
    }
  }

  /** init_from_checkpoint's checks: the tensor exists, and its shape fits. */
  private static void check(
      String name,
      Operand<?> variable,
      String source,
      Map<String, VariableInfo> saved,
      String prefix,
      VocabInfo vocab) {
    VariableInfo info = saved.get(source);
    if (info == null) {
      throw new IllegalArgumentException(
          "Tensor "
              + source
              + " is not found in checkpoint "
              + prefix
              + " (needed to warm-start "
              + name
              + "). Fix: narrow WarmStartSettings.vars(...) to variables the checkpoint holds, or"
              + " map the name with rename(\""
              + name
              + "\", \"<name in the checkpoint>\").");
    }
    long[] dims = variable.shape().asArray();
    boolean fits =
        vocab == null
            ? Arrays.equals(dims, info.shape())
            : info.rank() == dims.length
                && info.shape()[1 - vocab.axis()] == dims[1 - vocab.axis()];
    if (!fits) {
      throw new IllegalArgumentException(
          "Cannot warm-start "
              + name
              + " from "
              + source
              + " in "
              + prefix
              + ": shape "
              + variable.shape()
              + " vs "
              + Shape.of(info.shape())
              + ". Fix: exclude it with WarmStartSettings.vars(...), map it to a variable of the"
              + " same shape with rename(...), or give a VocabInfo when its vocabulary changed.");
    }
  }

  private static void unused(
      String what, Set<String> given, Set<String> used, Map<String, Operand<?>> viable) {
    Set<String> notUsed = new TreeSet<>(given);
    notUsed.removeAll(used);
    if (!notUsed.isEmpty()) {
      throw new IllegalArgumentException(
          "You provided the following variables in "
              + what
              + " that were not used: "
              + notUsed
              + ". Perhaps you misspelled them? The variables warm starting selected are: "
              + viable.keySet());
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static void restore(
      ModelGraph mg,
      Session session,
      String prefix,
      List<Operand<?>> targets,
      List<String> sources) {
    Ops tf = mg.tf.withSubScope("warm_start");
    List<Class<? extends TType>> types = new ArrayList<>();
    targets.forEach(t -> types.add(t.type()));
    String[] slices = new String[sources.size()];
    Arrays.fill(slices, "");
    // RestoreV2 with the slice "" joins the slices of a partitioned tensor
    Restore restore =
        tf.train.restore(
            tf.constant(prefix),
            tf.constant(NdArrays.vectorOfObjects(sources.toArray(new String[0]))),
            tf.constant(NdArrays.vectorOfObjects(slices)),
            types);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      assigns.add(tf.assign((Operand) targets.get(i), (Operand) restore.tensors().get(i)));
    }
    Session.Runner r = session.runner();
    assigns.forEach(r::addTarget);
    r.run();
  }

  /**
   * _warm_start_var_with_vocab: the new vocabulary's rows (axis 0) or columns (axis 1) from the old
   * ones, the rest from the backup initializer (zeros by default), then the OOV rows or columns, as
   * checkpoint_ops._load_and_remap_matrix builds them.
   */
  @SuppressWarnings("unchecked")
  private static void warmStartWithVocabulary(
      ModelGraph mg,
      Session session,
      Operand<?> variable,
      String source,
      String prefix,
      VocabInfo vocab) {
    if (variable.type() != TFloat32.class || variable.shape().numDimensions() != 2) {
      throw new IllegalArgumentException(
          "A VocabInfo applies to float32 matrices (embeddings, linear weights); "
              + variable.op().name()
              + " is "
              + variable.type().getSimpleName()
              + variable.shape());
    }
    long rows = variable.shape().get(0);
    long cols = variable.shape().get(1);
    boolean byRow = vocab.axis() == 0;
    long vocabDim = byRow ? rows : cols;
    if (vocab.newVocabSize() + vocab.numOovBuckets() != vocabDim) {
      throw new IllegalArgumentException(
          "VocabInfo of "
              + variable.op().name()
              + ": new_vocab_size "
              + vocab.newVocabSize()
              + " + num_oov_buckets "
              + vocab.numOovBuckets()
              + " must equal its dimension "
              + vocab.axis()
              + " ("
              + vocabDim
              + ").");
    }
    Ops tf = mg.tf.withSubScope("warm_start_with_vocabulary");
    Long oldSize = vocab.oldVocabSize() < 0 ? null : vocab.oldVocabSize();
    GenerateVocabRemapping remap =
        GenerateVocabRemapping.create(
            tf.scope(),
            tf.constant(vocab.newVocab()),
            tf.constant(vocab.oldVocab()),
            0L,
            vocab.newVocabSize(),
            GenerateVocabRemapping.oldVocabSize(oldSize == null ? -1L : oldSize));
    long[] remapping;
    int present;
    try (Result r = session.runner().fetch(remap.remapping()).fetch(remap.numPresent()).run()) {
      TInt64 m = (TInt64) r.get(0);
      remapping = new long[(int) m.size()];
      m.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(remapping, false, false));
      present = ((TInt32) r.get(1)).getInt();
    }
    long loadRows = byRow ? vocab.newVocabSize() : rows;
    long loadCols = byRow ? cols : vocab.newVocabSize();
    long presentRows = byRow ? present : rows;
    long presentCols = byRow ? cols : present;
    Operand<TInt64> rowRemap =
        byRow
            ? tf.constant(remapping)
            : tf.range(tf.constant(0L), tf.constant(rows), tf.constant(1L));
    Operand<TInt64> colRemap = byRow ? tf.constant(new long[0]) : tf.constant(remapping);
    var initializer =
        vocab.backupInitializer() != null ? vocab.backupInitializer() : Initializers.zeros();
    Operand<TFloat32> initValues =
        initializer.create(tf, Shape.of(loadRows * loadCols - presentRows * presentCols, 1));
    Operand<TFloat32> value =
        LoadAndRemapMatrix.create(
                tf.scope(),
                tf.constant(prefix),
                tf.constant(source),
                rowRemap,
                colRemap,
                initValues,
                loadRows,
                loadCols)
            .outputMatrix();
    if (vocab.numOovBuckets() > 0) {
      Shape oov =
          byRow ? Shape.of(vocab.numOovBuckets(), cols) : Shape.of(rows, vocab.numOovBuckets());
      value = tf.concat(List.of(value, initializer.create(tf, oov)), tf.constant(byRow ? 0 : 1));
    }
    Op assign = tf.assign((Operand<TFloat32>) variable, value);
    session.runner().addTarget(assign).run();
  }
}
