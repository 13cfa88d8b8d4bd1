package io.estimator4j.graph;

import java.util.regex.Pattern;
import org.tensorflow.Graph;
import org.tensorflow.op.Scope;

/**
 * Builds graph ops under exact, Python-compatible names, such as a variable's {@code
 * dnn/hiddenlayer_0/kernel} and its {@code <name>/Assign} and {@code <name>/read} (which {@link
 * Variables} creates through this class).
 */
public final class GraphNames {
  private static final Pattern FULL_NAME = Pattern.compile("[A-Za-z0-9.][A-Za-z0-9_.\\-/]*");
  private static final Pattern SCOPE_CHAR = Pattern.compile("[^A-Za-z0-9_.\\-]");

  private GraphNames() {}

  /**
   * Returns a scope whose next op is named exactly {@code fullName}.
   *
   * @throws IllegalArgumentException if the name is malformed or already used in the graph
   */
  public static Scope exact(Scope scope, String fullName) {
    if (fullName == null
        || !FULL_NAME.matcher(fullName).matches()
        || fullName.endsWith("/")
        || fullName.contains("//")) {
      throw new IllegalArgumentException(
          "Invalid op name '"
              + fullName
              + "': expected segments of letters, digits, '_', '.', '-' joined by '/'.");
    }
    if (graphOf(scope).operation(fullName) != null) {
      throw new IllegalArgumentException(
          "An operation named '"
              + fullName
              + "' already exists in the graph; create each variable once and reuse it.");
    }
    return new ExactNameScope(scope, fullName);
  }

  /** Turns a column or feature name into a valid scope name ('/' and other characters to '_'). */
  public static String scopeName(String name) {
    String s = SCOPE_CHAR.matcher(name).replaceAll("_");
    if (s.isEmpty() || s.startsWith("_") || s.startsWith("-")) {
      s = "x" + s;
    }
    return s;
  }

  static Graph graphOf(Scope scope) {
    if (!(scope.env() instanceof Graph graph)) {
      throw new IllegalArgumentException(
          "Exact op names and variables need a Graph; found an "
              + scope.env().getClass().getSimpleName()
              + " environment instead.");
    }
    return graph;
  }
}
