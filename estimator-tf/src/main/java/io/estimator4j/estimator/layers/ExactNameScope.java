package io.estimator4j.estimator.layers;

import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.op.Scope;

/**
 * A {@link Scope} that gives the op built through it one exact, fully qualified name; everything
 * else (device, control dependencies, init scope) comes from the scope it wraps.
 *
 * <p>tensorflow-java's own scopes make every name unique ({@code kernel} becomes {@code kernel_1})
 * and reject {@code /} in {@code withName}; Python tf.estimator names such as {@code
 * dnn/hiddenlayer_0/kernel/Adagrad} need this instead. Create it through {@link Names#exact}.
 */
final class ExactNameScope implements Scope {
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
            + "' names a single op; "
            + method
            + " is not supported. Build composite ops with an Ops scope instead.");
  }
}
