package io.estimator4j.checkpoint;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;

/**
 * State that a checkpoint holds but that is not a variable, such as a resource (a boosted-trees
 * ensemble, a quantile stream): tensors that serialize it, saved under their own names, and the op
 * that rebuilds it from the restored tensors. Java counterpart of tf.compat.v1.train.Saver's
 * SaveableObject; {@link GraphSaver} saves and restores it beside the variables, so a SavedModel
 * restores it through its SaverDef with no other code.
 */
public interface Saveable {

  /**
   * One saved tensor: its checkpoint key, the tensor whose value is written there and, for a slice
   * of a partitioned variable, SaveV2's {@code shape_and_slices} entry ({@code "<full shape>
   * <offset>,<length>:..."}, Python's {@code SaveSliceInfo.spec}; "" for a whole tensor). Slices
   * share their key: TensorFlow's bundle writer records the full tensor's entry with its slices,
   * which Python's Saver and CheckpointReader read joined.
   */
  record Spec(String name, Operand<?> tensor, String shapeAndSlice) {
    public Spec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(tensor, "tensor");
      Objects.requireNonNull(shapeAndSlice, "shapeAndSlice");
    }

    /** A whole tensor under {@code name}. */
    public Spec(String name, Operand<?> tensor) {
      this(name, tensor, "");
    }
  }

  /** The tensors to save, each under its key (e.g. {@code boosted_trees:0_serialized}). */
  List<Spec> specs();

  /**
   * Builds the op that restores the state from {@code restored}, the tensors read from a checkpoint
   * in the order of {@link #specs()}. It must also work on a fresh session in which the state was
   * never created (TensorFlow's C++ loader runs only the restore op).
   */
  Op restore(Ops tf, List<Operand<?>> restored);

  /**
   * The parts of a partitioned variable, saved as slices of one checkpoint tensor {@code name}
   * (Python's Saver with {@code SaveSliceInfo}): the index holds {@code name} with its full shape
   * and one slice entry per part, so Python and {@code RestoreV2(name, "")} read it joined; restore
   * reads each part's slice back, also from a checkpoint sliced differently.
   *
   * @param parts the part variables
   * @param shapeAndSlices each part's slice spec, e.g. {@code "10 3 0,4:0,3"}
   */
  static Saveable sliced(
      String name, List<? extends Operand<?>> parts, List<String> shapeAndSlices) {
    if (parts.isEmpty() || parts.size() != shapeAndSlices.size()) {
      throw new IllegalArgumentException(
          "Sliced tensor '"
              + name
              + "' needs one slice spec per part, got "
              + parts.size()
              + " parts and "
              + shapeAndSlices.size()
              + " specs.");
    }
    List<Spec> specs = new java.util.ArrayList<>();
    for (int i = 0; i < parts.size(); i++) {
      specs.add(new Spec(name, parts.get(i), shapeAndSlices.get(i)));
    }
    List<Spec> fixed = List.copyOf(specs);
    return new Saveable() {
      @Override
      public List<Spec> specs() {
        return fixed;
      }

      @Override
      @SuppressWarnings({"unchecked", "rawtypes"})
      public Op restore(Ops tf, List<Operand<?>> restored) {
        List<Op> assigns = new java.util.ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
          assigns.add(tf.assign((Operand) parts.get(i), (Operand) restored.get(i)));
        }
        return tf.withControlDependencies(assigns).noOp();
      }
    };
  }
}
