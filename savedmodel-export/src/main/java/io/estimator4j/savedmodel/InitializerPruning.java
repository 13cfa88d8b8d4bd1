package io.estimator4j.savedmodel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;

/**
 * Removes from a graph the initialisers of the variables a SavedModel restores from {@code
 * variables/}: their initial values (often the trained weights as constants) would only double the
 * size of {@code saved_model.pb}. tensorflow-java gathers a graph's initialisers under one {@code
 * Init} NoOp; the initialisers of other variables stay under it, and it becomes the SavedModel's
 * main op.
 */
public final class InitializerPruning {
  /** The NoOp tensorflow-java's graphs run their initialisers through. */
  public static final String INIT_OP = "Init";

  private InitializerPruning() {}

  /**
   * A graph without the initialisers of the saved variables.
   *
   * @param graphDef the pruned graph
   * @param mainOp {@link #INIT_OP} when other initialisers are left to run at load time, else null
   */
  public record Pruned(GraphDef graphDef, String mainOp) {}

  /**
   * Drops the {@code Assign} ops under {@link #INIT_OP} that initialise a variable of {@code
   * savedVariables} (op names), with every node only they need; keeps {@code Init} with its other
   * inputs, or drops it when none are left.
   */
  public static Pruned prune(GraphDef graphDef, Set<String> savedVariables) {
    Map<String, NodeDef> byName = new HashMap<>();
    graphDef.getNodeList().forEach(n -> byName.put(n.getName(), n));
    NodeDef init = byName.get(INIT_OP);
    if (init == null) {
      return new Pruned(graphDef, null);
    }
    List<String> assigns = new ArrayList<>();
    for (String input : init.getInputList()) {
      NodeDef n = byName.get(TensorNames.opName(input));
      if (n != null
          && n.getOp().equals("Assign")
          && n.getInputCount() > 0
          && savedVariables.contains(TensorNames.opName(n.getInput(0)))) {
        assigns.add(n.getName());
      }
    }
    Set<String> dropped = ancestors(byName, assigns);
    List<String> keptInputs = new ArrayList<>();
    for (String input : init.getInputList()) {
      if (!dropped.contains(TensorNames.opName(input))) {
        keptInputs.add(input);
      }
    }
    NodeDef prunedInit = init.toBuilder().clearInput().addAllInput(keptInputs).build();
    byName.put(INIT_OP, prunedInit);
    List<String> roots = new ArrayList<>();
    for (NodeDef n : graphDef.getNodeList()) {
      if (!n.getName().equals(INIT_OP) && !dropped.contains(n.getName())) {
        roots.add(n.getName());
      }
    }
    if (!keptInputs.isEmpty()) {
      roots.add(INIT_OP);
    }
    Set<String> kept = ancestors(byName, roots);
    GraphDef.Builder out = graphDef.toBuilder().clearNode();
    for (NodeDef n : graphDef.getNodeList()) {
      if (n.getName().equals(INIT_OP)) {
        if (!keptInputs.isEmpty()) {
          out.addNode(prunedInit);
        }
      } else if (kept.contains(n.getName())) {
        out.addNode(n);
      }
    }
    return new Pruned(out.build(), keptInputs.isEmpty() ? null : INIT_OP);
  }

  /** {@code names} and every node they read from or depend on. */
  private static Set<String> ancestors(Map<String, NodeDef> byName, List<String> names) {
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(names);
    while (!todo.isEmpty()) {
      String name = todo.pop();
      NodeDef n = byName.get(name);
      if (n != null && seen.add(name)) {
        n.getInputList().forEach(i -> todo.push(TensorNames.opName(i)));
      }
    }
    return seen;
  }
}
