package io.estimator4j.estimator.layers;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * The Keras recurrent cells, built with the weights Keras gives them ({@code kernel}, {@code
 * recurrent_kernel}, {@code bias}, in that order and layout; gates in Keras's order: i, f, c, o for
 * LSTM and z, r, h for GRU); Java counterparts of tf.keras.layers.SimpleRNNCell, LSTMCell, GRUCell
 * and the cell of ConvLSTM2D. Each step computes what the Keras cell's {@code call} computes, in
 * the same order of operations.
 */
public final class RecurrentCells {
  private RecurrentCells() {}

  /** Settings shared by the cells; defaults are Keras's (tanh, sigmoid, bias, forget bias 1). */
  public static final class Config {
    private final int units;
    private Activation activation = Activation.TANH;
    private Activation recurrentActivation = Activation.SIGMOID;
    private boolean useBias = true;
    private boolean unitForgetBias = true;
    private boolean resetAfter = true;
    private Initializer kernelInitializer = Initializers.glorotUniform();
    private Initializer recurrentInitializer = Initializers.orthogonal(1f, null);
    private Initializer biasInitializer = Initializers.zeros();

    private Config(int units) {
      if (units <= 0) {
        throw new IllegalArgumentException("units must be positive; found " + units + ".");
      }
      this.units = units;
    }

    /** A configuration with {@code units} units (filters, for ConvLSTM2D). */
    public static Config units(int units) {
      return new Config(units);
    }

    public Config activation(Activation a) {
      this.activation = Objects.requireNonNull(a);
      return this;
    }

    public Config recurrentActivation(Activation a) {
      this.recurrentActivation = Objects.requireNonNull(a);
      return this;
    }

    public Config useBias(boolean useBias) {
      this.useBias = useBias;
      return this;
    }

    /** LSTM: initialise the forget gate's bias to 1 (Keras's default). */
    public Config unitForgetBias(boolean unitForgetBias) {
      this.unitForgetBias = unitForgetBias;
      return this;
    }

    /** GRU: apply the reset gate after the recurrent matrix product (tf.keras 2's default). */
    public Config resetAfter(boolean resetAfter) {
      this.resetAfter = resetAfter;
      return this;
    }

    public Config kernelInitializer(Initializer i) {
      this.kernelInitializer = Objects.requireNonNull(i);
      return this;
    }

    public Config recurrentInitializer(Initializer i) {
      this.recurrentInitializer = Objects.requireNonNull(i);
      return this;
    }

    public Config biasInitializer(Initializer i) {
      this.biasInitializer = Objects.requireNonNull(i);
      return this;
    }

    public int units() {
      return units;
    }
  }

  /** {@code SimpleRNNCell}: h = activation(x · kernel + bias + h_prev · recurrent_kernel). */
  public static RecurrentCell simpleRnn(Ops scope, long inputDim, Config c, Weights weights) {
    int u = c.units;
    Operand<TFloat32> kernel =
        weights.get(scope, "kernel", Shape.of(inputDim, u), c.kernelInitializer, true);
    Operand<TFloat32> recurrent =
        weights.get(scope, "recurrent_kernel", Shape.of(u, u), c.recurrentInitializer, true);
    Operand<TFloat32> bias =
        c.useBias ? weights.get(scope, "bias", Shape.of(u), c.biasInitializer, true) : null;
    List<Operand<TFloat32>> ws = bias == null ? List.of(kernel, recurrent)
        : List.of(kernel, recurrent, bias);
    Activation act = c.activation;
    return new Cell(List.of(new long[] {u}), new long[] {u}, ws) {
      @Override
      public Step step(Ops tf, Operand<TFloat32> x, List<Operand<TFloat32>> states,
          List<Operand<TFloat32>> w) {
        Operand<TFloat32> h = tf.linalg.matMul(x, w.get(0));
        if (w.size() > 2) {
          h = tf.nn.biasAdd(h, w.get(2));
        }
        Operand<TFloat32> out = act.apply(tf, tf.math.add(h, tf.linalg.matMul(states.get(0), w.get(1))));
        return new Step(out, List.of(out));
      }
    };
  }

  /** {@code LSTMCell} (states h, c): Keras's implementation 2, one product per input. */
  public static RecurrentCell lstm(Ops scope, long inputDim, Config c, Weights weights) {
    int u = c.units;
    Operand<TFloat32> kernel =
        weights.get(scope, "kernel", Shape.of(inputDim, 4L * u), c.kernelInitializer, true);
    Operand<TFloat32> recurrent =
        weights.get(scope, "recurrent_kernel", Shape.of(u, 4L * u), c.recurrentInitializer, true);
    Operand<TFloat32> bias =
        c.useBias
            ? weights.get(scope, "bias", Shape.of(4L * u),
                c.unitForgetBias ? forgetBiasInitializer(c.biasInitializer, u) : c.biasInitializer,
                true)
            : null;
    List<Operand<TFloat32>> ws = bias == null ? List.of(kernel, recurrent)
        : List.of(kernel, recurrent, bias);
    Activation act = c.activation;
    Activation rec = c.recurrentActivation;
    return new Cell(List.of(new long[] {u}, new long[] {u}), new long[] {u}, ws) {
      @Override
      public Step step(Ops tf, Operand<TFloat32> x, List<Operand<TFloat32>> states,
          List<Operand<TFloat32>> w) {
        Operand<TFloat32> z = tf.linalg.matMul(x, w.get(0));
        z = tf.math.add(z, tf.linalg.matMul(states.get(0), w.get(1)));
        if (w.size() > 2) {
          z = tf.nn.biasAdd(z, w.get(2));
        }
        return lstmGates(tf, z, states.get(1), act, rec);
      }
    };
  }

