package io.estimator4j.graph;

import org.tensorflow.OperationBuilder;
import org.tensorflow.op.Scope;

/**
 * A {@link Scope} that wants to see every op built through it, with its type, before the op is
 * added to the graph (for example to choose the op's device by type, as
 * tf.compat.v1.train.replica_device_setter does). Scopes that only rename ops, such as the
 * exact-name scope, forward op building to a wrapped {@code BuildingScope} instead of calling the
 * execution environment directly.
 */
public interface BuildingScope extends Scope {
  /**
   * Starts building an op of {@code type} named exactly {@code fullName}; {@code outer} is the
   * outermost scope of the chain, whose {@link Scope#apply} and {@link Scope#isInit} the builder
   * must use.
   */
  OperationBuilder opBuilderExact(String type, String fullName, Scope outer);

  /** Starts an op through {@code scope}: forwarded to it when it is a building scope. */
  static OperationBuilder opBuilder(Scope scope, String type, String fullName, Scope outer) {
    return scope instanceof BuildingScope b
        ? b.opBuilderExact(type, fullName, outer)
        : scope.env().opBuilder(type, fullName, outer);
  }
}
