package io.estimator4j.checkpoint;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Save and restore ops for an explicit list of variables, writing TensorFlow's V2 checkpoint format
 * keyed by variable op name; the counterpart of tf.compat.v1.train.Saver's graph part. Unlike
 * {@code Session.save}, local variables (metric accumulators) are left out. {@link Saveable}s
 * (resources such as a boosted-trees ensemble) are saved under their own keys and rebuilt by their
 * restore ops, which the restore op runs with the variables' assignments.
 */
public final class GraphSaver {
  private final List<Operand<?>> variables;
  private final List<Saveable> saveables;
  private final Placeholder<TString> filename;
  private final Op saveOp;
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
    this.filename =
        tf.withName("filename").placeholder(TString.class, Placeholder.shape(Shape.scalar()));
    List<String> keys = new ArrayList<>();
    List<Operand<?>> tensors = new ArrayList<>(sorted);
    sorted.forEach(v -> keys.add(v.op().name()));
    for (Saveable s : this.saveables) {
      for (Saveable.Spec spec : s.specs()) {
        keys.add(spec.name());
        tensors.add(spec.tensor());
      }
    }
    if (new java.util.HashSet<>(keys).size() != keys.size()) {
      throw new IllegalArgumentException(
          "Two saved tensors share a checkpoint key: "
              + keys
              + ". Fix: give every variable and saveable a unique name.");
    }
    if (keys.isEmpty()) {
      this.saveOp = tf.withName("save").noOp();
      this.restoreOp = tf.withName("restore_all").noOp();
      return;
    }
    String[] slices = new String[keys.size()];
    java.util.Arrays.fill(slices, "");
    Operand<TString> namesOp =
        tf.constant(org.tensorflow.ndarray.NdArrays.vectorOfObjects(keys.toArray(new String[0])));
    Operand<TString> slicesOp =
        tf.constant(org.tensorflow.ndarray.NdArrays.vectorOfObjects(slices));
    Op save = tf.train.save(filename, namesOp, slicesOp, tensors);
    this.saveOp = tf.withControlDependencies(List.of(save)).withName("control_dependency").noOp();
    List<Class<? extends TType>> types = new ArrayList<>();
    tensors.forEach(v -> types.add(v.type()));
    Restore restored = tf.train.restore(filename, namesOp, slicesOp, types);
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

  /** The SaverDef a SavedModel records so loaders can restore variables/variables. */
  public org.tensorflow.proto.SaverDef saverDef() {
    return org.tensorflow.proto.SaverDef.newBuilder()
        .setFilenameTensorName(filename.asOutput().name())
        .setSaveTensorName(saveOp.op().name())
        .setRestoreOpName(restoreOp.op().name())
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

  /** Writes {@code prefix.index} and {@code prefix.data-00000-of-00001}. */
  public void save(Session session, String prefix) {
    try (TString p = TString.scalarOf(prefix)) {
      session.runner().feed(filename, p).addTarget(saveOp).run();
    }
  }

  /** Assigns every variable from the checkpoint at {@code prefix}. */
  public void restore(Session session, String prefix) {
    try (TString p = TString.scalarOf(prefix)) {
      session.runner().feed(filename, p).addTarget(restoreOp).run();
    }
  }
}