  /** {@code GRUCell}; bias {@code [2, 3 * units]} with reset_after, {@code [3 * units]} without. */
  public static RecurrentCell gru(Ops scope, long inputDim, Config c, Weights weights) {
    int u = c.units;
    Operand<TFloat32> kernel =
        weights.get(scope, "kernel", Shape.of(inputDim, 3L * u), c.kernelInitializer, true);
    Operand<TFloat32> recurrent =
        weights.get(scope, "recurrent_kernel", Shape.of(u, 3L * u), c.recurrentInitializer, true);
    Operand<TFloat32> bias =
        c.useBias
            ? weights.get(scope, "bias", c.resetAfter ? Shape.of(2, 3L * u) : Shape.of(3L * u),
                c.biasInitializer, true)
            : null;
    List<Operand<TFloat32>> ws = bias == null ? List.of(kernel, recurrent)
        : List.of(kernel, recurrent, bias);
    Activation act = c.activation;
    Activation rec = c.recurrentActivation;
    boolean resetAfter = c.resetAfter;
    return new Cell(List.of(new long[] {u}), new long[] {u}, ws) {
      @Override
      public Step step(Ops tf, Operand<TFloat32> x, List<Operand<TFloat32>> states,
          List<Operand<TFloat32>> w) {
        Operand<TFloat32> h = states.get(0);
        Operand<TFloat32> inputBias = null;
        Operand<TFloat32> recurrentBias = null;
        if (w.size() > 2) {
          if (resetAfter) {
            List<Output<TFloat32>> rows = tf.unstack(w.get(2), 2L).output();
            inputBias = rows.get(0);
            recurrentBias = rows.get(1);
          } else {
            inputBias = w.get(2);
          }
        }
        Operand<TFloat32> matrixX = tf.linalg.matMul(x, w.get(0));
        if (inputBias != null) {
          matrixX = tf.nn.biasAdd(matrixX, inputBias);
        }
        List<Output<TFloat32>> xs = tf.split(tf.constant(-1), matrixX, 3L).output();
        Operand<TFloat32> recurrentKernel = w.get(1);
        Operand<TFloat32> recZ;
        Operand<TFloat32> recR;
        Operand<TFloat32> recH;
        if (resetAfter) {
          Operand<TFloat32> inner = tf.linalg.matMul(h, recurrentKernel);
          if (recurrentBias != null) {
            inner = tf.nn.biasAdd(inner, recurrentBias);
          }
          List<Output<TFloat32>> rs = tf.split(tf.constant(-1), inner, 3L).output();
          recZ = rs.get(0);
          recR = rs.get(1);
          recH = rs.get(2);
        } else {
          List<Output<TFloat32>> ks =
              tf.splitV(recurrentKernel, tf.constant(new int[] {2 * u, u}), tf.constant(1), 2L)
                  .output();
          Operand<TFloat32> inner = tf.linalg.matMul(h, ks.get(0));
          List<Output<TFloat32>> rs = tf.split(tf.constant(-1), inner, 2L).output();
          recZ = rs.get(0);
          recR = rs.get(1);
          recH = ks.get(1);
        }
        Operand<TFloat32> z = rec.apply(tf, tf.math.add(xs.get(0), recZ));
        Operand<TFloat32> r = rec.apply(tf, tf.math.add(xs.get(1), recR));
        Operand<TFloat32> rh =
            resetAfter ? tf.math.mul(r, recH) : tf.linalg.matMul(tf.math.mul(r, h), recH);
        Operand<TFloat32> hh = act.apply(tf, tf.math.add(xs.get(2), rh));
        Operand<TFloat32> out =
            tf.math.add(tf.math.mul(z, h), tf.math.mul(tf.math.sub(tf.constant(1f), z), hh));
        return new Step(out, List.of(out));
      }
    };
  }

