package io.estimator4j.estimator.optimizer;

import static io.estimator4j.estimator.optimizer.Quadratic.VARIABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.layers.Fetch;
import io.estimator4j.graph.Variables;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/** Names, errors and edge cases shared by the optimizers. */
class OptimizerGraphTest {

  @Test
  void slotVariablesHavePythonNames() {
    Map<Optimizer, List<String>> slots =
        Map.of(
            Adagrad.of(0.1), List.of("/Adagrad"),
            Adam.create(), List.of("/Adam", "/Adam_1"),
            Ftrl.of(0.1), List.of("/Ftrl", "/Ftrl_1"),
            RMSProp.of(0.1), List.of("/RMSProp", "/RMSProp_1"),
            Momentum.builder().learningRate(0.1).momentum(0.5).build(), List.of("/Momentum"),
            GradientDescent.of(0.1), List.of());
    slots.forEach(
        (optimizer, suffixes) -> {
          try (Quadratic q = new Quadratic(optimizer)) {
            for (String suffix : suffixes) {
              assertThat(q.graph.operation(VARIABLE + suffix))
                  .as(optimizer + " slot " + suffix)
                  .isNotNull()
                  .extracting(op -> op.type())
                  .isEqualTo("VariableV2");
            }
            // Python: the train op is AssignAdd(global_step) named after the optimizer, after
            // the group <name>/update, and the update runs in <name>/update_<variable path>.
            String name = optimizer.name();
            assertThat(q.graph.operation(name).type()).isEqualTo("AssignAdd");
            assertThat(q.graph.operation(name + "/update").type()).isEqualTo("NoOp");
            assertThat(q.graph.operations())
                .toIterable()
                .anySatisfy(
                    op ->
                        assertThat(op.name())
                            .startsWith(name + "/update_dnn/hiddenlayer_0/kernel/Apply"));
          }
        });
  }

  @Test
  void adamBetaPowersAreGlobalNonSlotVariables() {
    try (Quadratic q = new Quadratic(Adam.create())) {
      assertThat(q.graph.operation("beta1_power").type()).isEqualTo("VariableV2");
      assertThat(q.graph.operation("beta2_power").type()).isEqualTo("VariableV2");
      assertThat(q.valueOf("beta1_power")[0]).isCloseTo(0.9f, within(1e-7f));
      assertThat(q.valueOf("beta2_power")[0]).isCloseTo(0.999f, within(1e-7f));
    }
  }

  @Test
  void slotsAndBetaPowersRoundTripThroughACheckpoint(@TempDir Path dir) {
    String prefix = dir.resolve("model.ckpt-1").toString();
    float[] m;
    try (Quadratic trained = new Quadratic(Adam.of(0.1))) {
      trained.train(1);
      m = trained.valueOf(VARIABLE + "/Adam");
      trained.session.save(prefix);
    }
    try (Quadratic fresh = new Quadratic(Adam.of(0.1))) {
      fresh.session.restore(prefix);
      // m after one step = 0.1·g = [0.2, 0.4]; β1^t advanced to 0.81; step 1
      assertThat(fresh.valueOf(VARIABLE + "/Adam")).containsExactly(m);
      assertThat(m).containsExactly(new float[] {0.2f, 0.4f}, within(1e-6f));
      assertThat(fresh.valueOf("beta1_power")[0]).isCloseTo(0.81f, within(1e-6f));
      assertThat(fresh.step()).isEqualTo(1L);
    }
  }

  @Test
  void variableWithoutGradientPathIsNamed() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> used = Variables.global(tf, "used", i -> i.constant(1f));
      Variable<TFloat32> unused = Variables.global(tf, "unused", i -> i.constant(1f));
      Operand<TFloat32> loss = tf.math.mul(Variables.read(tf, used), tf.constant(3f));

      assertThatThrownBy(
              () -> GradientDescent.of(0.1).minimize(tf, loss, List.of(used, unused), null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("[unused]")
          .hasMessageContaining("No gradient path");
    }
  }

  @Test
  void squareOfARefVariableIsRejectedInsteadOfCrashing() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w = Variables.global(tf, "w", i -> i.constant(1f));
      Operand<TFloat32> loss = tf.math.square(w);

      assertThatThrownBy(() -> Adagrad.of(0.1).minimize(tf, loss, List.of(w), null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Variables.read");
    }
  }

  @Test
  void duplicateAndEmptyVariableListsAreRejected() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w = Variables.global(tf, "w", i -> i.constant(1f));
      Operand<TFloat32> loss = tf.math.mul(Variables.read(tf, w), tf.constant(2f));

