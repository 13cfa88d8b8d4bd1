package io.estimator4j.estimator.optimizer;

import io.estimator4j.estimator.layers.Names;
import io.estimator4j.graph.GraphCollections;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TNumber;

/** Symbolic gradients over an explicit variable list, through Graph.addGradients (tf.gradients). */
final class GradientComputation {
  /** Ops whose C++ gradient crashes the JVM when their input is a ref variable. */
  private static final Set<String> REF_UNSAFE_GRADIENT_OPS = Set.of("Square");

  private GradientComputation() {}

  static List<GradAndVar<?>> compute(
      Ops tf, Operand<?> loss, List<? extends Variable<? extends TNumber>> variables) {
    if (variables == null || variables.isEmpty()) {
      throw new IllegalArgumentException(
          "No variables to optimize: pass the trainable variables of the model.");
    }
    if (!(tf.scope().env() instanceof Graph graph)) {
      throw new IllegalArgumentException("Gradients need a Graph execution environment.");
    }
    Set<String> seen = new HashSet<>();
    for (Variable<?> v : variables) {
      if (!seen.add(v.op().name())) {
        throw new IllegalArgumentException(
            "Variable '" + v.op().name() + "' is listed twice; list each trainable variable once.");
      }
    }
    Set<GraphOperation> reachable = ancestors((GraphOperation) loss.op());
    List<String> unreachable = new ArrayList<>();
    for (Variable<?> v : variables) {
      GraphOperation op = (GraphOperation) v.op();
      if (!reachable.contains(op)) {
        unreachable.add(op.name());
      }
      for (GraphOperation consumer : op.consumers(0)) {
        if (reachable.contains(consumer) && REF_UNSAFE_GRADIENT_OPS.contains(consumer.type())) {
          throw new IllegalArgumentException(
              "Variable '"
                  + op.name()
                  + "' feeds op '"
                  + consumer.name()
                  + "' ("
                  + consumer.type()
                  + ") directly; TensorFlow's gradient of that op crashes on a ref variable."
                  + " Read the variable through Variables.read(tf, variable) (<variable>/read).");
        }
      }
    }
    if (!unreachable.isEmpty()) {
      throw new IllegalArgumentException(
          "No gradient path from the loss '"
              + loss.op().name()
              + "' to variable(s) "
              + unreachable
              + ". Pass only variables the loss depends on.");
    }
    Output<?>[] xs = new Output<?>[variables.size()];
    for (int i = 0; i < xs.length; i++) {
      xs[i] = variables.get(i).asOutput();
    }
    String prefix = Names.unique(tf, "gradients");
    Output<?>[] grads = graph.addGradients(prefix, new Output<?>[] {loss.asOutput()}, xs, null);
    List<GradAndVar<?>> result = new ArrayList<>(xs.length);
    for (int i = 0; i < xs.length; i++) {
      result.add(pair(grads[i], variables.get(i)));
      // what an optimizer trains is trainable (Python's minimize takes TRAINABLE_VARIABLES)
      GraphCollections.add(
          graph, GraphCollections.TRAINABLE_VARIABLES, variables.get(i).op().name());
    }
    return List.copyOf(result);
  }

  /** All ops the loss depends on through data edges (where gradients can flow). */
  private static Set<GraphOperation> ancestors(GraphOperation start) {
    Set<GraphOperation> seen = new LinkedHashSet<>();
    Deque<GraphOperation> todo = new ArrayDeque<>();
    seen.add(start);
    todo.add(start);
    while (!todo.isEmpty()) {
      for (Operand<?> input : todo.poll().inputs()) {
        GraphOperation op = (GraphOperation) input.op();
        if (seen.add(op)) {
          todo.add(op);
        }
      }
    }
    return seen;
  }

  /** The gradient of a variable has the variable's dtype; the cast only restores that fact. */
  @SuppressWarnings("unchecked")
  private static <T extends TNumber> GradAndVar<T> pair(Output<?> gradient, Variable<T> variable) {
    return new GradAndVar<>((Output<T>) gradient, variable);
  }
}
