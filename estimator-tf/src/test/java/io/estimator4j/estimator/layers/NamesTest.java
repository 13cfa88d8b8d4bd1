package io.estimator4j.estimator.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Constant;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class NamesTest {

  @Test
  void globalVariableGetsPythonPathAndInitialValue() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Ops layer = tf.withSubScope("dnn").withSubScope("hiddenlayer_0");
      Variable<TFloat32> kernel =
          Names.globalVariable(layer, "kernel", init -> init.constant(new float[] {1f, 2f}));

      assertThat(kernel.op().name()).isEqualTo("dnn/hiddenlayer_0/kernel");
      assertThat(g.operation("dnn/hiddenlayer_0/kernel/Assign")).isNotNull();
      assertThat(g.operation("dnn/hiddenlayer_0/kernel/Initializer/Const")).isNotNull();
      s.initialize();
      assertThat(Fetch.floats(s, kernel)).containsExactly(1f, 2f);
    }
  }

  @Test
  void secondVariableOfTheSameNameInTheSameScopeIsRejected() {
    try (Graph g = new Graph()) {
      Ops layer = Ops.create(g).withSubScope("dnn");
      Names.globalVariable(layer, "bias", init -> init.constant(0f));

      assertThatThrownBy(() -> Names.globalVariable(layer, "bias", init -> init.constant(0f)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'bias' is already used")
          .hasMessageContaining("dnn/bias_1");
    }
  }

  @Test
  void exactScopeNamesOneOpWithSlashesAndRefusesDuplicates() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Constant<TFloat32> c =
          Constant.scalarOf(Names.exact(tf.scope(), "dnn/hiddenlayer_0/kernel/Adagrad"), 1f);

      assertThat(c.op().name()).isEqualTo("dnn/hiddenlayer_0/kernel/Adagrad");
      assertThat(Names.exists(tf, "dnn/hiddenlayer_0/kernel/Adagrad")).isTrue();
      assertThatThrownBy(() -> Names.exact(tf.scope(), "dnn/hiddenlayer_0/kernel/Adagrad"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'dnn/hiddenlayer_0/kernel/Adagrad' already exists");
    }
  }

  @Test
  void malformedNamesAreRejected() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      for (String bad : new String[] {"", "a//b", "a/", "/a", "a b", "_a"}) {
        assertThatThrownBy(() -> Names.exact(tf.scope(), bad))
            .as(bad)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("Invalid op name");
      }
    }
  }

  @Test
  void exactScopeRefusesSubScopes() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      assertThatThrownBy(() -> Names.exact(tf.scope(), "x").withSubScope("y"))
          .isInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("'x'");
    }
  }

  @Test
  void globalVariableAtUsesExactPathAndInitScope() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> slot =
          Names.globalVariableAt(tf, "dnn/logits/kernel/Ftrl_1", tf.constant(3f));

      assertThat(slot.op().name()).isEqualTo("dnn/logits/kernel/Ftrl_1");
      assertThat(g.operation("dnn/logits/kernel/Ftrl_1/Assign")).isNotNull();
      assertThat(g.isInitializer(slot.op())).isTrue();
      s.initialize();
      assertThat(Fetch.scalar(s, slot)).isEqualTo(3f);
    }
  }

  @Test
  void readIsCreatedOnceAndReused() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w = Names.globalVariable(tf, "w", init -> init.constant(1f));
      Operand<TFloat32> first = Names.read(tf, w);
      Operand<TFloat32> second = Names.read(tf.withSubScope("elsewhere"), w);

      assertThat(first.op().name()).isEqualTo("w/read");
      assertThat(second.op().name()).isEqualTo("w/read");
    }
  }

  @Test
  void uniqueAndChildNames() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      String first = Names.unique(tf, "beta1_power");
      Names.globalVariableAt(tf, first, tf.constant(0.9f));
      String second = Names.unique(tf, "beta1_power");
      assertThat(first).isEqualTo("beta1_power");
      assertThat(second).isEqualTo("beta1_power_1");

      Ops scope = tf.withSubScope("metrics");
      assertThat(Names.child(scope, "total")).isEqualTo("metrics/total");
      assertThatThrownBy(() -> Names.child(scope, "total"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'total' is already used");
    }
  }
}
