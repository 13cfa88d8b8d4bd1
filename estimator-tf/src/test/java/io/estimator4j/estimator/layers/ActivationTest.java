package io.estimator4j.estimator.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class ActivationTest {
  private static final float[] X = {-2f, -0.5f, 0f, 1f, 7f};

  @Test
  void valuesMatchTheirDefinitions() {
    assertValues(Activation.LINEAR, X);
    assertValues(Activation.RELU, 0f, 0f, 0f, 1f, 7f);
    assertValues(Activation.RELU6, 0f, 0f, 0f, 1f, 6f);
    // elu: exp(x) - 1 below 0
    assertValues(Activation.ELU, (float) Math.expm1(-2), (float) Math.expm1(-0.5), 0f, 1f, 7f);
    assertValues(Activation.SIGMOID, map(x -> 1 / (1 + Math.exp(-x))));
    assertValues(Activation.TANH, map(Math::tanh));
    assertValues(Activation.SOFTPLUS, map(x -> Math.log1p(Math.exp(x))));
    assertValues(Activation.SOFTSIGN, map(x -> x / (1 + Math.abs(x))));
    assertValues(Activation.EXPONENTIAL, map(Math::exp));
    assertValues(Activation.SWISH, map(x -> x / (1 + Math.exp(-x))));
    // gelu(1) = 0.5·(1 + erf(1/sqrt 2)) = 0.841345; gelu(-2) = -2·Φ(-2) = -0.045500
    float[] gelu = apply(Activation.GELU);
    assertThat(gelu[3]).isCloseTo(0.841345f, within(1e-5f));
    assertThat(gelu[0]).isCloseTo(-0.0455003f, within(1e-5f));
    assertValues(Activation.LEAKY_RELU, -0.4f, -0.1f, 0f, 1f, 7f);
    assertValues(Activation.leakyRelu(0.5f), -1f, -0.25f, 0f, 1f, 7f);
    // selu: scale·x above 0 with scale = 1.0507009873554805
    assertThat(apply(Activation.SELU)[3]).isCloseTo(1.0507010f, within(1e-6f));
  }

  @Test
  void keras3FunctionsMatchTheirDefinitions() {
    // X = {-2, -0.5, 0, 1, 7}
    assertValues(Activation.byName("hard_tanh"), -1f, -0.5f, 0f, 1f, 1f);
    assertValues(Activation.byName("tanh_shrink"), map(x -> x - Math.tanh(x)));
    // celu (alpha 1) = elu for alpha 1
    assertValues(Activation.byName("celu"), map(x -> x > 0 ? x : Math.expm1(x)));
    assertValues(Activation.byName("squareplus"), map(x -> (x + Math.sqrt(x * x + 4)) / 2));
    // soft_shrink(0.5): -2 -> -1.5, -0.5 -> 0, 0 -> 0, 1 -> 0.5, 7 -> 6.5
    assertValues(Activation.byName("soft_shrink"), -1.5f, 0f, 0f, 0.5f, 6.5f);
    // hard_shrink(0.5): |x| > 0.5 keeps x; -0.5 is not above the threshold
    assertValues(Activation.byName("hard_shrink"), -2f, 0f, 0f, 1f, 7f);
    // sparse_plus: -2 -> 0; -0.5 -> 0.25 * 0.25 = 0.0625; 0 -> 0.25; 1 -> 1; 7 -> 7
    assertValues(Activation.byName("sparse_plus"), 0f, 0.0625f, 0.25f, 1f, 7f);
    // sparse_sigmoid: -2 -> 0; -0.5 -> 0.25; 0 -> 0.5; 1 -> 1; 7 -> 1
    assertValues(Activation.byName("sparse_sigmoid"), 0f, 0.25f, 0.5f, 1f, 1f);
  }

  @Test
  void softmaxRowsSumToOne() {
    float[] softmax = apply(Activation.SOFTMAX);
    double sum = 0;
    for (float v : softmax) {
      sum += v;
    }
    assertThat(sum).isCloseTo(1.0, within(1e-6));
    // log_softmax(x) = log(softmax(x))
    assertThat(apply(Activation.LOG_SOFTMAX)[4])
        .isCloseTo((float) Math.log(softmax[4]), within(1e-5f));
  }

  @Test
  void everyNamedActivationHasAGradient() {
    for (String name :
        List.of(
            "linear",
            "relu",
            "relu6",
            "elu",
            "selu",
            "sigmoid",
            "tanh",
            "softmax",
            "log_softmax",
            "softplus",
            "softsign",
            "exponential",
            "swish",
            "silu",
            "gelu",
            "leaky_relu")) {
      try (Graph g = new Graph();
          Session s = new Session(g)) {
        Ops tf = Ops.create(g);
        Operand<TFloat32> x = tf.constant(new float[][] {X});
        Operand<TFloat32> y = Activation.byName(name).apply(tf, tf.math.mul(x, tf.constant(1f)));
        Output<?> dx = g.addGradients(y.asOutput(), new Output<?>[] {x.asOutput()})[0];
        assertThat(Fetch.floats(s, dx)).as(name).hasSize(X.length);
      }
    }
  }

  @Test
  void byNameRejectsUnknownNames() {
    assertThat(Activation.byName(null)).isSameAs(Activation.LINEAR);
    assertThat(Activation.byName("relu")).isSameAs(Activation.RELU);
    assertThatThrownBy(() -> Activation.byName("Relu"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unknown activation 'Relu'")
        .hasMessageContaining("relu6");
  }

  private static float[] map(java.util.function.DoubleUnaryOperator f) {
    float[] out = new float[X.length];
    for (int i = 0; i < X.length; i++) {
      out[i] = (float) f.applyAsDouble(X[i]);
    }
    return out;
  }

  private static void assertValues(Activation activation, float... expected) {
    assertThat(apply(activation))
        .as(activation.toString())
        .containsExactly(expected, within(1e-5f));
  }

  private static float[] apply(Activation activation) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      return Fetch.floats(s, activation.apply(tf, tf.constant(X)));
    }
  }
}
