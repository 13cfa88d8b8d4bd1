package io.estimator4j.estimator.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.optimizer.GradientDescent;
import io.estimator4j.graph.Initializers;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

class DenseTest {

  @Test
  void outputIsInputTimesKernelPlusBias() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Dense dense =
          Dense.builder(2)
              .kernelInitializer(Initializers.values(1, 2, 3, 4, 5, 6)) // [[1, 2], [3, 4], [5, 6]]
              .biasInitializer(Initializers.values(0.5f, -1))
              .build();
      Operand<TFloat32> x = tf.constant(new float[][] {{1, 0, 1}, {0, 2, 0}});
      DenseLayer layer = dense.apply(tf.withSubScope("dnn").withSubScope("hiddenlayer_0"), x);
      s.initialize();

      // row 0: [1, 0, 1]·W = [1 + 5, 2 + 6] = [6, 8]; + b = [6.5, 7]
      // row 1: [0, 2, 0]·W = [6, 8];                   + b = [6.5, 7]
      assertThat(Fetch.floats(s, layer.output())).containsExactly(6.5f, 7f, 6.5f, 7f);
      assertThat(layer.output().shape()).isEqualTo(Shape.of(2, 2));
    }
  }

  @Test
  void variablesAndOpsHaveTfEstimatorNames() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Ops dnn = tf.withSubScope("dnn");
      Operand<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 3)));
      DenseLayer h0 =
          Dense.builder(4)
              .activation(Activation.RELU)
              .build()
              .apply(dnn.withSubScope("hiddenlayer_0"), x);
      DenseLayer h1 =
          Dense.builder(2)
              .useBias(false)
              .build()
              .apply(dnn.withSubScope("hiddenlayer_1"), h0.output());

      assertThat(h0.kernel().op().name()).isEqualTo("dnn/hiddenlayer_0/kernel");
      assertThat(h0.bias().orElseThrow().op().name()).isEqualTo("dnn/hiddenlayer_0/bias");
      assertThat(h0.kernel().shape()).isEqualTo(Shape.of(3, 4));
      assertThat(h0.bias().orElseThrow().shape()).isEqualTo(Shape.of(4));
      assertThat(h0.output().op().name()).isEqualTo("dnn/hiddenlayer_0/Relu");
      assertThat(g.operation("dnn/hiddenlayer_0/MatMul")).isNotNull();
      assertThat(g.operation("dnn/hiddenlayer_0/BiasAdd")).isNotNull();
      assertThat(g.operation("dnn/hiddenlayer_0/kernel/read").type()).isEqualTo("Identity");
      assertThat(h1.kernel().op().name()).isEqualTo("dnn/hiddenlayer_1/kernel");
      assertThat(h1.bias()).isEmpty();
      assertThat(h1.trainableVariables()).containsExactly(h1.kernel());
      assertThat(h0.trainableVariables()).containsExactly(h0.kernel(), h0.bias().orElseThrow());
      assertThat(h1.output().shape().asArray())
          .containsExactly(-1L, 2L); // Shape.equals is false with -1
    }
  }

  @Test
  void sameScopeTwiceIsRejected() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Ops scope = tf.withSubScope("logits");
      Operand<TFloat32> x = tf.constant(new float[][] {{1}});
      Dense dense = Dense.builder(1).build();
      dense.apply(scope, x);

      assertThatThrownBy(() -> dense.apply(scope, x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'kernel' is already used");
    }
  }

  @Test
  void glorotUniformStaysWithinItsLimitAndIsSeeded() {
    // limit = sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (30 + 20)) = 0.34641
    float limit = (float) Math.sqrt(6.0 / 50);
    float[] first = glorotKernel(42L);
    float[] again = glorotKernel(42L);
    float[] other = glorotKernel(7L);

    assertThat(first).hasSize(600);
    for (float v : first) {
      assertThat(v).isBetween(-limit, limit);
    }
    assertThat(first).containsExactly(again);
    assertThat(first).isNotEqualTo(other);
    // 600 uniform values: the extremes come close to ±limit and the mean is near 0
    float max = Float.NEGATIVE_INFINITY;
    double sum = 0;
    for (float v : first) {
      max = Math.max(max, v);
      sum += v;
    }
    assertThat(max).isGreaterThan(0.9f * limit);
    assertThat(sum / first.length).isCloseTo(0.0, within(0.05));
  }

  private static float[] glorotKernel(long seed) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 30)));
      DenseLayer layer = Dense.builder(20).seed(seed).build().apply(tf.withSubScope("d"), x);
      // Python's op names for glorot_uniform
      assertThat(g.operation("d/kernel/Initializer/random_uniform/RandomUniform")).isNotNull();
      assertThat(g.operation("d/kernel/Initializer/random_uniform/max")).isNotNull();
      assertThat(g.operation("d/kernel/Initializer/random_uniform").type()).isEqualTo("Add");
      s.initialize();
      return Fetch.floats(s, layer.kernel());
    }
  }

  @Test
  void trainsATinyRegression() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      // y = 2·x1 - 3·x2 + 1 on four points
      Operand<TFloat32> x = tf.constant(new float[][] {{0, 0}, {1, 0}, {0, 1}, {1, 1}});
      Operand<TFloat32> y = tf.constant(new float[][] {{1}, {3}, {-2}, {0}});
      DenseLayer layer = Dense.builder(1).seed(1L).build().apply(tf.withSubScope("linear"), x);
      Operand<TFloat32> error = tf.math.sub(layer.output(), y);
      Operand<TFloat32> loss =
          tf.math.mean(tf.math.mul(error, error), tf.constant(new int[] {0, 1}));
      Op train = GradientDescent.of(0.2).minimize(tf, loss, layer.trainableVariables(), null);
      s.initialize();

      float before = Fetch.scalar(s, loss);
      for (int i = 0; i < 300; i++) {
        Fetch.run(s, train);
      }
      float after = Fetch.scalar(s, loss);

      assertThat(after).isLessThan(before / 100).isLessThan(1e-3f);
      assertThat(Fetch.floats(s, layer.kernel()))
          .containsExactly(new float[] {2f, -3f}, within(0.05f));
      assertThat(Fetch.floats(s, layer.bias().orElseThrow()))
          .containsExactly(new float[] {1f}, within(0.05f));
    }
  }

  @Test
  void rank3InputKeepsLeadingDimensions() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      // shape [2, 1, 2]; W = [[1], [10]] so each output is x0 + 10·x1
      Operand<TFloat32> x = tf.constant(new float[][][] {{{1, 2}}, {{3, 4}}});
      DenseLayer layer =
          Dense.builder(1)
              .kernelInitializer(Initializers.values(1, 10))
              .build()
              .apply(tf.withSubScope("d"), x);
      s.initialize();

      assertThat(layer.output().shape()).isEqualTo(Shape.of(2, 1, 1));
      assertThat(Fetch.floats(s, layer.output())).containsExactly(21f, 43f);
    }
  }

  @Test
  void unknownLastDimensionIsRejected() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
      assertThatThrownBy(() -> Dense.builder(3).build().apply(tf, x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("last dimension of the inputs to a Dense layer should be defined")
          .hasMessageContaining("[-1, -1]");
      Operand<TFloat32> vector = tf.constant(new float[] {1, 2});
      assertThatThrownBy(() -> Dense.builder(3).build().apply(tf, vector))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rank 2 or more");
    }
  }

  @Test
  void builderValidates() {
    assertThatThrownBy(() -> Dense.builder(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive integer; found 0");
    assertThatThrownBy(
            () -> Dense.builder(2).seed(1).kernelInitializer(Initializers.zeros()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("seed only applies");
    assertThat(Dense.builder(3).activation(Activation.TANH).build())
        .hasToString("Dense(units=3, activation=tanh, useBias=true)");
  }

  @Test
  void valuesInitializerChecksItsSize() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(new float[][] {{1, 2}});
      Dense dense = Dense.builder(2).kernelInitializer(Initializers.values(1, 2, 3)).build();
      assertThatThrownBy(() -> dense.apply(tf, x))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("3 values but the variable shape [2, 2] holds 4");
    }
  }

  @Test
  void trainableVariablesFitOptimizerSignature() {
    // List<Variable<TFloat32>> is accepted where the optimizer takes List<? extends Variable<...>>
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      DenseLayer layer = Dense.builder(1).build().apply(tf, tf.constant(new float[][] {{1}}));
      Operand<TFloat32> loss = tf.reduceSum(layer.output(), tf.constant(new int[] {0, 1}));
      assertThat(GradientDescent.of(0.1).computeGradients(tf, loss, layer.trainableVariables()))
          .hasSize(2);
      assertThat(List.of(layer.kernel())).hasSize(1);
    }
  }
}
