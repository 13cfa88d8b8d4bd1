package io.estimator4j.estimator.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.graph.Initializer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Attention and MultiHeadAttention against values worked out by hand (dot attention) and against a
 * plain-Java loop implementation of Keras's einsum equations (multi-head attention).
 */
class AttentionTest {
  // query [1, 2, 2] = [[1, 0], [0, 2]], value (= key) [1, 2, 2] = [[1, 2], [3, 4]]
  private static final float[] QUERY = {1, 0, 0, 2};
  private static final float[] VALUE = {1, 2, 3, 4};

  private static float[] run(Graph g, Operand<?> out) {
    try (Session s = new Session(g)) {
      return Fetch.floats(s, out);
    }
  }

  private static Operand<TFloat32> constant(Ops tf, float[] v, long... shape) {
    return tf.constant(Shape.of(shape), DataBuffers.of(v, true, false));
  }

  private static Operand<TBool> mask(Ops tf, boolean... v) {
    return tf.constant(Shape.of(1, v.length), DataBuffers.of(v, true, false));
  }

  private static float[] dot(
      boolean causal, boolean[] valueMask, boolean[] queryMask, Weights weights, boolean useScale) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Attention.Result r =
          Attention.of(Attention.Score.DOT, useScale, 0, null)
              .apply(
                  tf,
                  constant(tf, QUERY, 1, 2, 2),
                  constant(tf, VALUE, 1, 2, 2),
                  null,
                  queryMask == null ? null : mask(tf, queryMask),
                  valueMask == null ? null : mask(tf, valueMask),
                  causal,
                  weights,
                  false);
      assertThat(r.output().shape()).isEqualTo(Shape.of(1, 2, 2));
      return run(g, r.output());
    }
  }

  private static void assertClose(float[] actual, double... expected) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-5));
    }
  }

  @Test
  void dotProductAttentionMatchesHandWorkedValues() {
    // scores = query · valueᵀ: row 0 = [1, 3], row 1 = [4, 8]
    // softmax row 0 = [1, e²] / (1 + e²); row 1 = [1, e⁴] / (1 + e⁴)
    double a = 1 / (1 + Math.exp(2));
    double b = 1 / (1 + Math.exp(4));
    // output row = w0 * [1, 2] + w1 * [3, 4]
    assertClose(
        dot(false, null, null, null, false),
        a + 3 * (1 - a),
        2 * a + 4 * (1 - a),
        b + 3 * (1 - b),
        2 * b + 4 * (1 - b));
    // causal: row 0 sees only value 0 -> [1, 2]; row 1 unchanged
    assertClose(dot(true, null, null, null, false), 1, 2, b + 3 * (1 - b), 2 * b + 4 * (1 - b));
    // value 1 masked: every row attends to value 0 only
    assertClose(dot(false, new boolean[] {true, false}, null, null, false), 1, 2, 1, 2);
    // query 0 masked: its output row is zeroed
    assertClose(
        dot(false, null, new boolean[] {false, true}, null, false),
        0,
        0,
        b + 3 * (1 - b),
        2 * b + 4 * (1 - b));
    // use_scale with scale = 0.5 halves the scores: row 0 = [0.5, 1.5], row 1 = [2, 4]
    Weights half =
        (scope, name, shape, init, trainable) -> {
          assertThat(name).isEqualTo("scale");
          assertThat(shape).isEqualTo(Shape.scalar());
          return scope.constant(0.5f);
        };
    double c = 1 / (1 + Math.exp(1));
    double d = 1 / (1 + Math.exp(2));
    assertClose(
        dot(false, null, null, half, true),
        c + 3 * (1 - c),
        2 * c + 4 * (1 - c),
        d + 3 * (1 - d),
        2 * d + 4 * (1 - d));
  }

  @Test
  void concatAndAdditiveScores() {
    // additive without scale: score[i][j] = Σ_f tanh(q[i][f] + v[j][f])
    double[][] s = new double[2][2];
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 2; j++) {
        s[i][j] =
            Math.tanh(QUERY[2 * i] + VALUE[2 * j]) + Math.tanh(QUERY[2 * i + 1] + VALUE[2 * j + 1]);
      }
    }
    double[] expected = new double[4];
    for (int i = 0; i < 2; i++) {
      double w0 = 1 / (1 + Math.exp(s[i][1] - s[i][0]));
      expected[2 * i] = w0 * 1 + (1 - w0) * 3;
      expected[2 * i + 1] = w0 * 2 + (1 - w0) * 4;
    }
    for (Attention.Score score : List.of(Attention.Score.ADDITIVE, Attention.Score.CONCAT)) {
      try (Graph g = new Graph()) {
        Ops tf = Ops.create(g);
        // concat mode asks for concat_score_weight (1 here): the same scores
        Weights ones =
            (scope, name, shape, init, trainable) -> {
              assertThat(name).isEqualTo("concat_score_weight");
              return scope.constant(1f);
            };
        Attention.Result r =
            Attention.of(score, false, 0, null)
                .apply(
                    tf,
                    constant(tf, QUERY, 1, 2, 2),
                    constant(tf, VALUE, 1, 2, 2),
                    null,
                    null,
                    null,
                    false,
                    ones,
                    false);
        assertClose(run(g, r.output()), expected);
      }
    }
  }

  // ---- multi-head attention ----

  private static final int B = 2;
  private static final int T = 3;
  private static final int S = 4;
  private static final int D = 5;
  private static final int DV = 3;
  private static final int N = 2;
  private static final int H = 3;
  private static final int HV = 2;
  private static final int O = 4;

  /** Deterministic weights, recorded by scope/name in the order asked. */
  private static final class RecordingWeights implements Weights {
    final Map<String, float[]> values = new HashMap<>();
    final List<String> order = new ArrayList<>();

    @Override
    public Operand<TFloat32> get(
        Ops scope, String name, Shape shape, Initializer init, boolean trainable) {
      String key = scope.scope().makeOpName(name);
      float[] v = new float[(int) shape.size()];
      for (int i = 0; i < v.length; i++) {
        v[i] = (float) (0.6 * Math.sin(1.3 * order.size() + 0.71 * i));
      }
      values.put(key.substring(key.indexOf('/') + 1), v);
      order.add(key);
      return scope.constant(shape, DataBuffers.of(v, true, false));
    }
  }

  private static float[] sequence(int n, double phase) {
    float[] v = new float[n];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) Math.cos(phase + 0.37 * i);
    }
    return v;
  }

  /**
   * Keras's computation as loops: q = x·Wq + bq ("abc,cde->abde"), likewise k and v from the value
   * input; scores[b][n][t][s] = Σ_h q[b][t][n][h] / sqrt(H) * k[b][s][n][h], -1e9 where the mask is
   * false, softmax over s; ctx = Σ_s p * v ("acbe,aecd->abcd"); out = Σ_{n,h} ctx · Wo + bo
   * ("abcd,cde->abe").
   */
  private static double[] reference(
      float[] x, float[] y, Map<String, float[]> w, boolean causal, boolean[] valueMask) {
    double[][][][] q = project(x, T, D, w.get("query/kernel"), w.get("query/bias"), H);
    double[][][][] k = project(y, S, DV, w.get("key/kernel"), w.get("key/bias"), H);
    double[][][][] v = project(y, S, DV, w.get("value/kernel"), w.get("value/bias"), HV);
    double[] out = new double[B * T * O];
    float[] wo = w.get("attention_output/kernel");
    float[] bo = w.get("attention_output/bias");
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < T; t++) {
        double[][] ctx = new double[N][HV];
        for (int n = 0; n < N; n++) {
          double[] sc = new double[S];
          double max = Double.NEGATIVE_INFINITY;
          for (int s = 0; s < S; s++) {
            for (int h = 0; h < H; h++) {
              sc[s] += q[b][t][n][h] / Math.sqrt(H) * k[b][s][n][h];
            }
            boolean keep = (!causal || s <= t) && (valueMask == null || valueMask[b * S + s]);
            if (!keep) {
              sc[s] -= 1e9;
            }
            max = Math.max(max, sc[s]);
          }
          double sum = 0;
          for (int s = 0; s < S; s++) {
            sc[s] = Math.exp(sc[s] - max);
            sum += sc[s];
          }
          for (int s = 0; s < S; s++) {
            for (int e = 0; e < HV; e++) {
              ctx[n][e] += sc[s] / sum * v[b][s][n][e];
            }
          }
        }
        for (int o = 0; o < O; o++) {
          double acc = bo[o];
          for (int n = 0; n < N; n++) {
            for (int e = 0; e < HV; e++) {
              acc += ctx[n][e] * wo[(n * HV + e) * O + o];
            }
          }
          out[(b * T + t) * O + o] = acc;
        }
      }
    }
    return out;
  }

  private static double[][][][] project(
      float[] x, int len, int dim, float[] kernel, float[] bias, int size) {
    double[][][][] p = new double[B][len][N][size];
    for (int b = 0; b < B; b++) {
      for (int t = 0; t < len; t++) {
        for (int n = 0; n < N; n++) {
          for (int e = 0; e < size; e++) {
            double acc = bias[n * size + e];
            for (int c = 0; c < dim; c++) {
              acc += x[(b * len + t) * dim + c] * kernel[(c * N + n) * size + e];
            }
            p[b][t][n][e] = acc;
          }
        }
      }
    }
    return p;
  }

  private static void assertMultiHead(boolean causal, boolean[] valueMask) {
    float[] x = sequence(B * T * D, 0.2);
    float[] y = sequence(B * S * DV, 1.1);
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> query =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, T, D)));
      Operand<TFloat32> value =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, S, DV)));
      RecordingWeights w = new RecordingWeights();
      MultiHeadAttention mha = MultiHeadAttention.builder(N, H).valueDim(HV).outputShape(O).build();
      MultiHeadAttention.Masks masks =
          new MultiHeadAttention.Masks(
              null,
              valueMask == null
                  ? null
                  : tf.constant(Shape.of(B, S), DataBuffers.of(valueMask, true, false)),
              null,
              null);
      MultiHeadAttention.Result r =
          mha.apply(tf.withSubScope("mha"), query, value, null, masks, causal, w, false);
      assertThat(w.order)
          .containsExactly(
              "mha/query/kernel",
              "mha/query/bias",
              "mha/key/kernel",
              "mha/key/bias",
              "mha/value/kernel",
              "mha/value/bias",
              "mha/attention_output/kernel",
              "mha/attention_output/bias");
      // a constant mask fixes the batch size in the static shape
      long batch = valueMask == null ? -1 : B;
      assertThat(r.output().shape().asArray()).containsExactly(batch, T, O);
      assertThat(r.scores().shape().asArray()).containsExactly(batch, N, T, S);
      try (Session s = new Session(g);
          TFloat32 xt = TFloat32.tensorOf(Shape.of(B, T, D), DataBuffers.of(x, true, false));
          TFloat32 yt = TFloat32.tensorOf(Shape.of(B, S, DV), DataBuffers.of(y, true, false))) {
        float[] out = Fetch.floats(s.runner().feed(query, xt).feed(value, yt), r.output());
        assertClose(out, reference(x, y, w.values, causal, valueMask));
      }
    }
  }

  @Test
  void multiHeadAttentionMatchesKerasEquations() {
    assertMultiHead(false, null);
  }

  @Test
  void multiHeadAttentionCausalAndValueMask() {
    assertMultiHead(true, null);
    assertMultiHead(false, new boolean[] {true, true, false, true, true, false, false, false});
  }

  @Test
  void multiHeadAttentionHasGradientsForTraining() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = constant(tf, sequence(B * T * D, 0.2), B, T, D);
      MultiHeadAttention mha = MultiHeadAttention.builder(N, H).build();
      MultiHeadAttention.Result r =
          mha.apply(
              tf.withSubScope("mha"),
              x,
              x,
              null,
              MultiHeadAttention.Masks.none(),
              true,
              new VariableWeights(),
              false);
      Operand<TFloat32> loss =
          tf.reduceSum(tf.math.square(r.output()), tf.constant(new int[] {0, 1, 2}));
      Output<?>[] vars = g.operations().hasNext() ? variables(g) : new Output<?>[0];
      assertThat(vars).hasSize(8);
      Output<?>[] grads = g.addGradients(loss.asOutput(), vars);
      try (Session s = new Session(g)) {
        s.initialize();
        for (Output<?> grad : grads) {
          float[] v = Fetch.floats(s, grad);
          double norm = 0;
          for (float f : v) {
            assertThat(Float.isFinite(f)).isTrue();
            norm += f * f;
          }
          assertThat(norm).as("gradient of %s", grad.op().name()).isGreaterThan(0);
        }
      }
    }
  }

  private static Output<?>[] variables(Graph g) {
    List<Output<?>> out = new ArrayList<>();
    g.operations()
        .forEachRemaining(
            op -> {
              if (op.type().equals("VariableV2")) {
                out.add(op.output(0));
              }
            });
    return out.toArray(new Output<?>[0]);
  }

  @Test
  void rejectsInputsOfDifferentRanks() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      MultiHeadAttention mha = MultiHeadAttention.builder(1, 2).build();
      assertThatThrownBy(
              () ->
                  mha.apply(
                      tf,
                      constant(tf, new float[4], 2, 2),
                      constant(tf, new float[8], 1, 2, 4),
                      null,
                      MultiHeadAttention.Masks.none(),
                      false,
                      new VariableWeights(),
                      false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("same rank, at least 3");
    }
  }
}
