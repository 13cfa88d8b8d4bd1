package io.estimator4j.estimator.distributed.impl;

import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.graph.BuildingScope;
import org.tensorflow.ConcreteFunction;
import org.tensorflow.DeviceSpec;
import org.tensorflow.ExecutionEnvironment;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.Scope;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.DataType;

/**
 * A scope that asks a {@link RunConfig.DeviceFn} for the device of every op built through it, the
 * counterpart of Python's {@code with graph.device(device_fn)}. The device function's answer is
 * merged with the device the op asked for itself. Ops that take a variable as a direct input
 * (Assign, Apply*, IsVariableInitialized, reads) are left without a device: TensorFlow's placer
 * colocates the ones that take the variable by reference with it and puts the others on this task,
 * which is what Python achieves with {@code colocate_with(variable)}.
 *
 * <p>tensorflow-java calls a scope's {@code apply} without the op's type, so ops are started
 * through {@link #opBuilderExact}, which records type and inputs for {@code apply}.
 */
public final class PlacingScope implements BuildingScope {
  private final Scope delegate;
  private final Placement placement;

  private PlacingScope(Scope delegate, Placement placement) {
    this.delegate = delegate;
    this.placement = placement;
  }

  /** Ops that place every op it (and every Ops derived from it) builds with {@code deviceFn}. */
  public static Ops wrap(Ops tf, RunConfig.DeviceFn deviceFn) {
    return TensorFlowInternals.ops(new PlacingScope(tf.scope(), new Placement(deviceFn)));
  }

  /** Shared by all scopes derived from one {@link #wrap}: the function and the op being built. */
  private static final class Placement {
    final RunConfig.DeviceFn deviceFn;
    PendingOp pending;

    Placement(RunConfig.DeviceFn deviceFn) {
      this.deviceFn = deviceFn;
    }
  }

  private static final class PendingOp {
    final String type;
    final String name;
    boolean readsVariable;
    Shape shape;
    DataType dtype;

    PendingOp(String type, String name) {
      this.type = type;
      this.name = name;
    }
  }

  @Override
  public OperationBuilder opBuilder(String type, String name) {
    return opBuilderExact(type, makeOpName(name), this);
  }

  @Override
  public OperationBuilder opBuilderExact(String type, String fullName, Scope outer) {
    return new PlacedBuilder(
        delegate.env().opBuilder(type, fullName, outer), new PendingOp(type, fullName), placement);
  }

  @Override
  public OperationBuilder apply(OperationBuilder builder) {
    delegate.apply(builder);
    PendingOp op = placement.pending;
    placement.pending = null;
    if (op != null && !op.readsVariable) {
      String placed = placement.deviceFn.deviceFor(op.type, op.name, op.shape, op.dtype);
      builder.setDevice(ReplicaDeviceSetter.merge(delegate.getDeviceString(), placed));
    }
    return builder;
  }

  @Override
  public ExecutionEnvironment env() {
    return delegate.env();
  }

  @Override
  public Scope withSubScope(String childScopeName) {
    return new PlacingScope(delegate.withSubScope(childScopeName), placement);
  }

  @Override
  public Scope withName(String opName) {
    return new PlacingScope(delegate.withName(opName), placement);
  }

  @Override
  public Scope withNameAsSubScope(String defaultName) {
    return new PlacingScope(delegate.withNameAsSubScope(defaultName), placement);
  }

  @Override
  public Scope withDevice(DeviceSpec newDevice) {
    return new PlacingScope(delegate.withDevice(newDevice), placement);
  }

  @Override
  public Scope withInitScope() {
    return new PlacingScope(delegate.withInitScope(), placement);
  }

  @Override
  public Scope withControlDependencyOps(Iterable<Operation> controls) {
    return new PlacingScope(delegate.withControlDependencyOps(controls), placement);
  }

  @Override
  public String makeOpName(String defaultName) {
    return delegate.makeOpName(defaultName);
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
  public String getDeviceString() {
    return delegate.getDeviceString();
  }

  @Override
  public boolean isInit() {
    return delegate.isInit();
  }

  /** Records the inputs and hands the op to {@link #apply} while it is built. */
  private static final class PlacedBuilder implements OperationBuilder {
    private final OperationBuilder b;
    private final PendingOp op;
    private final Placement placement;

    PlacedBuilder(OperationBuilder b, PendingOp op, Placement placement) {
      this.b = b;
      this.op = op;
      this.placement = placement;
    }

    private void note(Output<?> input) {
      if (ReplicaDeviceSetter.STANDARD_PS_OPS.contains(input.op().type())) {
        op.readsVariable = true;
      }
    }

    @Override
    public Operation build() {
      placement.pending = op;
      try {
        return b.build();
      } finally {
        placement.pending = null;
      }
    }

    @Override
    public OperationBuilder addInput(Output<?> input) {
      note(input);
      b.addInput(input);
      return this;
    }

    @Override
    public OperationBuilder addInputList(Output<?>[] inputs) {
      for (Output<?> input : inputs) {
        note(input);
      }
      b.addInputList(inputs);
      return this;
    }

    @Override
    public OperationBuilder addControlInput(Operation control) {
      b.addControlInput(control);
      return this;
    }

    @Override
    public OperationBuilder setDevice(String device) {
      b.setDevice(device);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, String[] value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, String value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, byte[] value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, long value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, long[] value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, float value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, float[] value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, boolean value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, boolean[] value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, DataType value) {
      if ("dtype".equals(name)) {
        op.dtype = value;
      }
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, DataType[] value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, Tensor value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, Tensor[] value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, Shape value) {
      if ("shape".equals(name)) {
        op.shape = value;
      }
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, Shape[] value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, ConcreteFunction value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, ConcreteFunction[] value) {
      b.setAttr(name, value);
      return this;
    }

    @Override
    public OperationBuilder setAttr(String name, AttrValue value) {
      b.setAttr(name, value);
      return this;
    }
  }
}
