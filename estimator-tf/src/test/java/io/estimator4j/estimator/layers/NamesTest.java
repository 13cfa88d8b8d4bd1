package io.estimator4j.estimator.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.graph.Variables;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Constant;
import org.tensorflow.types.TFloat32;

class NamesTest {

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
  void uniqueAndChildNames() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      String first = Names.unique(tf, "beta1_power");
      Variables.globalAt(tf, first, tf.constant(0.9f));
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
