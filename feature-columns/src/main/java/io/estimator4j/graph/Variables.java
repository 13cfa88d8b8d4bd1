package io.estimator4j.graph;

import java.util.List;
import java.util.function.Function;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.op.core.Assign;
import org.tensorflow.op.core.Identity;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Creates the variables of a graph, the one way every module makes them: ref variables (VariableV2)
 * under exact, Python-compatible names; Java counterpart of tf.compat.v1.get_variable for global
 * variables and of tf.compat.v1.metrics' metric_variable for local ones.
 *
 * <p>A global variable {@code <scope>/<name>} (e.g. {@code dnn/hiddenlayer_0/kernel}, {@code
 * linear/linear_model/age/weights}) is built the way {@code tf.variable(initialValue)} builds one:
 * the VariableV2 op and its {@code <name>/Assign} live in the graph's init scope, so {@code
 * Session.initialize()} runs them and a checkpoint restore can overwrite them; its initial value is
 * built under {@code <name>/Initializer}, free of the caller's control dependencies. Names are
 * reserved, never made unique: a second variable of one name in one scope is an error. Read a
 * variable through {@link #read} ({@code <name>/read}).
 */
public final class Variables {
  private static final String ASSIGN = "Assign";

  private Variables() {}

  /**
   * Creates the float32 global variable {@code <scope of scopeOps>/<name>} of {@code shape},
   * initialised by {@code initializer} (Python's {@code get_variable(name, shape, initializer=)}).
   *
   * @throws IllegalArgumentException if the initializer is null, the shape not fully defined, or
   *     the name already used in that scope
   */
  public static Variable<TFloat32> global(
      Ops scopeOps, String name, Shape shape, Initializer initializer) {
    if (initializer == null) {
      throw new IllegalArgumentException("Variable '" + name + "' needs an initializer");
    }
    if (shape.isUnknown() || shape.hasUnknownDimension()) {
      throw new IllegalArgumentException(
          "Variable '" + name + "' needs a fully defined shape, got " + shape);
    }
    return create(scopeOps, name, shape, init -> initializer.create(init, shape));
  }

  /**
   * Creates the global variable {@code <scope of scopeOps>/<name>}; its shape and type are those of
   * the initial value, which {@code initialValue} builds in the {@code <name>/Initializer} scope it
   * is given.
   *
   * <p>With {@code scopeOps = tf.withSubScope("dnn").withSubScope("hiddenlayer_0")} and {@code name
   * = "kernel"} the variable is {@code dnn/hiddenlayer_0/kernel}, as in Python.
   *
   * @throws IllegalArgumentException if the name is already used in that scope or the graph, or the
   *     initial value has an unknown shape
   */
  public static <T extends TType> Variable<T> global(
      Ops scopeOps, String name, Function<Ops, ? extends Operand<T>> initialValue) {
    return create(scopeOps, name, null, initialValue);
  }

  /**
   * Creates a global variable named exactly {@code fullName} (a path), initialised to {@code
   * initialValue} by an op named {@code <fullName>/Assign}; for optimizer slots such as {@code
   * dnn/hiddenlayer_0/kernel/Adam_1} and non-slot state such as {@code beta1_power}.
   *
   * @throws IllegalArgumentException if an op named {@code fullName} or its Assign exists, or the
   *     initial value has an unknown shape
   */
  public static <T extends TType> Variable<T> globalAt(
      Ops tf, String fullName, Operand<T> initialValue) {
    return build(tf, fullName, null, initialValue);
  }

  /**
   * Creates an uninitialised variable {@code name} in the scope of {@code scopeOps}, outside the
   * init scope: a local variable (a metric accumulator) that its owner initialises with its own
   * assign op. The name is made unique in the scope, as tensorflow-java's {@code withName} does.
   */
  public static <T extends TType> Variable<T> local(
      Ops scopeOps, String name, Shape shape, Class<T> type) {
    Variable<T> v = Variable.create(scopeOps.withName(name).scope(), shape, type);
    GraphCollections.add(scopeOps.scope(), GraphCollections.LOCAL_VARIABLES, v);
    return v;
  }

  /**
   * Returns the value of {@code variable} read through an Identity named {@code <variable>/read},
   * as Python's ref variables do; created on first use, reused afterwards.
   *
   * <p>Use this instead of the variable itself as the input of math ops: TensorFlow's C++ gradient
   * of {@code Square} crashes the JVM (SIGSEGV) when its input is a ref variable, and {@code Pow}'s
   * fails ("AttrValue must not have reference type").
   */
  public static <T extends TType> Operand<T> read(Ops tf, Variable<T> variable) {
    String readName = variable.op().name() + "/read";
    GraphOperation existing = GraphNames.graphOf(tf.scope()).operation(readName);
    if (existing != null) {
      return existing.output(0);
    }
    Scope noControls = tf.scope().withControlDependencyOps(List.of());
    return Identity.create(GraphNames.exact(noControls, readName), variable);
  }

  /**
   * Reserves {@code name} in the scope of {@code scopeOps} as tf.compat.v1.get_variable names a
   * variable, builds its initial value in the init scope under {@code <name>/Initializer} and
   * creates the variable, of {@code shape} when given, else of the initial value's shape.
   */
  private static <T extends TType> Variable<T> create(
      Ops scopeOps, String name, Shape shape, Function<Ops, ? extends Operand<T>> initialValue) {
    Reserved r = reserve(scopeOps, name);
    Operand<T> init = initialValue.apply(r.variableOps().withSubScope("Initializer"));
    if (shape != null && !init.shape().isCompatibleWith(shape)) {
      throw new IllegalArgumentException(
          "The initializer of variable '"
              + r.fullName()
              + "' returned shape "
              + init.shape()
              + ", expected "
              + shape
              + ".");
    }
    return build(scopeOps, r.fullName(), shape, init);
  }

  /**
   * Creates the float32 global variable {@code <scope of scopeOps>/<name>} of {@code shape}, named
   * as {@link #global(Ops, String, Shape, Initializer)} names it, but with no initializer: {@code
   * Session.initialize()} does not touch it, and its owner must assign it (from a fed value, or by
   * restoring a checkpoint) before any run reads it. For weights whose values come from a file:
   * starting a session then neither fills them with a throw-away initial value nor optimises a
   * separate initialisation run over the whole graph.
   *
   * @throws IllegalArgumentException if the shape is not fully defined or the name is already used
   *     in that scope
   */
  public static Variable<TFloat32> assignedByOwner(Ops scopeOps, String name, Shape shape) {
    if (shape.isUnknown() || shape.hasUnknownDimension()) {
      throw new IllegalArgumentException(
          "Variable '" + name + "' needs a fully defined shape, got " + shape);
    }
    Reserved r = reserve(scopeOps, name);
    return Variable.create(GraphNames.exact(scopeOps.scope(), r.fullName()), shape, TFloat32.class);
  }

  /** A reserved variable name: the variable's own (init) scope and its full name. */
  private record Reserved(Ops variableOps, String fullName) {}

  /**
   * Reserves {@code name} in the scope of {@code scopeOps}: withSubScope reserves it in the parent
   * scope, so no later op can take it.
   *
   * @throws IllegalArgumentException if the name is already used in that scope or the graph
   */
  private static Reserved reserve(Ops scopeOps, String name) {
    Ops variableOps = scopeOps.withInitScope().withSubScope(name);
    String assignName = variableOps.scope().makeOpName(ASSIGN);
    String fullName = assignName.substring(0, assignName.length() - ASSIGN.length() - 1);
    if (!(fullName.equals(name) || fullName.endsWith("/" + name))
        || GraphNames.graphOf(scopeOps.scope()).operation(fullName) != null) {
      throw new IllegalArgumentException(
          "Variable name '"
              + name
              + "' is already used in this scope (the next free name is '"
              + fullName
              + "'). Each variable is created once; reuse the first one.");
    }
    return new Reserved(variableOps, fullName);
  }

  /** The VariableV2 {@code fullName} and its Assign from {@code init}, in the init scope. */
  private static <T extends TType> Variable<T> build(
      Ops tf, String fullName, Shape shape, Operand<T> init) {
    Scope initScope = tf.scope().withInitScope();
    Scope variableScope = GraphNames.exact(initScope, fullName);
    Scope assignScope = GraphNames.exact(initScope, fullName + "/" + ASSIGN);
    Shape variableShape = shape != null ? shape : init.shape();
    if (variableShape.isUnknown()) {
      throw new IllegalArgumentException(
          "The initial value of variable '" + fullName + "' has an unknown shape; give it a rank.");
    }
    Variable<T> variable = Variable.create(variableScope, variableShape, init.type());
    Assign.create(assignScope, variable, init);
    return variable;
  }
}