  /**
   * The cell of {@code ConvLSTM2D} over channels-last steps {@code [batch, rows, cols, channels]}:
   * LSTM gates whose products are convolutions (the input's with the layer's strides, padding and
   * dilation; the state's with stride 1 and same padding).
   *
   * @param inputShape the per-step input shape {@code [rows, cols, channels]} (known)
   */
  public static RecurrentCell convLstm2d(
      Ops scope,
      long[] inputShape,
      int[] kernelSize,
      int[] strides,
      String padding,
      int[] dilation,
      Config c,
      Weights weights) {
    int f = c.units;
    long[] kernelShape = {kernelSize[0], kernelSize[1], inputShape[2], 4L * f};
    Operand<TFloat32> kernel =
        weights.get(scope, "kernel", Shape.of(kernelShape), c.kernelInitializer, true);
    Operand<TFloat32> recurrent =
        weights.get(scope, "recurrent_kernel", Shape.of(kernelSize[0], kernelSize[1], f, 4L * f),
            c.recurrentInitializer, true);
    Operand<TFloat32> bias =
        c.useBias
            ? weights.get(scope, "bias", Shape.of(4L * f),
                c.unitForgetBias ? forgetBiasInitializer(c.biasInitializer, f) : c.biasInitializer,
                true)
            : null;
    long rows = convOutputLength(inputShape[0], kernelSize[0], padding, strides[0], dilation[0]);
    long cols = convOutputLength(inputShape[1], kernelSize[1], padding, strides[1], dilation[1]);
    long[] state = {rows, cols, f};
    List<Operand<TFloat32>> ws = bias == null ? List.of(kernel, recurrent)
        : List.of(kernel, recurrent, bias);
    Activation act = c.activation;
    Activation rec = c.recurrentActivation;
    return new Cell(List.of(state, state), state, ws) {
      @Override
      public Step step(Ops tf, Operand<TFloat32> x, List<Operand<TFloat32>> states,
          List<Operand<TFloat32>> w) {
        List<Output<TFloat32>> k = tf.split(tf.constant(3), w.get(0), 4L).output();
        List<Output<TFloat32>> rk = tf.split(tf.constant(3), w.get(1), 4L).output();
        List<Output<TFloat32>> b =
            w.size() > 2 ? tf.split(tf.constant(0), w.get(2), 4L).output() : null;
        List<Operand<TFloat32>> gates = new java.util.ArrayList<>();
        for (int g = 0; g < 4; g++) {
          Operand<TFloat32> xg = Convolution.convolve(tf, x, k.get(g), strides, padding, dilation);
          if (b != null) {
            xg = tf.nn.biasAdd(xg, b.get(g));
          }
          Operand<TFloat32> hg =
              Convolution.convolve(tf, states.get(0), rk.get(g), new int[] {1, 1}, "same",
                  new int[] {1, 1});
          gates.add(tf.math.add(xg, hg));
        }
        Operand<TFloat32> i = rec.apply(tf, gates.get(0));
        Operand<TFloat32> fg = rec.apply(tf, gates.get(1));
        Operand<TFloat32> cNew =
            tf.math.add(tf.math.mul(fg, states.get(1)), tf.math.mul(i, act.apply(tf, gates.get(2))));
        Operand<TFloat32> o = rec.apply(tf, gates.get(3));
        Operand<TFloat32> h = tf.math.mul(o, act.apply(tf, cNew));
        return new Step(h, List.of(h, cNew));
      }
    };
  }

  /** Keras's conv_utils.conv_output_length. */
  public static long convOutputLength(long input, int kernel, String padding, int stride,
      int dilation) {
    if (input < 0) {
      return -1;
    }
    long k = kernel + (long) (kernel - 1) * (dilation - 1);
    long out =
        switch (padding) {
          case "same" -> input;
          case "full" -> input + k - 1;
          default -> input - k + 1;
        };
    return (out + stride - 1) / stride;
  }

  private static RecurrentCell.Step lstmGates(Ops tf, Operand<TFloat32> z, Operand<TFloat32> cPrev,
      Activation act, Activation rec) {
    List<Output<TFloat32>> zs = tf.split(tf.constant(1), z, 4L).output();
    Operand<TFloat32> i = rec.apply(tf, zs.get(0));
    Operand<TFloat32> f = rec.apply(tf, zs.get(1));
    Operand<TFloat32> c =
        tf.math.add(tf.math.mul(f, cPrev), tf.math.mul(i, act.apply(tf, zs.get(2))));
    Operand<TFloat32> o = rec.apply(tf, zs.get(3));
    Operand<TFloat32> h = tf.math.mul(o, act.apply(tf, c));
    return new RecurrentCell.Step(h, List.of(h, c));
  }

  /** bias = [init(units), ones(units), init(2 * units)], as Keras's unit_forget_bias builds it. */
  private static Initializer forgetBiasInitializer(Initializer base, int units) {
    return (tf, shape) ->
        tf.concat(
            List.of(
                base.create(tf, Shape.of(units)),
                Initializers.ones().create(tf, Shape.of(units)),
                base.create(tf, Shape.of(shape.size() - 2L * units))),
            tf.constant(0));
  }

  private abstract static class Cell implements RecurrentCell {
    private final List<long[]> stateShapes;
    private final long[] outputShape;
    private final List<Operand<TFloat32>> weights;

    Cell(List<long[]> stateShapes, long[] outputShape, List<Operand<TFloat32>> weights) {
      this.stateShapes = stateShapes;
      this.outputShape = outputShape;
      this.weights = weights;
    }

    @Override
    public List<long[]> stateShapes() {
      return stateShapes;
    }

    @Override
    public long[] outputShape() {
      return outputShape.clone();
    }

    @Override
    public List<Operand<TFloat32>> weights() {
      return weights;
    }
  }
}
