package io.estimator4j.estimator.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Initializers;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The Keras layer builders against direct loops over Keras's definitions (the reference cases in
 * shared/keras cover Dense, Conv1D/2D, BatchNormalization, SimpleRNN and the activation layers;
 * these cover the rest). Inputs and weights are deterministic sequences; each expected value is
 * computed element by element from the layer's formula in the comment.
 */
class KerasSemanticsTest {

  /** Serves fixed weights in request order, checking the names Keras gives them. */
  private static final class FixedWeights implements Weights {
    private final Deque<Object[]> queue = new ArrayDeque<>();

    FixedWeights add(String name, float[] values) {
      queue.add(new Object[] {name, values});
      return this;
    }

    @Override
    public Operand<TFloat32> get(
        Ops scope, String name, Shape shape, Initializer initializer, boolean trainable) {
      Object[] next = queue.poll();
      assertThat(next).as("weight %s requested", name).isNotNull();
      assertThat(name).isEqualTo(next[0]);
      float[] v = (float[]) next[1];
      assertThat((long) v.length).as("size of %s %s", name, shape).isEqualTo(shape.size());
      return scope.constant(shape, DataBuffers.of(v, true, false));
    }
  }

  private static float[] seq(int n, double scale) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (Math.sin(i * 1.3 + 0.4) * scale);
    }
    return v;
  }

  private static float[] run(
      Shape inShape,
      float[] in,
      BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> layer,
      long... expectedShape) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      long[] dims = inShape.asArray();
      dims[0] = -1;
      Operand<TFloat32> x =
          tf.placeholder(TFloat32.class, org.tensorflow.op.core.Placeholder.shape(Shape.of(dims)));
      Operand<TFloat32> y = layer.apply(tf, x);
      assertThat(y.shape().asArray()).as("static shape").containsExactly(expectedShape);
      try (Session s = new Session(g);
          TFloat32 t = TFloat32.tensorOf(inShape, DataBuffers.of(in, true, false))) {
        return Fetch.floats(s.runner().feed(x, t), y);
      }
    }
  }

  private static void assertClose(float[] got, float[] expected) {
    assertThat(got).hasSameSizeAs(expected);
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i]).as("element %d", i).isCloseTo(expected[i], within(1e-4f));
    }
  }

  @Test
  void conv2dTransposeScattersEachInputOverTheKernel() {
    // x [1, 3, 3, 2], kernel [3, 3, filters=2, in=2], strides 2:
    // y[o, f] += x[i, c] * w[k, f, c] with o = i * s + k - pad_before
    int h = 3, cin = 2, f = 2, k = 3, s = 2;
    float[] x = seq(h * h * cin, 1);
    float[] w = seq(k * k * f * cin, 0.5);
    float[] b = {0.1f, -0.2f};
    for (String padding : List.of("valid", "same")) {
      int out = padding.equals("valid") ? (h - 1) * s + k : h * s;
      int pad = padding.equals("valid") ? 0 : Math.max((h - 1) * s + k - out, 0) / 2;
      float[] expected = new float[out * out * f];
      for (int i = 0; i < h; i++) {
        for (int j = 0; j < h; j++) {
          for (int c = 0; c < cin; c++) {
            for (int ki = 0; ki < k; ki++) {
              for (int kj = 0; kj < k; kj++) {
                int oi = i * s + ki - pad;
                int oj = j * s + kj - pad;
                if (oi < 0 || oj < 0 || oi >= out || oj >= out) {
                  continue;
                }
                for (int ff = 0; ff < f; ff++) {
                  expected[(oi * out + oj) * f + ff] +=
                      x[(i * h + j) * cin + c] * w[((ki * k + kj) * f + ff) * cin + c];
                }
              }
            }
          }
        }
      }
      for (int p = 0; p < out * out; p++) {
        for (int ff = 0; ff < f; ff++) {
          expected[p * f + ff] += b[ff];
        }
      }
      Convolution conv =
          Convolution.builder(Convolution.Kind.TRANSPOSE, k, k)
              .filters(f)
              .strides(s, s)
              .padding(padding)
              .build();
      float[] got =
          run(
              Shape.of(1, h, h, cin),
              x,
              (tf, in) -> conv.apply(tf, in, new FixedWeights().add("kernel", w).add("bias", b)),
              -1,
              out,
              out,
              f);
      assertClose(got, expected);
    }
  }

  @Test
  void depthwiseAndSeparableConvolutions() {
    // depthwise: y[i, j, c * m + q] = sum_k x[i + ki, j + kj, c] * dw[ki, kj, c, q] + b
    // separable: then y2[i, j, f] = sum_d y[i, j, d] * pw[0, 0, d, f] + b2 (no depthwise bias)
    int h = 4, c = 2, m = 2, k = 2, o = h - k + 1, f = 3;
    float[] x = seq(h * h * c, 1);
    float[] dw = seq(k * k * c * m, 0.7);
    float[] bias = {0.1f, 0.2f, 0.3f, 0.4f};
    float[] depth = new float[o * o * c * m];
    for (int i = 0; i < o; i++) {
      for (int j = 0; j < o; j++) {
        for (int ch = 0; ch < c; ch++) {
          for (int q = 0; q < m; q++) {
            float sum = 0;
            for (int ki = 0; ki < k; ki++) {
              for (int kj = 0; kj < k; kj++) {
                sum += x[((i + ki) * h + j + kj) * c + ch] * dw[((ki * k + kj) * c + ch) * m + q];
              }
            }
            depth[(i * o + j) * c * m + ch * m + q] = sum;
          }
        }
      }
    }
    float[] withBias = depth.clone();
    for (int p = 0; p < withBias.length; p++) {
      withBias[p] += bias[p % (c * m)];
    }
    Convolution depthwise =
        Convolution.builder(Convolution.Kind.DEPTHWISE, k, k).depthMultiplier(m).build();
    assertClose(
        run(
            Shape.of(1, h, h, c),
            x,
            (tf, in) ->
                depthwise.apply(
                    tf, in, new FixedWeights().add("depthwise_kernel", dw).add("bias", bias)),
            -1,
            o,
            o,
            c * m),
        withBias);

    float[] pw = seq(c * m * f, 0.3);
    float[] b2 = {0.5f, -0.5f, 0f};
    float[] sep = new float[o * o * f];
    for (int p = 0; p < o * o; p++) {
      for (int ff = 0; ff < f; ff++) {
        float sum = b2[ff];
        for (int d = 0; d < c * m; d++) {
          sum += depth[p * c * m + d] * pw[d * f + ff];
        }
        sep[p * f + ff] = sum;
      }
    }
    Convolution separable =
        Convolution.builder(Convolution.Kind.SEPARABLE, k, k).depthMultiplier(m).filters(f).build();
    assertClose(
        run(
            Shape.of(1, h, h, c),
            x,
            (tf, in) ->
                separable.apply(
                    tf,
                    in,
                    new FixedWeights()
                        .add("depthwise_kernel", dw)
                        .add("pointwise_kernel", pw)
                        .add("bias", b2)),
            -1,
            o,
            o,
            f),
        sep);
  }

  @Test
  void causalConv1dSeesOnlyThePast() {
    // causal, dilation 2, kernel 2: y[t] = x[t - 2] * w[0] + x[t] * w[1] (x[<0] = 0)
    float[] x = {1, 2, 3, 4, 5};
    float[] w = {10, 1};
    Convolution conv =
        Convolution.builder(Convolution.Kind.STANDARD, 2)
            .filters(1)
            .padding("causal")
            .dilationRate(2)
            .useBias(false)
            .build();
    float[] got =
        run(
            Shape.of(1, 5, 1),
            x,
            (tf, in) -> conv.apply(tf, in, new FixedWeights().add("kernel", w)),
            -1,
            5,
            1);
    assertThat(got).containsExactly(1f, 2f, 13f, 24f, 35f);
  }

  @Test
  void locallyConnected2dHasOneKernelPerPosition() {
    // y[i, j, f] = sum_{di, dj, c} x[i + di, j + dj, c] * K[i * cols + j, patch index, f] + b[i, j,
    // f]
    // patch index: (di * kw + dj) * C + c channels last, c * kh * kw + di * kw + dj channels first
    int h = 3, c = 2, k = 2, o = 2, f = 2;
    float[] x = seq(h * h * c, 1);
    float[] kernel = seq(o * o * k * k * c * f, 0.4);
    float[] bias = seq(o * o * f, 0.1);
    for (DataFormat format : DataFormat.values()) {
      boolean last = format == DataFormat.CHANNELS_LAST;
      float[] expected = new float[o * o * f];
      for (int i = 0; i < o; i++) {
        for (int j = 0; j < o; j++) {
          for (int ff = 0; ff < f; ff++) {
            float sum = 0;
            for (int di = 0; di < k; di++) {
              for (int dj = 0; dj < k; dj++) {
                for (int ch = 0; ch < c; ch++) {
                  float xv =
                      last
                          ? x[((i + di) * h + j + dj) * c + ch]
                          : x[(ch * h + i + di) * h + j + dj];
                  int patch = last ? (di * k + dj) * c + ch : ch * k * k + di * k + dj;
                  sum += xv * kernel[((i * o + j) * k * k * c + patch) * f + ff];
                }
              }
            }
            if (last) {
              expected[(i * o + j) * f + ff] = sum + bias[(i * o + j) * f + ff];
            } else {
              // tf.keras reshapes the (rows, cols, filters) bias to (filters, rows, cols)
              expected[(ff * o + i) * o + j] = sum + bias[(ff * o + i) * o + j];
            }
          }
        }
      }
      Shape in = last ? Shape.of(1, h, h, c) : Shape.of(1, c, h, h);
      long[] outShape = last ? new long[] {-1, o, o, f} : new long[] {-1, f, o, o};
      float[] got =
          run(
              in,
              x,
              (tf, v) ->
                  LocallyConnected.apply(
                      tf,
                      v,
                      new FixedWeights().add("kernel", kernel).add("bias", bias),
                      new int[] {k, k},
                      new int[] {1, 1},
                      f,
                      format,
                      true,
                      Activation.LINEAR,
                      Initializers.zeros(),
                      Initializers.zeros()),
              outShape);
      assertClose(got, expected);
    }
  }

  @Test
  void poolingPaddingAndSampling() {
    // average pooling with same padding leaves the padding out: [1, 2, 3] -> [1.5, 3]
    float[] avg =
        run(
            Shape.of(1, 3, 1),
            new float[] {1, 2, 3},
            (tf, x) ->
                Pooling.pool(
                    tf,
                    x,
                    Pooling.Mode.AVERAGE,
                    new int[] {2},
                    new int[] {2},
                    "same",
                    DataFormat.CHANNELS_LAST),
            -1,
            2,
            1);
    assertThat(avg).containsExactly(1.5f, 3f);
    float[] max =
        run(
            Shape.of(1, 2, 2, 1),
            new float[] {1, 5, 3, 2},
            (tf, x) -> Pooling.global(tf, x, Pooling.Mode.MAX, DataFormat.CHANNELS_LAST, false),
            -1,
            1);
    assertThat(max).containsExactly(5f);
    // up-sampling repeats, zero padding pads, cropping crops (channels first here)
    float[] up =
        run(
            Shape.of(1, 1, 2, 2),
            new float[] {1, 2, 3, 4},
            (tf, x) -> Reshaping.upSampling(tf, x, new int[] {2, 1}, DataFormat.CHANNELS_FIRST),
            -1,
            1,
            4,
            2);
    assertThat(up).containsExactly(1f, 2f, 1f, 2f, 3f, 4f, 3f, 4f);
    float[] padded =
        run(
            Shape.of(1, 2, 1),
            new float[] {7, 8},
            (tf, x) -> Reshaping.zeroPadding(tf, x, new int[][] {{1, 2}}, DataFormat.CHANNELS_LAST),
            -1,
            5,
            1);
    assertThat(padded).containsExactly(0f, 7f, 8f, 0f, 0f);
    float[] cropped =
        run(
            Shape.of(1, 5, 1),
            new float[] {1, 2, 3, 4, 5},
            (tf, x) -> Reshaping.cropping(tf, x, new int[][] {{1, 2}}, DataFormat.CHANNELS_LAST),
            -1,
            2,
            1);
    assertThat(cropped).containsExactly(2f, 3f);
    float[] permuted =
        run(
            Shape.of(1, 2, 3),
            new float[] {1, 2, 3, 4, 5, 6},
            (tf, x) -> Reshaping.permute(tf, x, 2, 1),
            -1,
            3,
            2);
    assertThat(permuted).containsExactly(1f, 4f, 2f, 5f, 3f, 6f);
  }

  @Test
  void dotIsKerasBatchDot() {
    // (B, 2, 3) . (B, 3) over axes (2, 1): y[b, i] = sum_k x[b, i, k] * v[b, k]
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(new float[][][] {{{1, 2, 3}, {4, 5, 6}}});
      Operand<TFloat32> v = tf.constant(new float[][] {{1, 0, -1}});
      Operand<TFloat32> y = Merging.dot(tf, x, v, new int[] {2, 1}, false);
      Operand<TFloat32> z = Merging.dot(tf, v, v, new int[] {1, 1}, false);
      assertThat(y.shape().asArray()).containsExactly(1, 2);
      assertThat(z.shape().asArray()).containsExactly(1, 1);
      try (Session s = new Session(g)) {
        assertThat(Fetch.floats(s, y)).containsExactly(-2f, -2f);
        assertThat(Fetch.floats(s, z)).containsExactly(2f);
      }
    }
  }

  @Test
  void gruAndLstmCellsFollowKerasEquations() {
    int in = 3, u = 2, steps = 3;
    float[] x = seq(steps * in, 1);
    for (boolean resetAfter : new boolean[] {true, false}) {
      float[] kernel = seq(in * 3 * u, 0.6);
      float[] rec = seq(u * 3 * u, -0.5);
      float[] bias = seq(resetAfter ? 6 * u : 3 * u, 0.2);
      // Keras GRU: z = sig(x Wz + bz + h Uz (+ rbz)); r likewise;
      // reset_after: hh = tanh(x Wh + bh + r * (h Uh + rbh)); else hh = tanh(x Wh + bh + (r*h) Uh)
      // h = z * h + (1 - z) * hh
      float[] h = new float[u];
      float[] expected = new float[steps * u];
      for (int t = 0; t < steps; t++) {
        float[] xz = new float[3 * u];
        float[] hz = new float[3 * u];
        for (int j = 0; j < 3 * u; j++) {
          xz[j] = bias[j];
          for (int i = 0; i < in; i++) {
            xz[j] += x[t * in + i] * kernel[i * 3 * u + j];
          }
          hz[j] = resetAfter ? bias[3 * u + j] : 0;
          for (int i = 0; i < u; i++) {
            hz[j] += h[i] * rec[i * 3 * u + j];
          }
        }
        float[] next = new float[u];
        float[] r = new float[u];
        for (int j = 0; j < u; j++) {
          r[j] = sigmoid(xz[u + j] + hz[u + j]);
        }
        for (int j = 0; j < u; j++) {
          float z = sigmoid(xz[j] + hz[j]);
          float recH;
          if (resetAfter) {
            recH = r[j] * hz[2 * u + j];
          } else {
            recH = 0;
            for (int i = 0; i < u; i++) {
              recH += r[i] * h[i] * rec[i * 3 * u + 2 * u + j];
            }
          }
          float hh = (float) Math.tanh(xz[2 * u + j] + recH);
          next[j] = z * h[j] + (1 - z) * hh;
        }
        h = next;
        System.arraycopy(h, 0, expected, t * u, u);
      }
      boolean ra = resetAfter;
      float[] got =
          run(
              Shape.of(1, steps, in),
              x,
              (tf, v) -> {
                RecurrentCell cell =
                    RecurrentCells.gru(
                        tf,
                        in,
                        RecurrentCells.Config.units(u).resetAfter(ra),
                        new FixedWeights()
                            .add("kernel", kernel)
                            .add("recurrent_kernel", rec)
                            .add("bias", bias));
                return Recurrent.of(true, false, false).run(tf, cell, v, null, null).output();
              },
              -1,
              steps,
              u);
      assertClose(got, expected);
    }

    // Keras LSTM (gates i, f, c, o): z = x W + h U + b; c = f * c + i * tanh(zc); h = o * tanh(c)
    float[] kernel = seq(in * 4 * u, 0.6);
    float[] rec = seq(u * 4 * u, -0.5);
    float[] bias = seq(4 * u, 0.2);
    float[] h = new float[u];
    float[] c = new float[u];
    for (int t = 0; t < steps; t++) {
      float[] z = new float[4 * u];
      for (int j = 0; j < 4 * u; j++) {
        z[j] = bias[j];
        for (int i = 0; i < in; i++) {
          z[j] += x[t * in + i] * kernel[i * 4 * u + j];
        }
        for (int i = 0; i < u; i++) {
          z[j] += h[i] * rec[i * 4 * u + j];
        }
      }
      float[] hn = new float[u];
      for (int j = 0; j < u; j++) {
        c[j] = sigmoid(z[u + j]) * c[j] + sigmoid(z[j]) * (float) Math.tanh(z[2 * u + j]);
        hn[j] = sigmoid(z[3 * u + j]) * (float) Math.tanh(c[j]);
      }
      h = hn;
    }
    float[] got =
        run(
            Shape.of(1, steps, in),
            x,
            (tf, v) -> {
              RecurrentCell cell =
                  RecurrentCells.lstm(
                      tf,
                      in,
                      RecurrentCells.Config.units(u),
                      new FixedWeights()
                          .add("kernel", kernel)
                          .add("recurrent_kernel", rec)
                          .add("bias", bias));
              return Recurrent.of(false, false, false).run(tf, cell, v, null, null).output();
            },
            -1,
            u);
    assertClose(got, h);
  }

  @Test
  void bidirectionalReversesTheBackwardSequence() {
    // backward output at step t is the backward run's output for input step t
    int in = 1, u = 1, steps = 3;
    float[] x = {1, 2, 3};
    float[] w = {1};
    float[] r = {0.5f};
    float[] got =
        run(
            Shape.of(1, steps, in),
            x,
            (tf, v) -> {
              RecurrentCell fwd =
                  RecurrentCells.simpleRnn(
                      tf.withSubScope("f"),
                      in,
                      RecurrentCells.Config.units(u).activation(Activation.LINEAR).useBias(false),
                      new FixedWeights().add("kernel", w).add("recurrent_kernel", r));
              RecurrentCell bwd =
                  RecurrentCells.simpleRnn(
                      tf.withSubScope("b"),
                      in,
                      RecurrentCells.Config.units(u).activation(Activation.LINEAR).useBias(false),
                      new FixedWeights().add("kernel", w).add("recurrent_kernel", r));
              return Recurrent.bidirectional(
                      tf,
                      fwd,
                      Recurrent.of(true, false, true),
                      bwd,
                      Recurrent.of(true, true, true),
                      v,
                      null,
                      "concat")
                  .get(0);
            },
            -1,
            steps,
            2);
    // forward h: 1, 2 + 0.5 = 2.5, 3 + 1.25 = 4.25; backward from the end: 3, 2 + 1.5 = 3.5,
    // 1 + 1.75 = 2.75, re-reversed to steps 1, 2, 3: 2.75, 3.5, 3
    assertThat(got).containsExactly(1f, 2.75f, 2.5f, 3.5f, 4.25f, 3f);
  }

  private static float sigmoid(float v) {
    return (float) (1 / (1 + Math.exp(-v)));
  }
}
