package io.estimator4j.graph;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.tensorflow.Graph;
import org.tensorflow.op.Op;
import org.tensorflow.op.Scope;

/**
 * Named lists of op names kept per graph; Java counterpart of Python's graph collections ({@code
 * tf.compat.v1.add_to_collection} / {@code get_collection}), which tensorflow-java's Graph lacks.
 *
 * <p>The variables layers and feature columns create as trainable, and those an optimizer
 * differentiates, are added to {@link #TRAINABLE_VARIABLES}: warm starting reads it (Python's
 * default {@code vars_to_warm_start} selects trainable variables only) and meta graphs export it.
 * Entries are op names, in insertion order, each once; the lists live as long as their graph.
 */
public final class GraphCollections {
  /** Python's {@code GraphKeys.TRAINABLE_VARIABLES}. */
  public static final String TRAINABLE_VARIABLES = "trainable_variables";

  /** Python's {@code GraphKeys.TABLE_INITIALIZERS}: the ops that fill lookup tables. */
  public static final String TABLE_INITIALIZERS = "table_initializer";

  /** Python's {@code GraphKeys.LOCAL_VARIABLES}: variables never saved (metric accumulators). */
  public static final String LOCAL_VARIABLES = "local_variables";

  private static final Map<Graph, Map<String, Set<String>>> BY_GRAPH = new WeakHashMap<>();

  private GraphCollections() {}

  /** Adds {@code op}'s name to the collection {@code key} of its graph. */
  public static void add(Scope scope, String key, Op op) {
    add(GraphNames.graphOf(scope), key, op.op().name());
  }

  /** Adds {@code opName} to the collection {@code key} of {@code graph}. */
  public static synchronized void add(Graph graph, String key, String opName) {
    BY_GRAPH
        .computeIfAbsent(graph, g -> new LinkedHashMap<>())
        .computeIfAbsent(key, k -> new LinkedHashSet<>())
        .add(opName);
  }

  /** The op names in the collection {@code key} of {@code graph}, in insertion order. */
  public static synchronized List<String> get(Graph graph, String key) {
    Map<String, Set<String>> collections = BY_GRAPH.get(graph);
    Set<String> names = collections == null ? null : collections.get(key);
    return names == null ? List.of() : List.copyOf(new ArrayList<>(names));
  }

  /** Every collection of {@code graph} by key, in creation order. */
  public static synchronized Map<String, List<String>> all(Graph graph) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    BY_GRAPH.getOrDefault(graph, Map.of()).forEach((k, v) -> out.put(k, List.copyOf(v)));
    return out;
  }
}
