package io.estimator4j.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class VariablesTest {

  @Test
  void globalVariableGetsPythonPathAndInitialValue() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Ops layer = tf.withSubScope("dnn").withSubScope("hiddenlayer_0");
      Variable<TFloat32> kernel =
          Variables.global(layer, "kernel", init -> init.constant(new float[] {1f, 2f}));

      assertThat(kernel.op().name()).isEqualTo("dnn/hiddenlayer_0/kernel");
      assertThat(g.operation("dnn/hiddenlayer_0/kernel/Assign")).isNotNull();
      assertThat(g.operation("dnn/hiddenlayer_0/kernel/Initializer/Const")).isNotNull();
      s.initialize();
      assertThat(Fetched.floats(s, kernel)).containsExactly(1f, 2f);
    }
  }

  @Test
  void initializerVariableHasTheDeclaredShapeAndRefusesAnUnknownOne() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> bias = Variables.global(tf, "bias", Shape.of(3), Initializers.ones());

      assertThat(bias.shape()).isEqualTo(Shape.of(3));
      assertThat(g.isInitializer(bias.op())).isTrue();
      assertThatThrownBy(() -> Variables.global(tf, "w", Shape.of(-1, 2), Initializers.zeros()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Variable 'w' needs a fully defined shape");
      s.initialize();
      assertThat(Fetched.floats(s, bias)).containsExactly(1f, 1f, 1f);
    }
  }

  @Test
  void variableAssignedByOwnerHasNoInitializerAndTakesTheAssignedValue() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops layer = Ops.create(g).withSubScope("conv2d");
      Variable<TFloat32> kernel = Variables.assignedByOwner(layer, "kernel", Shape.of(2));
      Variables.global(layer, "bias", Shape.of(2), Initializers.ones());
      Operand<TFloat32> fed = layer.placeholder(TFloat32.class);
      var assign = layer.assign(kernel, fed);

      assertThat(kernel.op().name()).isEqualTo("conv2d/kernel");
      assertThat(g.operation("conv2d/kernel/Assign")).isNull();
      assertThat(g.isInitializer(kernel.op())).isFalse();
      assertThatThrownBy(() -> Variables.assignedByOwner(layer, "kernel", Shape.of(2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'kernel' is already used");
      assertThatThrownBy(() -> Variables.assignedByOwner(layer, "k", Shape.of(-1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Variable 'k' needs a fully defined shape");
      // initialize() runs the bias's initializer only: the kernel is not silently zero
      s.initialize();
      assertThatThrownBy(() -> Fetched.floats(s, kernel)).hasMessageContaining("uninitialized");
      try (TFloat32 value = TFloat32.vectorOf(3f, 4f)) {
        s.runner().feed(fed, value).addTarget(assign).run().close();
      }
      assertThat(Fetched.floats(s, kernel)).containsExactly(3f, 4f);
    }
  }

  @Test
  void secondVariableOfTheSameNameInTheSameScopeIsRejected() {
    try (Graph g = new Graph()) {
      Ops layer = Ops.create(g).withSubScope("dnn");
      Variables.global(layer, "bias", init -> init.constant(0f));

      assertThatThrownBy(() -> Variables.global(layer, "bias", init -> init.constant(0f)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'bias' is already used")
          .hasMessageContaining("dnn/bias_1");
    }
  }

  @Test
  void globalAtUsesExactPathAndInitScope() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> slot = Variables.globalAt(tf, "dnn/logits/kernel/Ftrl_1", tf.constant(3f));

      assertThat(slot.op().name()).isEqualTo("dnn/logits/kernel/Ftrl_1");
      assertThat(g.operation("dnn/logits/kernel/Ftrl_1/Assign")).isNotNull();
      assertThat(g.isInitializer(slot.op())).isTrue();
      s.initialize();
      assertThat(Fetched.floats(s, slot)[0]).isEqualTo(3f);
    }
  }

  @Test
  void localVariableIsLeftToItsOwnerToInitialise() {
    try (Graph g = new Graph()) {
      Ops metric = Ops.create(g).withSubScope("metrics").withSubScope("accuracy");
      Variable<TFloat32> total = Variables.local(metric, "total", Shape.scalar(), TFloat32.class);

      assertThat(total.op().name()).isEqualTo("metrics/accuracy/total");
      assertThat(g.isInitializer(total.op())).isFalse();
      assertThat(g.operation("metrics/accuracy/total/Assign")).isNull();
    }
  }

  @Test
  void readIsCreatedOnceAndReused() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w = Variables.global(tf, "w", init -> init.constant(1f));
      Operand<TFloat32> first = Variables.read(tf, w);
      Operand<TFloat32> second = Variables.read(tf.withSubScope("elsewhere"), w);

      assertThat(first.op().name()).isEqualTo("w/read");
      assertThat(second.op().name()).isEqualTo("w/read");
    }
  }
}
