package io.estimator4j.graph;

import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Identity;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TType;

/**
 * Builds graph ops under exact, Python-compatible names: variables as {@code <scope>/<name>} with
 * {@code <name>/Assign}, {@code <name>/Initializer/...} and {@code <name>/read}, the way
 * tf.compat.v1.get_variable names ref variables.
 */
public final class GraphNames {
  private static final Pattern FULL_NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-/]*");
  private static final Pattern SCOPE_CHAR = Pattern.compile("[^A-Za-z0-9_.\\-]");
  private static final String ASSIGN = "Assign";

  private GraphNames() {}

  /**
   * Returns a scope whose next op is named exactly {@code fullName}.
   *
   * @throws IllegalArgumentException if the name is malformed or already used in the graph
   */
  public static Scope exact(Scope scope, String fullName) {
    if (fullName == null || !FULL_NAME.matcher(fullName).matches() || fullName.endsWith("/")
        || fullName.contains("//")) {
      throw new IllegalArgumentException("Invalid op name '" + fullName
          + "': expected segments of letters, digits, '_', '.', '-' joined by '/'.");
    }
    if (graphOf(scope).operation(fullName) != null) {
      throw new IllegalArgumentException("An operation named '" + fullName
          + "' already exists in the graph; create each variable once and reuse it.");
    }
    return new ExactNameScope(scope, fullName);
  }

  /**
   * Creates a global variable {@code <scope of scopeOps>/<name>}: the VariableV2 op and its Assign
   * live in the init scope (as {@code tf.variable(init)} builds them, so {@code
   * Session.initialize()} runs them and a checkpoint restore can overwrite them), the initial
   * value is built under {@code <name>/Initializer}, and an Identity {@code <name>/read} is created
   * for readers.
   *
   * @throws IllegalArgumentException if {@code name} is already used in that scope
   */
  public static <T extends TType> Variable<T> globalVariable(
      Ops scopeOps, String name, Shape shape, Class<T> type,
      Function<Ops, ? extends Operand<T>> initialValue) {
    VariableName reserved = reserveVariable(scopeOps, name);
    String fullName = reserved.fullName();
    Operand<T> init = initialValue.apply(reserved.initializerOps());
    if (!init.shape().isCompatibleWith(shape)) {
      throw new IllegalArgumentException("The initializer of variable '" + fullName
          + "' returned shape " + init.shape() + ", expected " + shape + ".");
    }
    Scope initScope = scopeOps.scope().withInitScope();
    Variable<T> variable = Variable.create(exact(initScope, fullName), shape, type);
    Assign.create(exact(initScope, fullName + "/" + ASSIGN), variable, init);
    read(scopeOps, variable);
    return variable;
  }

  /**
   * A variable's reserved name: its full name {@code <scope>/<name>}, and the Ops of its {@code
   * <name>/Initializer} sub-scope in the init scope, where its initial value is built.
   */
  public record VariableName(String fullName, Ops initializerOps) {}

  /**
   * Reserves {@code name} in the scope of {@code scopeOps} for a variable, as
   * tf.compat.v1.get_variable names it. The initializer scope is in the init scope, so the initial
   * value is free of the caller's control dependencies (as Python's init_scope makes it).
   *
   * @throws IllegalArgumentException if {@code name} is already used in that scope or the graph
   */
  public static VariableName reserveVariable(Ops scopeOps, String name) {
    // withSubScope reserves `name` in the parent scope, so no later op can take it.
    Ops variableOps = scopeOps.withInitScope().withSubScope(name);
    String assignName = variableOps.scope().makeOpName(ASSIGN);
    String fullName = assignName.substring(0, assignName.length() - ASSIGN.length() - 1);
    if (!(fullName.equals(name) || fullName.endsWith("/" + name))
        || graphOf(scopeOps.scope()).operation(fullName) != null) {
      throw new IllegalArgumentException("Variable name '" + name
          + "' is already used in this scope (the next free name is '" + fullName
          + "'). Each variable is created once; reuse the first one.");
    }
    return new VariableName(fullName, variableOps.withSubScope("Initializer"));
  }

  /**
   * Returns the value of {@code variable} read through the Identity {@code <variable>/read},
   * created on first use. Read variables through this: the C++ gradient of some ops (Square) fed
   * directly by a ref variable crashes the JVM.
   */
  public static <T extends TType> Operand<T> read(Ops tf, Variable<T> variable) {
    String readName = variable.op().name() + "/read";
    GraphOperation existing = graphOf(tf.scope()).operation(readName);
    if (existing != null) {
      return existing.output(0);
    }
    Scope noControls = tf.scope().withControlDependencyOps(List.of());
    return Identity.create(exact(noControls, readName), variable);
  }

  /** Turns a column or feature name into a valid scope name ('/' and other characters to '_'). */
  public static String scopeName(String name) {
    String s = SCOPE_CHAR.matcher(name).replaceAll("_");
    if (s.isEmpty() || s.startsWith("_") || s.startsWith("-")) {
      s = "x" + s;
    }
    return s;
  }

  private static Graph graphOf(Scope scope) {
    if (!(scope.env() instanceof Graph graph)) {
      throw new IllegalArgumentException("Feature columns build graph ops; found an "
          + scope.env().getClass().getSimpleName() + " environment instead of a Graph.");
    }
    return graph;
  }
}
