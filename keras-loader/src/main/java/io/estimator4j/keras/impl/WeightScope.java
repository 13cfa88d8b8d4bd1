package io.estimator4j.keras.impl;

import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.WeightArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the stored weights of a layer of one network: by layer name in Keras 2 files (a nested
 * model's group holds all its layers' weights as one list in Keras's order, assigned by position as
 * Keras loads them, or by the layer names in the weights' paths when only those fit), by {@code
 * layers/<snake_case class>[_n]} in Keras 3 files.
 */
public abstract class WeightScope {
  /**
   * The order in which layers create the weights of their sub-objects (recurrent cells, wrapped
   * layers, MultiHeadAttention's projections); Keras 3 stores them by attribute name, visiting
   * public attributes first and each object once, so a layer that exposes a sub-object through a
   * public property ({@code query_dense}, newer Keras 3) stores it under that name, else under the
   * private one ({@code _query_dense}): both are listed, by role. Other children follow in {@link
   * #NATURAL_ORDER}.
   */
  private static final List<String> CHILD_ORDER =
      List.of(
          "cell",
          "forward_layer",
          "backward_layer",
          "layer",
          "query_dense",
          "_query_dense",
          "key_dense",
          "_key_dense",
          "value_dense",
          "_value_dense",
          "output_dense",
          "_output_dense");

  /**
   * Keras 3 keys of a list container ({@code lstm_cell}, {@code lstm_cell_1}, ..., {@code
   * lstm_cell_10}) in the order Keras numbered them: by name without the {@code _<n>} suffix, then
   * by n (a plain string sort puts {@code _10} before {@code _2}).
   */
  static final java.util.Comparator<String> NATURAL_ORDER =
      java.util.Comparator.comparing(WeightScope::stem).thenComparingLong(WeightScope::number);

  private static final java.util.regex.Pattern NUMBERED =
      java.util.regex.Pattern.compile("(.*)_(\\d{1,18})");

  private static String stem(String key) {
    var m = NUMBERED.matcher(key);
    return m.matches() ? m.group(1) : key;
  }

  private static long number(String key) {
    var m = NUMBERED.matcher(key);
    return m.matches() ? Long.parseLong(m.group(2)) : 0;
  }

  /** The stored weights of the layer, in order; null when the file holds no weights at all. */
  public abstract List<WeightArray> layer(String name, String keras3Key);

  /** The scope of a nested model's layers. */
  public abstract WeightScope nested(String name, String keras3Key);

  /**
   * The scope of the layers of nested model {@code name}, whose weights Keras lists in {@code
   * order} (computed only when needed). Keras 2 files store them as one list in that order, loaded
   * by position (tf-keras {@code load_weights_from_hdf5_group}); other layouts find them by key.
   *
   * @param what the nested model, for messages ("model 'm' in file.h5")
   * @throws IllegalArgumentException when the stored weights fit neither Keras's order nor the
   *     layer names in their paths (count or shape), naming the weight
   */
  public WeightScope nestedModel(
      String name,
      String keras3Key,
      String what,
      java.util.function.Supplier<List<Network.Slot>> order) {
    return nested(name, keras3Key);
  }

  /**
   * The weights stored for a layer, to read their shapes (a Sequential's input shape from its first
   * layer's kernel), even where {@link #layer} serves none.
   */
  public List<WeightArray> stored(String name, String keras3Key) {
    return layer(name, keras3Key);
  }

  /**
   * No weights served (every layer uses its initializers, nothing is copied into the graph), but
   * the stored ones are there to read their shapes: for a build that only learns the architecture.
   */
  public static WeightScope shapesOf(KerasWeights weights) {
    return weights == null ? none() : shapesOnly(of(weights));
  }

  private static WeightScope shapesOnly(WeightScope real) {
    return new WeightScope() {
      @Override
      public List<WeightArray> layer(String name, String keras3Key) {
        return null;
      }

      @Override
      public WeightScope nested(String name, String keras3Key) {
        return shapesOnly(real.nested(name, keras3Key));
      }

      @Override
      public List<WeightArray> stored(String name, String keras3Key) {
        return real.layer(name, keras3Key);
      }
    };
  }

