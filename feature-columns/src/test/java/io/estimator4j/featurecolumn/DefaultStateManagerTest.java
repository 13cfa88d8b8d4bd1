package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.graph.Initializers;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class DefaultStateManagerTest {

  @Test
  void variablesGetExactNamesAssignInitializerAndRead() {
    try (Harness h = new Harness()) {
      Ops scope = h.tf.withSubScope("linear").withSubScope("linear_model");
      Variable<TFloat32> w =
          h.state.createVariable(
              scope.withSubScope("age"), "weights", Shape.of(2, 1), Initializers.zeros(), true);
      Variable<TFloat32> b =
          h.state.createVariable(
              scope, "bias_weights", Shape.of(1), Initializers.constant(0.5f), false);
      assertThat(w.op().name()).isEqualTo("linear/linear_model/age/weights");
      assertThat(w.op().type()).isEqualTo("VariableV2");
      assertThat(h.graph.operation("linear/linear_model/age/weights/Assign")).isNotNull();
      assertThat(h.graph.operation("linear/linear_model/age/weights/read").type())
          .isEqualTo("Identity");
      assertThat(h.graph.isInitializer(w.op())).isTrue();
      assertThat(h.state.trainableVariables()).containsExactly(w);
      assertThat(h.state.variables()).containsExactly(w, b);
      // the scope's next ops do not take the reserved names
      assertThat(scope.withName("Assign").noOp().op().name())
          .isEqualTo("linear/linear_model/Assign");
      assertThat(h.floats(b)).containsExactly(0.5f);
      assertThat(h.floats(w)).containsExactly(0f, 0f);
    }
  }

  @Test
  void aNameIsCreatedOnce() {
    try (Harness h = new Harness()) {
      h.state.createVariable(h.tf, "v", Shape.of(1), Initializers.zeros(), true);
      assertThatThrownBy(
              () -> h.state.createVariable(h.tf, "v", Shape.of(1), Initializers.zeros(), true))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Variable name 'v' is already used");
    }
  }

  @Test
  void glorotUniformStaysWithinItsLimit() {
    try (Harness h = new Harness()) {
      Variable<TFloat32> v =
          h.state.createVariable(
              h.tf, "kernel", Shape.of(20, 30), Initializers.glorotUniform(7L), true);
      // limit = sqrt(6 / (20 + 30)) = 0.3464
      for (float x : h.floats(v)) {
        assertThat(Math.abs(x)).isLessThan(0.3465f);
      }
    }
  }
}