      assertThatThrownBy(() -> Adam.create().minimize(tf, loss, List.of(w, w), null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'w' is listed twice");
      assertThatThrownBy(() -> Adam.create().minimize(tf, loss, List.of(), null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("No variables to optimize");
    }
  }

  @Test
  void withoutGlobalStepReturnsTheUpdateGroup() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> w = Variables.global(tf, "w", i -> i.constant(1f));
      Operand<TFloat32> loss = tf.math.mul(Variables.read(tf, w), tf.constant(2f));
      Op train = GradientDescent.of(0.5).minimize(tf, loss, List.of(w), null);
      s.initialize();
      Fetch.run(s, train);

      assertThat(train.op().name()).isEqualTo("GradientDescent/update");
      // d(2w)/dw = 2; w = 1 - 0.5·2 = 0
      assertThat(Fetch.scalar(s, w)).isEqualTo(0f);
    }
  }

  @Test
  void float64VariablesTrainToo() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Variable<TFloat64> w = Variables.global(tf, "w", i -> i.constant(3.0));
      Operand<TFloat64> read = Variables.read(tf, w);
      Operand<TFloat32> loss = tf.dtypes.cast(tf.math.mul(read, read), TFloat32.class);
      Op train = Adagrad.of(0.1).minimize(tf, loss, List.of(w), null);
      s.initialize();
      Fetch.run(s, train);
      // g = 2w = 6; accum = 0.1 + 36 = 36.1; w = 3 - 0.1·6/sqrt(36.1) = 2.900139
      try (var r = s.runner().fetch(w).run()) {
        assertThat(((TFloat64) r.get(0)).getDouble())
            .isCloseTo(3 - 0.6 / Math.sqrt(36.1), within(1e-9));
      }
    }
  }

  @Test
  void twoMinimizeCallsInOneGraphGetSeparateScopes() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Variable<TFloat32> a = Variables.global(tf, "a", i -> i.constant(1f));
      Variable<TFloat32> b = Variables.global(tf, "b", i -> i.constant(1f));
      Adam.create()
          .minimize(tf, tf.math.mul(Variables.read(tf, a), tf.constant(2f)), List.of(a), null);
      Adam.create()
          .minimize(tf, tf.math.mul(Variables.read(tf, b), tf.constant(2f)), List.of(b), null);

      assertThat(g.operation("b/Adam")).isNotNull();
      assertThat(g.operation("beta1_power_1")).isNotNull();
      assertThat(g.operation("Adam_1/update")).isNotNull();
      assertThat(g.operations())
          .toIterable()
          .anySatisfy(op -> assertThat(op.name()).startsWith("gradients_1/"));
    }
  }

  @Test
  void byNameUsesTfEstimatorNames() {
    assertThat(Optimizers.byName("Adagrad", 0.05)).isInstanceOf(Adagrad.class);
    assertThat(Optimizers.byName("Adam", 0.05)).isInstanceOf(Adam.class);
    assertThat(Optimizers.byName("Ftrl", 0.05)).isInstanceOf(Ftrl.class);
    assertThat(Optimizers.byName("RMSProp", 0.05)).isInstanceOf(RMSProp.class);
    assertThat(Optimizers.byName("SGD", 0.05))
        .isInstanceOf(GradientDescent.class)
        .extracting(o -> ((GradientDescent) o).learningRate())
        .isEqualTo(0.05);
    assertThat(((Ftrl) Optimizers.byName("Ftrl", 0.05)).initialAccumulatorValue()).isEqualTo(0.1);
  }

  @Test
  void byNameRejectsUnknownNamesListingValidOnes() {
    assertThatThrownBy(() -> Optimizers.byName("adam", 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unsupported optimizer name: adam")
        .hasMessageContaining("[Adagrad, Adam, Ftrl, RMSProp, SGD]");
    assertThatThrownBy(() -> Optimizers.byName(null, 0.1))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hyperParametersAreValidated() {
    assertThatThrownBy(() -> Optimizers.byName("SGD", -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("learning_rate must be a finite value > 0; found -1.0");
    assertThatThrownBy(() -> Adagrad.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("(not set)");
    assertThatThrownBy(() -> Adam.builder().beta1(1.0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("beta1 must be in [0, 1)");
    assertThatThrownBy(() -> Ftrl.builder().learningRate(0.1).learningRatePower(0.5).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("learning_rate_power must be a finite value <= 0");
    assertThatThrownBy(() -> Momentum.builder().learningRate(0.1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("momentum");
  }

  @Test
  void pythonDefaults() {
    Adam adam = Adam.create();
    assertThat(adam.learningRate()).isEqualTo(0.001);
    assertThat(adam.beta1()).isEqualTo(0.9);
    assertThat(adam.beta2()).isEqualTo(0.999);
    assertThat(adam.epsilon()).isEqualTo(1e-8);
    assertThat(Adagrad.of(0.1).initialAccumulatorValue()).isEqualTo(0.1);
    Ftrl ftrl = Ftrl.of(0.1);
    assertThat(ftrl.learningRatePower()).isEqualTo(-0.5);
    assertThat(ftrl.l1()).isZero();
    assertThat(ftrl.l2()).isZero();
    RMSProp rms = RMSProp.of(0.1);
    assertThat(rms.decay()).isEqualTo(0.9);
    assertThat(rms.momentum()).isZero();
    assertThat(rms.epsilon()).isEqualTo(1e-10);
  }
}