  /** No stored weights: every layer uses its initializers. */
  public static WeightScope none() {
    return new WeightScope() {
      @Override
      public List<WeightArray> layer(String name, String keras3Key) {
        return null;
      }

      @Override
      public WeightScope nested(String name, String keras3Key) {
        return this;
      }
    };
  }

  public static WeightScope of(KerasWeights weights) {
    if (weights == null) {
      return none();
    }
    return weights.layout() == KerasWeights.Layout.KERAS2
        ? new Keras2(weights.root())
        : new Keras3(weights.root());
  }

  private static final class Keras2 extends WeightScope {
    private final KerasWeights.Group root;

    Keras2(KerasWeights.Group root) {
      this.root = root;
    }

    @Override
    public List<WeightArray> layer(String name, String keras3Key) {
      KerasWeights.Group g = root.group(name);
      return g == null ? List.of() : g.vars();
    }

    @Override
    public WeightScope nested(String name, String keras3Key) {
      KerasWeights.Group g = root.group(name);
      return new Keras2Flat(g == null ? List.of() : g.vars());
    }

    @Override
    public WeightScope nestedModel(
        String name,
        String keras3Key,
        String what,
        java.util.function.Supplier<List<Network.Slot>> order) {
      KerasWeights.Group g = root.group(name);
      List<WeightArray> stored = g == null ? List.of() : g.vars();
      if (stored.isEmpty()) {
        return new Keras2Flat(stored);
      }
      return Keras2Nested.assign(stored, what, order);
    }
  }

  /**
   * A nested model's weights in Keras 2, assigned to its layers by position in Keras's order (paths
   * below the nested model map to each layer's weights in creation order).
   */
  private static final class Keras2Nested extends WeightScope {
    private final Map<List<String>, List<WeightArray>> byPath;
    private final List<String> prefix;

    private Keras2Nested(Map<List<String>, List<WeightArray>> byPath, List<String> prefix) {
      this.byPath = byPath;
      this.prefix = prefix;
    }

    static WeightScope assign(
        List<WeightArray> stored,
        String what,
        java.util.function.Supplier<List<Network.Slot>> order) {
      Keras2Flat byName = new Keras2Flat(stored);
      List<Network.Slot> slots;
      try {
        slots = order.get();
      } catch (RuntimeException e) {
        // the nested model cannot be built on its declared input shapes alone: match by name
        return byName;
      }
      String mismatch = null;
      if (slots.size() != stored.size()) {
        mismatch =
            "Weight count mismatch for nested "
                + what
                + ": Keras lists "
                + slots.size()
                + " weights for it "
                + slots
                + ", the file holds "
                + stored.size()
                + " "
                + stored
                + ". The weights do not belong to this architecture.";
      } else {
        Map<List<String>, List<WeightArray>> byPath = new java.util.HashMap<>();
        Map<List<String>, Integer> counts = new java.util.HashMap<>();
        for (Network.Slot s : slots) {
          counts.merge(s.path(), 1, Integer::sum);
        }
        for (int i = 0; i < slots.size() && mismatch == null; i++) {
          Network.Slot s = slots.get(i);
          WeightArray w = stored.get(i);
          if (!w.shape().equals(s.shape())) {
            mismatch =
                "Weight "
                    + i
                    + " of nested "
                    + what
                    + ", stored as '"
                    + w.name()
                    + "' with shape "
                    + java.util.Arrays.toString(w.shape().asArray())
                    + ", is in Keras's order weight '"
                    + s.name()
                    + "' of layer '"
                    + String.join("/", s.path())
                    + "', which needs "
                    + java.util.Arrays.toString(s.shape().asArray())
                    + ". The weights do not belong to this architecture.";
            break;
          }
          List<WeightArray> list =
              byPath.computeIfAbsent(
                  s.path(),
                  p -> new ArrayList<>(java.util.Collections.nCopies(counts.get(p), null)));
          list.set(s.index(), w);
        }
        if (mismatch == null) {
          return new Keras2Nested(byPath, List.of());
        }
      }
      if (fitsByName(byName, slots)) {
        return byName; // names in the paths resolve every weight: a file Keras order misreads
      }
      throw new IllegalArgumentException(mismatch);
    }

