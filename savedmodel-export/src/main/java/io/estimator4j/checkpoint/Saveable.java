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

  /** One saved tensor: its checkpoint key and the tensor whose value is written there. */
  record Spec(String name, Operand<?> tensor) {
    public Spec {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(tensor, "tensor");
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
}
