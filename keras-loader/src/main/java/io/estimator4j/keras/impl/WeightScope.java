package io.estimator4j.keras.impl;

import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.WeightArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the stored weights of a layer of one network: by layer name in Keras 2 files (a nested
 * model's group holds all its layers' weights, told apart by the layer name in each weight's path),
 * by {@code layers/<snake_case class>[_n]} in Keras 3 files.
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
  }

  /** A nested model's weights in Keras 2: one list, split by the layer names in the paths. */
  private static final class Keras2Flat extends WeightScope {
    private final List<WeightArray> all;

    Keras2Flat(List<WeightArray> all) {
      this.all = all;
    }

    @Override
    public List<WeightArray> layer(String name, String keras3Key) {
      List<WeightArray> out = new ArrayList<>();
      for (WeightArray w : all) {
        String[] parts = w.name().split("/");
        for (int i = 0; i < parts.length - 1; i++) {
          if (parts[i].equals(name)) {
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
