package io.estimator4j.keras.file;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The weights stored in a Keras file, as a tree of groups: in a Keras 2 file (a full model's {@code
 * /model_weights} or a weights file's root) one group per layer name, holding its weights in the
 * order of the {@code weight_names} attribute; in a Keras 3 file ({@code model.weights.h5} of a
 * {@code .keras} zip) the file's own tree ({@code layers/dense/vars/0}, ...), each group's {@code
 * vars} listed in index order.
 */
public final class KerasWeights {
  /** How layers are keyed. */
  public enum Layout {
    /** Keras 2 (tf.keras) HDF5: groups named after the layers. */
    KERAS2,
    /** Keras 3: {@code layers/<snake_case class name>[_n]}, numbered in layer order per class. */
    KERAS3
  }

  /**
   * One group.
   *
   * @param vars the weights directly in this group, in Keras's order
   * @param groups the sub-groups by name, in file order
   */
  public record Group(List<WeightArray> vars, Map<String, Group> groups) {
    public Group {
      vars = List.copyOf(vars);
      groups = Collections.unmodifiableMap(new LinkedHashMap<>(groups));
    }

    /** The sub-group {@code name}, or null. */
    public Group group(String name) {
      return groups.get(name);
    }

    /** The number of weights in this group and below. */
    public int count() {
      int n = vars.size();
      for (Group g : groups.values()) {
        n += g.count();
      }
      return n;
    }
  }

  private final Layout layout;
  private final Group root;

  public KerasWeights(Layout layout, Group root) {
    this.layout = Objects.requireNonNull(layout, "layout");
    this.root = Objects.requireNonNull(root, "root");
  }

  public Layout layout() {
    return layout;
  }

  public Group root() {
    return root;
  }

  /** The total number of stored weights. */
  public int count() {
    return root.count();
  }
}
