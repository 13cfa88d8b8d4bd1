package io.estimator4j.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;

class InitializersTest {

  @Test
  void fansFollowKeras() {
    assertThat(Initializers.fanSum(Shape.of(3, 5))).isEqualTo(8.0); // fan_in 3 + fan_out 5
    assertThat(Initializers.fanSum(Shape.of(7))).isEqualTo(14.0); // fan_in = fan_out = 7
    // conv kernel [3, 3, 4, 8]: receptive field 9, fan_in 36 + fan_out 72
    assertThat(Initializers.fanSum(Shape.of(3, 3, 4, 8))).isEqualTo(108.0);
  }

  @Test
  void constantsFillTheShape() {
    assertThat(values(Initializers.zeros(), Shape.of(2, 2))).containsExactly(0f, 0f, 0f, 0f);
    assertThat(values(Initializers.ones(), Shape.of(3))).containsExactly(1f, 1f, 1f);
    assertThat(values(Initializers.constant(0.1f), Shape.of(1, 2))).containsExactly(0.1f, 0.1f);
    assertThat(values(Initializers.values(1, 2, 3, 4), Shape.of(2, 2))).containsExactly(1, 2, 3, 4);
  }

  @Test
  void glorotNormalIsTruncatedAtTwoStddevs() {
    // fan_in + fan_out = 400 + 400: stddev = sqrt(2/800)/0.87962566 = 0.0568423, cut at ±0.1136846
    float[] v = values(Initializers.glorotNormal(3L), Shape.of(400, 400));
    double stddev = Math.sqrt(2.0 / 800) / 0.87962566103423978;
    double sum = 0;
    double squares = 0;
    for (float x : v) {
      assertThat((double) Math.abs(x)).isLessThanOrEqualTo(2 * stddev + 1e-6);
      sum += x;
      squares += x * x;
    }
    double mean = sum / v.length;
    // the truncation divisor restores the requested variance: std ≈ sqrt(2/800) = 0.05
    assertThat(mean).isCloseTo(0.0, within(0.001));
    assertThat(Math.sqrt(squares / v.length - mean * mean)).isCloseTo(0.05, within(0.001));
  }

  private static float[] values(Initializer init, Shape shape) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      return Fetched.floats(s, init.create(Ops.create(g), shape));
    }
  }
}
