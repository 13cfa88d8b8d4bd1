package io.estimator4j.estimator.layers;

import io.estimator4j.graph.GraphNames;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;

/**
 * Creates graph ops under exact, Python-compatible names such as {@code dnn/hiddenlayer_0/kernel}
 * and {@code dnn/hiddenlayer_0/kernel/Adagrad}; mirrors what tf.compat.v1.variable_scope and
 * tf.name_scope give Python graphs.
 *
 * <p>tensorflow-java makes names unique per scope and rejects {@code /} in {@code withName}, so
 * checkpoint keys that must match Python's are built here instead. Every method refuses (with an
 * {@link IllegalArgumentException}) to create an op whose name already exists in the graph.
 * Variables under such names are created by {@link io.estimator4j.graph.Variables}.
 */
public final class Names {
  /** TensorFlow's node-name rule (core/framework/node_def_util.cc), {@code /} included. */
  private static final Pattern FULL_NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-/]*");

  private Names() {}

  /**
   * Returns a scope whose next op is named exactly {@code fullName} (a path such as {@code
   * dnn/hiddenlayer_0/kernel/Adagrad}), with the device, control dependencies and init flag of
   * {@code scope}.
   *
   * @throws IllegalArgumentException if the name is malformed or an op of that name exists
   */
  public static Scope exact(Scope scope, String fullName) {
    Graph graph = graphOf(scope);
    checkFullName(fullName);
    if (graph.operation(fullName) != null) {
      throw new IllegalArgumentException(
          "An operation named '"
              + fullName
              + "' already exists in the graph. Each variable, slot and op needs its own name:"
              + " create it once and reuse the returned object.");
    }
    // one implementation of the exact-name scope serves both modules
    return GraphNames.exact(scope, fullName);
  }

  /** Returns true if the graph of {@code tf} holds an op named exactly {@code fullName}. */
  public static boolean exists(Ops tf, String fullName) {
    return graphOf(tf.scope()).operation(fullName) != null;
  }

  /**
   * Reserves {@code name} in the scope of {@code scopeOps} and returns its full name, e.g. {@code
   * dnn/hiddenlayer_0/kernel} for a scope {@code dnn/hiddenlayer_0} and the name {@code kernel}.
   *
   * @throws IllegalArgumentException if the scope already used {@code name} or the graph holds it
   */
  public static String child(Ops scopeOps, String name) {
    String full = scopeOps.scope().makeOpName(name);
    if (!(full.equals(name) || full.endsWith("/" + name)) || exists(scopeOps, full)) {
      throw new IllegalArgumentException(
          "The name '"
              + name
              + "' is already used in this scope (the next free name is '"
              + full
              + "'). Use a new name or a new sub-scope.");
    }
    return full;
  }

  /**
   * Returns the full name {@code <scope>/<name>}, or {@code <scope>/<name>_N} with the smallest N
   * that is unused, the way Python's {@code graph.unique_name} does (used for {@code beta1_power}
   * and the {@code gradients} prefix).
   */
  public static String unique(Ops scopeOps, String name) {
    Graph graph = graphOf(scopeOps.scope());
    while (true) {
      String full = scopeOps.scope().makeOpName(name);
      if (graph.operation(full) == null && !hasOpUnder(graph, full)) {
        return full;
      }
    }
  }

  private static boolean hasOpUnder(Graph graph, String prefix) {
    String start = prefix + "/";
    var it = graph.operations();
    while (it.hasNext()) {
      if (it.next().name().startsWith(start)) {
        return true;
      }
    }
    return false;
  }

  private static void checkFullName(String fullName) {
    if (fullName == null
        || !FULL_NAME.matcher(fullName).matches()
        || fullName.endsWith("/")
        || fullName.contains("//")) {
      throw new IllegalArgumentException(
          "Invalid op name '"
              + fullName
              + "': expected path segments of letters, digits, '_', '.', '-' joined by '/',"
              + " e.g. dnn/hiddenlayer_0/kernel.");
    }
  }

  private static Graph graphOf(Scope scope) {
    if (!(scope.env() instanceof Graph graph)) {
      throw new IllegalArgumentException(
          "Exact op names need a Graph execution environment; found "
              + scope.env().getClass().getSimpleName()
              + ".");
    }
    return graph;
  }
}