    /** Whether name matching gives every layer exactly the weights (count, shapes) it creates. */
    private static boolean fitsByName(WeightScope byName, List<Network.Slot> slots) {
      Map<List<String>, List<Network.Slot>> perLayer = new java.util.LinkedHashMap<>();
      for (Network.Slot s : slots) {
        perLayer.computeIfAbsent(s.path(), p -> new ArrayList<>()).add(s);
      }
      for (var e : perLayer.entrySet()) {
        WeightScope scope = byName;
        List<String> path = e.getKey();
        for (int i = 0; i < path.size() - 1; i++) {
          scope = scope.nested(path.get(i), null);
        }
        List<WeightArray> found = scope.layer(path.get(path.size() - 1), null);
        List<Network.Slot> need = new ArrayList<>(e.getValue());
        need.sort(java.util.Comparator.comparingInt(Network.Slot::index));
        if (found.size() != need.size()) {
          return false;
        }
        for (int i = 0; i < need.size(); i++) {
          if (!found.get(i).shape().equals(need.get(i).shape())) {
            return false;
          }
        }
      }
      return true;
    }

    private List<String> path(String name) {
      List<String> p = new ArrayList<>(prefix);
      p.add(name);
      return List.copyOf(p);
    }

    @Override
    public List<WeightArray> layer(String name, String keras3Key) {
      return byPath.getOrDefault(path(name), List.of());
    }

    @Override
    public WeightScope nested(String name, String keras3Key) {
      return new Keras2Nested(byPath, path(name));
    }
  }

  /** A nested model's weights in Keras 2: one list, split by the layer names in the paths. */
  private static final class Keras2Flat extends WeightScope {
    private final List<WeightArray> all;

    Keras2Flat(List<WeightArray> all) {
      this.all = all;
    }

    @Override
    public List<WeightArray> layer(String name, String keras3Key) {
      List<WeightArray> out = matching(name, false);
      // TF1-era Keras made variable scopes unique in the graph: Conv1_1/kernel:0 for layer Conv1
      return out.isEmpty() ? matching(name, true) : out;
    }

    private List<WeightArray> matching(String name, boolean uniquified) {
      List<WeightArray> out = new ArrayList<>();
      for (WeightArray w : all) {
        String[] parts = w.name().split("/");
        for (int i = 0; i < parts.length - 1; i++) {
          String part = uniquified ? parts[i].replaceFirst("_\\d+$", "") : parts[i];
          if (part.equals(name)) {
            out.add(w);
            break;
          }
        }
      }
      return out;
    }

    @Override
    public WeightScope nested(String name, String keras3Key) {
      return new Keras2Flat(layer(name, keras3Key));
    }
  }

  private static final class Keras3 extends WeightScope {
    private final KerasWeights.Group network;

    Keras3(KerasWeights.Group network) {
      this.network = network;
    }

    private KerasWeights.Group find(String keras3Key) {
      KerasWeights.Group layers = network.group("layers");
      if (layers == null) {
        layers = network.group("_layer_checkpoint_dependencies");
      }
      return layers == null ? null : layers.group(keras3Key);
    }

    @Override
    public List<WeightArray> layer(String name, String keras3Key) {
      KerasWeights.Group g = find(keras3Key);
      List<WeightArray> out = new ArrayList<>();
      if (g != null) {
        flatten(g, out);
      }
      return out;
    }

    @Override
    public WeightScope nested(String name, String keras3Key) {
      KerasWeights.Group g = find(keras3Key);
      return new Keras3(g == null ? new KerasWeights.Group(List.of(), Map.of()) : g);
    }

    private static void flatten(KerasWeights.Group g, List<WeightArray> out) {
      out.addAll(g.vars());
      for (String child : CHILD_ORDER) {
        if (g.group(child) != null) {
          flatten(g.group(child), out);
        }
      }
      g.groups().keySet().stream()
          .filter(k -> !CHILD_ORDER.contains(k))
          .sorted(NATURAL_ORDER)
          .forEach(k -> flatten(g.group(k), out));
    }
  }
}
