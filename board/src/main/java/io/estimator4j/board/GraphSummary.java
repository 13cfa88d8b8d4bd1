package io.estimator4j.board;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.TensorShapeProto;

/**
 * What the side panel says about a run's graph: where it came from, its node count, the most
 * frequent op types and the variables it declares.
 *
 * @param source where the graph was read ({@code graph.pbtxt}, or the graph_def of an event file)
 * @param nodeCount nodes of the GraphDef (functions of its library not counted)
 * @param opCounts node count per op type, most frequent first, at most {@link #TOP_OPS}
 * @param variables the variable nodes ({@code VariableV2}, {@code VarHandleOp}) with their dtype
 *     and shape attributes
 */
public record GraphSummary(
    String source, int nodeCount, Map<String, Integer> opCounts, List<VariableRow> variables) {

  /** How many op types {@link #opCounts} lists. */
  static final int TOP_OPS = 12;

  private static final Set<String> VARIABLE_OPS = Set.of("VariableV2", "Variable", "VarHandleOp");

  /** Copies the collections. */
  public GraphSummary {
    opCounts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(opCounts));
    variables = List.copyOf(variables);
  }

  /** The summary of {@code graph}, read from {@code source}. */
  static GraphSummary of(GraphDef graph, String source) {
    Map<String, Integer> counts = new TreeMap<>();
    List<VariableRow> variables = new ArrayList<>();
    for (NodeDef node : graph.getNodeList()) {
      counts.merge(node.getOp(), 1, Integer::sum);
      if (VARIABLE_OPS.contains(node.getOp())) {
        AttrValue dtype = node.getAttrOrDefault("dtype", AttrValue.getDefaultInstance());
        AttrValue shape = node.getAttrOrDefault("shape", AttrValue.getDefaultInstance());
        variables.add(
            VariableRow.of(
                node.getName(), dtype.getType(), shape.hasShape() ? dims(shape.getShape()) : null));
      }
    }
    Map<String, Integer> top = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(
            Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(TOP_OPS)
        .forEach(e -> top.put(e.getKey(), e.getValue()));
    variables.sort(Comparator.comparing(VariableRow::name));
    return new GraphSummary(source, graph.getNodeCount(), top, variables);
  }

  private static long[] dims(TensorShapeProto shape) {
    if (shape.getUnknownRank()) {
      return null;
    }
    return shape.getDimList().stream().mapToLong(TensorShapeProto.Dim::getSize).toArray();
  }
}
