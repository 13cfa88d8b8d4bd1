package io.estimator4j.estimator.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.graph.Initializer;
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
 * Keras 2's CuDNNLSTM and CuDNNGRU against loops over cuDNN's own equations and weight layout,
 * StackedRNNCells against the cells run one after the other, and ConvLSTM1D against ConvLSTM2D.
 */
class RecurrentCellsTest {
  private static final int IN = 3;
  private static final int U = 2;
  private static final int STEPS = 4;

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

  private static float[] seq(int n, double scale, double phase) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (Math.sin(i * 1.3 + phase) * scale);
    }
    return v;
  }

  private static float sigmoid(double v) {
    return (float) (1 / (1 + Math.exp(-v)));
  }

  private static float[] run(
      Shape inShape, float[] in, BiFunction<Ops, Operand<TFloat32>, Operand<TFloat32>> layer) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.constant(inShape, DataBuffers.of(in, true, false));
      Operand<TFloat32> y = layer.apply(tf, x);
      try (Session s = new Session(g)) {
        return Fetch.floats(s.runner(), y);
      }
    }
  }

  private static void assertClose(float[] got, float[] expected) {
    assertThat(got).hasSameSizeAs(expected);
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i]).as("element %d", i).isCloseTo(expected[i], within(1e-5f));
    }
  }

  /**
   * cuDNN's matrix of gate g as the CuDNN layer hands it over: the kernel's columns [g*u, (g+1)*u)
   * flattened row-major and read by cuDNN as a row-major [u, in] matrix W, used as W x.
   */
  private static float[][] cudnnMatrix(float[] kernel, int rows, int gates, int g) {
    float[] flat = new float[rows * U];
    int k = 0;
    for (int r = 0; r < rows; r++) {
      for (int j = 0; j < U; j++) {
        flat[k++] = kernel[r * gates * U + g * U + j];
      }
    }
    float[][] w = new float[U][rows];
    for (int j = 0; j < U; j++) {
      for (int r = 0; r < rows; r++) {
        w[j][r] = flat[j * rows + r];
      }
    }
    return w;
  }

  private static float dot(float[] row, float[] v) {
    float s = 0;
    for (int i = 0; i < v.length; i++) {
      s += row[i] * v[i];
    }
    return s;
  }

  @Test
  void cudnnLstmFollowsCudnnsEquationsAndLayout() {
    float[] x = seq(STEPS * IN, 1.0, 0.1);
    float[] kernel = seq(IN * 4 * U, 0.7, 0.4);
    float[] rec = seq(U * 4 * U, -0.6, 1.1);
    float[] bias = seq(8 * U, 0.3, 2.0);
    // cuDNN LSTM, gates i, f, c, o (g = 0..3), W = input matrices, R = recurrent matrices:
    //   gate_g = act(W_g x + b_Wg + R_g h + b_Rg), c = f * c + i * tanh(gate_c), h = o * tanh(c)
    float[] h = new float[U];
    float[] c = new float[U];
    float[] expected = new float[STEPS * U];
    for (int t = 0; t < STEPS; t++) {
      float[] xt = java.util.Arrays.copyOfRange(x, t * IN, (t + 1) * IN);
      float[][] gate = new float[4][U];
      for (int g = 0; g < 4; g++) {
        float[][] w = cudnnMatrix(kernel, IN, 4, g);
        float[][] r = cudnnMatrix(rec, U, 4, g);
        for (int j = 0; j < U; j++) {
          gate[g][j] = dot(w[j], xt) + bias[g * U + j] + dot(r[j], h) + bias[4 * U + g * U + j];
        }
      }
      float[] hn = new float[U];
      for (int j = 0; j < U; j++) {
        c[j] = sigmoid(gate[1][j]) * c[j] + sigmoid(gate[0][j]) * (float) Math.tanh(gate[2][j]);
        hn[j] = sigmoid(gate[3][j]) * (float) Math.tanh(c[j]);
      }
      h = hn;
      System.arraycopy(h, 0, expected, t * U, U);
    }
    float[] got =
        run(
            Shape.of(1, STEPS, IN),
            x,
            (tf, v) -> {
              RecurrentCell cell =
                  RecurrentCells.cudnnLstm(
                      tf,
                      IN,
                      RecurrentCells.Config.units(U),
                      new FixedWeights()
                          .add("kernel", kernel)
                          .add("recurrent_kernel", rec)
                          .add("bias", bias),
                      null);
              return Recurrent.of(true, false, false).run(tf, cell, v, null, null).output();
            });
    assertClose(got, expected);
  }

  @Test
  void cudnnGruFollowsCudnnsEquationsAndLayout() {
    float[] x = seq(STEPS * IN, 1.0, 0.3);
    float[] kernel = seq(IN * 3 * U, 0.8, 0.9);
    float[] rec = seq(U * 3 * U, 0.5, 1.7);
    float[] bias = seq(6 * U, 0.4, 0.2);
    // cuDNN GRU with Keras's gate order z, r, h (g = 0, 1, 2):
    //   z = sigmoid(W_z x + b_Wz + R_z h + b_Rz), r likewise,
    //   h~ = tanh(W_h x + b_Wh + r * (R_h h + b_Rh)), h = z * h + (1 - z) * h~
    float[] h = new float[U];
    float[] expected = new float[STEPS * U];
    for (int t = 0; t < STEPS; t++) {
      float[] xt = java.util.Arrays.copyOfRange(x, t * IN, (t + 1) * IN);
      float[][] wx = new float[3][U];
      float[][] rh = new float[3][U];
      for (int g = 0; g < 3; g++) {
        float[][] w = cudnnMatrix(kernel, IN, 3, g);
        float[][] r = cudnnMatrix(rec, U, 3, g);
        for (int j = 0; j < U; j++) {
          wx[g][j] = dot(w[j], xt) + bias[g * U + j];
          rh[g][j] = dot(r[j], h) + bias[3 * U + g * U + j];
        }
      }
      float[] hn = new float[U];
      for (int j = 0; j < U; j++) {
        float z = sigmoid(wx[0][j] + rh[0][j]);
        float r = sigmoid(wx[1][j] + rh[1][j]);
        float hh = (float) Math.tanh(wx[2][j] + r * rh[2][j]);
        hn[j] = z * h[j] + (1 - z) * hh;
      }
      h = hn;
      System.arraycopy(h, 0, expected, t * U, U);
    }
    float[] got =
        run(
            Shape.of(1, STEPS, IN),
            x,
            (tf, v) -> {
              RecurrentCell cell =
                  RecurrentCells.cudnnGru(
                      tf,
                      IN,
                      RecurrentCells.Config.units(U),
                      new FixedWeights()
                          .add("kernel", kernel)
                          .add("recurrent_kernel", rec)
                          .add("bias", bias),
                      null);
              return Recurrent.of(true, false, false).run(tf, cell, v, null, null).output();
            });
    assertClose(got, expected);
  }

  @Test
  void stackedCellsEqualTheCellsRunOneAfterTheOther() {
    float[] x = seq(2 * STEPS * IN, 1.0, 0.5);
    float[] k1 = seq(IN * 4 * U, 0.6, 0.1);
    float[] r1 = seq(U * 4 * U, -0.4, 0.7);
    float[] b1 = seq(4 * U, 0.2, 1.3);
    float[] k2 = seq(U * 3 * 3, 0.5, 2.1);
    float[] r2 = seq(3 * 3 * 3, 0.3, 0.2);
    float[] b2 = seq(2 * 3 * 3, 0.1, 0.9);
    Shape shape = Shape.of(2, STEPS, IN);
    // one RNN over StackedRNNCells([LSTMCell(2), GRUCell(3)]), last output and all four... states
    float[] stacked =
        run(
            shape,
            x,
            (tf, v) -> {
              FixedWeights w =
                  new FixedWeights()
                      .add("kernel", k1)
                      .add("recurrent_kernel", r1)
                      .add("bias", b1)
                      .add("kernel", k2)
                      .add("recurrent_kernel", r2)
                      .add("bias", b2);
              RecurrentCell cell =
                  RecurrentCells.stacked(
                      List.of(
                          RecurrentCells.lstm(tf, IN, RecurrentCells.Config.units(U), w),
                          RecurrentCells.gru(tf, U, RecurrentCells.Config.units(3), w)));
              assertThat(cell.stateShapes()).hasSize(3);
              return Recurrent.of(true, false, false).run(tf, cell, v, null, null).output();
            });
    // LSTM(2, return_sequences) then GRU(3, return_sequences)
    float[] layered =
        run(
            shape,
            x,
            (tf, v) -> {
              RecurrentCell lstm =
                  RecurrentCells.lstm(
                      tf,
                      IN,
                      RecurrentCells.Config.units(U),
                      new FixedWeights()
                          .add("kernel", k1)
                          .add("recurrent_kernel", r1)
                          .add("bias", b1));
              Operand<TFloat32> y =
                  Recurrent.of(true, false, false).run(tf, lstm, v, null, null).output();
              RecurrentCell gru =
                  RecurrentCells.gru(
                      tf,
                      U,
                      RecurrentCells.Config.units(3),
                      new FixedWeights()
                          .add("kernel", k2)
                          .add("recurrent_kernel", r2)
                          .add("bias", b2));
              return Recurrent.of(true, false, false).run(tf, gru, y, null, null).output();
            });
    assertClose(stacked, layered);
  }

  @Test
  void convLstm1dEqualsConvLstm2dOverARowOfHeightOne() {
    int width = 5;
    int channels = 2;
    int filters = 3;
    float[] x = seq(STEPS * width * channels, 1.0, 0.3);
    float[] kernel = seq(3 * channels * 4 * filters, 0.4, 0.6);
    float[] rec = seq(3 * filters * 4 * filters, 0.3, 1.9);
    float[] bias = seq(4 * filters, 0.2, 0.4);
    float[] one =
        run(
            Shape.of(1, STEPS, width, channels),
            x,
            (tf, v) -> {
              RecurrentCell cell =
                  RecurrentCells.convLstm(
                      tf,
                      new long[] {width, channels},
                      new int[] {3},
                      new int[] {1},
                      "same",
                      new int[] {1},
                      RecurrentCells.Config.units(filters),
                      new FixedWeights()
                          .add("kernel", kernel)
                          .add("recurrent_kernel", rec)
                          .add("bias", bias),
                      null);
              return Recurrent.of(true, false, false).run(tf, cell, v, null, null).output();
            });
    float[] two =
        run(
            Shape.of(1, STEPS, 1, width, channels),
            x,
            (tf, v) -> {
              RecurrentCell cell =
                  RecurrentCells.convLstm2d(
                      tf,
                      new long[] {1, width, channels},
                      new int[] {1, 3},
                      new int[] {1, 1},
                      "same",
                      new int[] {1, 1},
                      RecurrentCells.Config.units(filters),
                      new FixedWeights()
                          .add("kernel", kernel)
                          .add("recurrent_kernel", rec)
                          .add("bias", bias));
              return Recurrent.of(true, false, false).run(tf, cell, v, null, null).output();
            });
    assertClose(one, two);
  }
}
