package io.estimator4j.estimator.layers;

import io.estimator4j.graph.GraphNames;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TType;

/**
 * Creates graph ops under exact, Python-compatible names such as {@code dnn/hiddenlayer_0/kernel}
 * and {@code dnn/hiddenlayer_0/kernel/Adagrad}; mirrors what tf.compat.v1.variable_scope and
 * tf.name_scope give Python graphs.
 *
 * <p>tensorflow-java makes names unique per scope and rejects {@code /} in {@code withName}, so
 * checkpoint keys that must match Python's are built here instead. Every method refuses (with an
 * {@link IllegalArgumentException}) to create an op whose name already exists in the graph.
 *
 * <p>Global variables are built the way {@code tf.variable(initialValue)} builds them: the {@code
 * VariableV2} op and its {@code Assign} live in the graph's init scope, so {@code
 * Session.initialize()} initialises them and a checkpoint restore can overwrite them.
 */
public final class Names {
  /** TensorFlow's node-name rule (core/framework/node_def_util.cc), {@code /} included. */
  private static final Pattern FULL_NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-/]*");

  private static final String ASSIGN = "Assign";

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

  /**
   * Creates a global variable named {@code <scope of scopeOps>/<name>}; its initial value is built
   * by {@code initialValue} under {@code <name>/Initializer} (in the init scope, free of the
   * caller's control dependencies), its assignment is {@code <name>/Assign}.
   *
   * <p>With {@code scopeOps = tf.withSubScope("dnn").withSubScope("hiddenlayer_0")} and {@code name
   * = "kernel"} the variable is {@code dnn/hiddenlayer_0/kernel}, as in Python.
   *
   * @throws IllegalArgumentException if the name is already used in that scope or the graph
   */
  public static <T extends TType> Variable<T> globalVariable(
      Ops scopeOps, String name, Function<Ops, ? extends Operand<T>> initialValue) {
    GraphNames.VariableName reserved = GraphNames.reserveVariable(scopeOps, name);
    Operand<T> init = initialValue.apply(reserved.initializerOps());
    return globalVariableAt(scopeOps, reserved.fullName(), init);
  }

  /**
   * Creates a global variable named exactly {@code fullName} (a path), initialised to {@code
   * initialValue} by an op named {@code <fullName>/Assign}; used for optimizer slots such as {@code
   * dnn/hiddenlayer_0/kernel/Adam_1}.
   *
   * @throws IllegalArgumentException if an op named {@code fullName} or its Assign exists
   */
  public static <T extends TType> Variable<T> globalVariableAt(
      Ops tf, String fullName, Operand<T> initialValue) {
    Scope init = tf.scope().withInitScope();
    Scope variableScope = exact(init, fullName);
    Scope assignScope = exact(init, fullName + "/" + ASSIGN);
    if (initialValue.shape().isUnknown()) {
      throw new IllegalArgumentException(
          "The initial value of variable '" + fullName + "' has an unknown shape; give it a rank.");
    }
    Variable<T> variable =
        Variable.create(variableScope, initialValue.shape(), initialValue.type());
    Assign.create(assignScope, variable, initialValue);
    return variable;
  }

  /**
   * Creates an uninitialised variable named exactly {@code fullName}, outside the init scope: a
   * local variable (metric accumulator) that the caller initialises with its own assign op.
   */
  public static <T extends TType> Variable<T> localVariableAt(
      Ops tf, String fullName, Shape shape, Class<T> type) {
    return Variable.create(exact(tf.scope(), fullName), shape, type);
  }

  /**
   * Returns the value of {@code variable} read through an {@code Identity} named {@code
   * <variable>/read}, as Python's ref variables do; created on first use, reused afterwards.
   *
   * <p>Use this instead of the variable itself as the input of math ops: TensorFlow's C++ gradient
   * of {@code Square} crashes the JVM (SIGSEGV) when its input is a ref variable, and {@code Pow}'s
   * fails ("AttrValue must not have reference type").
   */
  public static <T extends TType> Operand<T> read(Ops tf, Variable<T> variable) {
    return GraphNames.read(tf, variable);
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
