package io.estimator4j.graph;

import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.Scope;

/**
 * A {@link Scope} whose next op gets one exact, fully qualified name (such as {@code
 * dnn/input_from_feature_columns/input_layer/occupation_embedding/embedding_weights}); device,
 * control dependencies and the init flag come from the wrapped scope.
 *
 * <p>Op building is forwarded to the wrapped scope when it is a {@link BuildingScope}, so a scope
 * that places ops by type still sees ops named through this one.
 *
 * <p>tensorflow-java's scopes make names unique and reject {@code /} in {@code withName}; Python
 * variable names need this instead. Create it through {@link GraphNames#exact}.
 */
final class ExactNameScope implements BuildingScope {
  private final Scope delegate;
  private final String fullName;

  ExactNameScope(Scope delegate, String fullName) {
    this.delegate = delegate;
    this.fullName = fullName;
  }

  @Override
  public ExecutionEnvironment env() {
    return delegate.env();
  }

  @Override
  public String makeOpName(String defaultName) {
    return fullName;
  }

  /** Builds through the wrapped scope when it is a {@link BuildingScope} (device placement). */
  @Override
  public OperationBuilder opBuilder(String type, String name) {
    return opBuilderExact(type, fullName, this);
  }

  @Override
  public OperationBuilder opBuilderExact(String type, String exactName, Scope outer) {
    return BuildingScope.opBuilder(delegate, type, exactName, outer);
  }

  @Override
  public Scope withInitScope() {
    return new ExactNameScope(delegate.withInitScope(), fullName);
  }

  @Override
  public Scope withDevice(DeviceSpec newDevice) {
    return new ExactNameScope(delegate.withDevice(newDevice), fullName);
  }

  @Override
  public Scope withControlDependencyOps(Iterable<Operation> controls) {
    return new ExactNameScope(delegate.withControlDependencyOps(controls), fullName);
  }

  @Override
  public Scope withSubScope(String childScopeName) {
    throw unsupported("withSubScope");
  }

  @Override
  public Scope withName(String opName) {
    throw unsupported("withName");
  }

  @Override
  public Scope withNameAsSubScope(String defaultName) {
    throw unsupported("withNameAsSubScope");
  }

  @Override
  public String makeUnique(String id) {
    return delegate.makeUnique(id);
  }

  @Override
  public void refreshNames() {
    delegate.refreshNames();
  }

  @Override
  public OperationBuilder apply(OperationBuilder builder) {
    return delegate.apply(builder);
  }

  @Override
  public String getDeviceString() {
    return delegate.getDeviceString();
  }

  @Override
  public boolean isInit() {
    return delegate.isInit();
  }

  private UnsupportedOperationException unsupported(String method) {
    return new UnsupportedOperationException(
        "The exact-name scope for '"
            + fullName
            + "' names one op; "
            + method
            + " is not supported.");
  }
}
