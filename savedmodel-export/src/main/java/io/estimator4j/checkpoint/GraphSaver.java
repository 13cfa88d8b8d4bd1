package io.estimator4j.checkpoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Save and restore ops for an explicit list of variables, writing TensorFlow's V2 checkpoint format
 * keyed by variable op name; the counterpart of tf.compat.v1.train.Saver's graph part. Unlike
 * {@code Session.save}, local variables (metric accumulators) are left out. {@link Saveable}s
 * (resources such as a lookup table) are saved under their own keys and rebuilt by their restore
 * ops, which the restore op runs with the variables' assignments.
 *
 * <p>The ops are laid out as Python's non-sharded V2 Saver lays them out, so that its {@link
 * #saverDef} works for {@code tf.compat.v1.train.import_meta_graph} and TensorFlow's SavedModel
 * loader: the filename tensor {@code save/Const:0} (a PlaceholderWithDefault of {@code "model"}),
 * {@code save/SaveV2}, the save tensor {@code save/control_dependency:0} (the filename, a string,
 * after the save) and the restore op {@code save/restore_all}.
 */
public final class GraphSaver {
  /** Python's Saver default {@code max_to_keep}. */
  public static final int DEFAULT_MAX_TO_KEEP = 5;

  /** Python's Saver default {@code keep_checkpoint_every_n_hours}. */
  public static final double DEFAULT_KEEP_CHECKPOINT_EVERY_N_HOURS = 10000.0;

  private final List<Operand<?>> variables;
  private final List<Saveable> saveables;
  private final Operand<TString> filename;
  private final Operand<TString> saveTensor;
  private final Op restoreOp;

  /** Adds the ops under the {@code save} scope. */
  public GraphSaver(Ops root, List<? extends Operand<?>> vars) {
    this(root, vars, List.of());
  }

  /**
   * Adds the ops under the {@code save} scope for the variables and the saveables.
   *
   * @throws IllegalArgumentException if two variables or saved tensors share a key
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public GraphSaver(Ops root, List<? extends Operand<?>> vars, List<Saveable> saveables) {
    List<Operand<?>> sorted = new ArrayList<>(vars);
    sorted.sort(Comparator.comparing(v -> v.op().name()));
    this.variables = List.copyOf(sorted);
    this.saveables = List.copyOf(saveables);
    Ops tf = root.withSubScope("save");
    Operand<TString> defaultName = tf.withName("filename").constant("model");
    this.filename = tf.withName("Const").placeholderWithDefault(defaultName, Shape.scalar());
    List<String> keys = new ArrayList<>();
    List<String> slices = new ArrayList<>();
    List<Operand<?>> tensors = new ArrayList<>(sorted);
    sorted.forEach(v -> keys.add(v.op().name()));
    sorted.forEach(v -> slices.add(""));
    for (Saveable s : this.saveables) {
      for (Saveable.Spec spec : s.specs()) {
        keys.add(spec.name());
        slices.add(spec.shapeAndSlice());
        tensors.add(spec.tensor());
      }
    }
    java.util.Set<String> distinct = new java.util.HashSet<>();
    for (int i = 0; i < keys.size(); i++) {
      if (!distinct.add(keys.get(i) + " " + slices.get(i))) {
        throw new IllegalArgumentException(
            "Two saved tensors share a checkpoint key: "
                + keys
                + ". Fix: give every variable and saveable a unique name.");
      }
    }
    if (keys.isEmpty()) {
      this.saveTensor = tf.withName("control_dependency").identity(filename);
      this.restoreOp = tf.withName("restore_all").noOp();
      return;
    }
    Operand<TString> namesOp =
        tf.withSubScope("SaveV2")
            .withName("tensor_names")
            .constant(org.tensorflow.ndarray.NdArrays.vectorOfObjects(keys.toArray(new String[0])));
    Operand<TString> slicesOp =
        tf.withSubScope("SaveV2")
            .withName("shape_and_slices")
            .constant(
                org.tensorflow.ndarray.NdArrays.vectorOfObjects(slices.toArray(new String[0])));
    Op save = tf.withName("SaveV2").train.save(filename, namesOp, slicesOp, tensors);
    this.saveTensor =
        tf.withControlDependencies(List.of(save)).withName("control_dependency").identity(filename);
    List<Class<? extends TType>> types = new ArrayList<>();
    tensors.forEach(v -> types.add(v.type()));
    Restore restored = tf.withName("RestoreV2").train.restore(filename, namesOp, slicesOp, types);
    List<Op> assigns = new ArrayList<>();
    for (int i = 0; i < sorted.size(); i++) {
      assigns.add(tf.assign((Operand) sorted.get(i), (Operand) restored.tensors().get(i)));
    }
    int next = sorted.size();
    for (Saveable s : this.saveables) {
      int n = s.specs().size();
      List<Operand<?>> mine = new ArrayList<>(restored.tensors().subList(next, next + n));
      assigns.add(s.restore(tf, mine));
      next += n;
    }
    this.restoreOp = tf.withControlDependencies(assigns).withName("restore_all").noOp();
  }

  /**
   * The SaverDef with Python's defaults ({@code max_to_keep} 5, {@code
   * keep_checkpoint_every_n_hours} 10000), as a SavedModel records it.
   */
  public org.tensorflow.proto.SaverDef saverDef() {
    return saverDef(DEFAULT_MAX_TO_KEEP, DEFAULT_KEEP_CHECKPOINT_EVERY_N_HOURS);
  }

  /**
   * The SaverDef of these ops: {@code filename_tensor_name "save/Const:0"}, {@code save_tensor_name
   * "save/control_dependency:0"}, {@code restore_op_name "save/restore_all"}, not sharded, V2.
   */
  public org.tensorflow.proto.SaverDef saverDef(int maxToKeep, double keepCheckpointEveryNHours) {
    return org.tensorflow.proto.SaverDef.newBuilder()
        .setFilenameTensorName(filename.asOutput().name())
        .setSaveTensorName(saveTensor.asOutput().name())
        .setRestoreOpName(restoreOp.op().name())
        .setMaxToKeep(maxToKeep)
        .setSharded(false)
        .setKeepCheckpointEveryNHours((float) keepCheckpointEveryNHours)
        .setVersion(org.tensorflow.proto.SaverDef.CheckpointFormatVersion.V2)
        .build();
  }

  /** The saved variables, sorted by name. */
  public List<Operand<?>> variables() {
    return variables;
  }

  /** The saved non-variable state, in the order given. */
  public List<Saveable> saveables() {
    return saveables;
  }

  /**
   * Writes {@code prefix.index} and {@code prefix.data-00000-of-00001}.
   *
   * @throws IllegalStateException if the save tensor does not return {@code prefix}
   */
  public void save(Session session, String prefix) {
    try (TString p = TString.scalarOf(prefix);
        Result r = session.runner().feed(filename, p).fetch(saveTensor).run()) {
      String written = ((TString) r.get(0)).getObject();
      if (!written.equals(prefix)) {
        throw new IllegalStateException("Saved to " + written + " instead of " + prefix);
      }
    }
  }

  /** Assigns every variable from the checkpoint at {@code prefix}. */
  public void restore(Session session, String prefix) {
    try (TString p = TString.scalarOf(prefix)) {
      session.runner().feed(filename, p).addTarget(restoreOp).run();
    }
  }
}
