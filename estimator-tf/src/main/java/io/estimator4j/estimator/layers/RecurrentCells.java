package io.estimator4j.estimator.layers;

import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Initializers;
import java.util.ArrayList;
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
    private float dropout;
    private float recurrentDropout;
    private Long dropoutSeed;
    private boolean dropoutMaskPerGate;

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

    /**
     * Keras's {@code dropout}: the fraction of the inputs dropped in training, with one mask per
     * sequence (the same at every step). Keras applies it only for rates strictly between 0 and 1.
     */
    public Config dropout(double rate) {
      this.dropout = (float) rate;
      return this;
    }

    /** Keras's {@code recurrent_dropout}: the same for the recurrent state. */
    public Config recurrentDropout(double rate) {
      this.recurrentDropout = (float) rate;
      return this;
    }

    /** The seed of the dropout masks (null: unseeded). */
    public Config dropoutSeed(Long seed) {
      this.dropoutSeed = seed;
      return this;
    }

    /**
     * One dropout mask per gate (tf.keras 2's LSTM and GRU implementation 1, and ConvLSTM2D)
     * instead of one mask shared by the gates (implementation 2, Keras 3).
     */
    public Config dropoutMaskPerGate(boolean perGate) {
      this.dropoutMaskPerGate = perGate;
      return this;
    }

    public int units() {
      return units;
    }

    boolean inputDropout() {
      return dropout > 0 && dropout < 1;
    }

    boolean stateDropout() {
      return recurrentDropout > 0 && recurrentDropout < 1;
    }
  }

  /**
   * Keras's dropout masks of one call in training ({@code DropoutRNNCellMixin}): drawn once from
   * the layer's input, so every time step uses the same masks; {@code mask(g)} is gate {@code g}'s
   * (or the shared one), null where no dropout applies.
   */
  private static final class Masks {
    private final int firstInput;
    private final int inputs;
    private final int firstState;
    private final int states;

    private Masks(int firstInput, int inputs, int firstState, int states) {
      this.firstInput = firstInput;
      this.inputs = inputs;
      this.firstState = firstState;
      this.states = states;
    }

    /**
     * Draws the masks into {@code weights} (after the cell's weights, so that loops pass them as
     * loop values): for the input, shape {@code [batch, step features...]}; for the state, shape
     * {@code [batch, stateShape...]}.
     */
    static Masks draw(
        Ops scope,
        Operand<TFloat32> sequence,
        long[] stateShape,
        int gates,
        Config c,
        List<Operand<TFloat32>> weights) {
      if (sequence == null || !(c.inputDropout() || c.stateDropout())) {
        return new Masks(0, 0, 0, 0);
      }
      Ops tf = scope.withSubScope("dropout_masks");
      int count = c.dropoutMaskPerGate ? gates : 1;
      Operand<org.tensorflow.types.TInt32> shape = tf.shape(sequence);
      Operand<org.tensorflow.types.TInt32> batch =
          tf.slice(shape, tf.constant(new int[] {0}), tf.constant(new int[] {1}));
      int firstInput = weights.size();
      long seed2 = 0;
      if (c.inputDropout()) {
        Operand<org.tensorflow.types.TInt32> stepShape =
            tf.concat(
                List.of(
                    batch,
                    tf.slice(shape, tf.constant(new int[] {2}), tf.constant(new int[] {-1}))),
                tf.constant(0));
        for (int g = 0; g < count; g++) {
          weights.add(mask(tf, stepShape, c.dropout, c.dropoutSeed, seed2++));
        }
      }
      int firstState = weights.size();
      if (c.stateDropout()) {
        int[] dims = new int[stateShape.length];
        for (int i = 0; i < dims.length; i++) {
          dims[i] = (int) stateShape[i];
        }
        Operand<org.tensorflow.types.TInt32> full =
            tf.concat(List.of(batch, tf.constant(dims)), tf.constant(0));
        for (int g = 0; g < count; g++) {
          weights.add(mask(tf, full, c.recurrentDropout, c.dropoutSeed, seed2++));
        }
      }
      return new Masks(
          firstInput, c.inputDropout() ? count : 0, firstState, c.stateDropout() ? count : 0);
    }

    /** ones dropped at {@code rate} and scaled by 1 / (1 - rate): Keras's K.dropout(ones). */
    private static Operand<TFloat32> mask(
        Ops tf, Operand<org.tensorflow.types.TInt32> shape, float rate, Long seed, long offset) {
      org.tensorflow.op.random.RandomUniform.Options[] options =
          seed == null
              ? new org.tensorflow.op.random.RandomUniform.Options[0]
              : new org.tensorflow.op.random.RandomUniform.Options[] {
                org.tensorflow.op.random.RandomUniform.seed(seed),
                org.tensorflow.op.random.RandomUniform.seed2(seed + offset)
              };
      Operand<TFloat32> u = tf.random.randomUniform(shape, TFloat32.class, options);
      Operand<TFloat32> keep =
          tf.dtypes.cast(tf.math.greaterEqual(u, tf.constant(rate)), TFloat32.class);
      return tf.math.mul(keep, tf.constant(1f / (1f - rate)));
    }

    boolean perGate() {
      return inputs > 1 || states > 1;
    }

    /** The input at gate {@code g}, masked. */
    Operand<TFloat32> input(Ops tf, Operand<TFloat32> x, List<Operand<TFloat32>> w, int g) {
      return inputs == 0 ? x : tf.math.mul(x, w.get(firstInput + Math.min(g, inputs - 1)));
    }

    /** The previous state at gate {@code g}, masked. */
    Operand<TFloat32> state(Ops tf, Operand<TFloat32> h, List<Operand<TFloat32>> w, int g) {
      return states == 0 ? h : tf.math.mul(h, w.get(firstState + Math.min(g, states - 1)));
    }
  }

  /** {@code SimpleRNNCell}: h = activation(x · kernel + bias + h_prev · recurrent_kernel). */
  public static RecurrentCell simpleRnn(Ops scope, long inputDim, Config c, Weights weights) {
    return simpleRnn(scope, inputDim, c, weights, null);
  }

  /**
   * Asks {@code weights} for {@code kernel [in, gates * units]} and {@code recurrent_kernel [units,
   * gates * units]}, in Keras's order.
   */
  @SuppressWarnings("unchecked")
  private static Operand<TFloat32>[] kernels(
      Ops scope, long inputDim, Config c, Weights weights, int gates) {
    long width = (long) gates * c.units;
    return new Operand[] {
      weights.get(scope, "kernel", Shape.of(inputDim, width), c.kernelInitializer, true),
      weights.get(scope, "recurrent_kernel", Shape.of(c.units, width), c.recurrentInitializer, true)
    };
  }

  /** The weights a cell's step reads: kernel, recurrent kernel and, when not null, bias. */
  private static List<Operand<TFloat32>> cellWeights(
      Operand<TFloat32> kernel, Operand<TFloat32> recurrent, Operand<TFloat32> bias) {
    List<Operand<TFloat32>> ws = new ArrayList<>(List.of(kernel, recurrent));
    if (bias != null) {
      ws.add(bias);
    }
    return ws;
  }

  /**
   * {@code SimpleRNNCell} called with {@code training=True} on {@code trainingInputs} (its {@code
   * dropout} and {@code recurrent_dropout} masks are drawn from that sequence's shape), or at
   * inference when it is null.
   */
  public static RecurrentCell simpleRnn(
      Ops scope, long inputDim, Config c, Weights weights, Operand<TFloat32> trainingInputs) {
    int u = c.units;
    Operand<TFloat32>[] kr = kernels(scope, inputDim, c, weights, 1);
    Operand<TFloat32> kernel = kr[0];
    Operand<TFloat32> recurrent = kr[1];
    Operand<TFloat32> bias =
        c.useBias ? weights.get(scope, "bias", Shape.of(u), c.biasInitializer, true) : null;
    List<Operand<TFloat32>> ws = cellWeights(kernel, recurrent, bias);
    boolean hasBias = bias != null;
    Masks masks = Masks.draw(scope, trainingInputs, new long[] {u}, 1, c, ws);
    Activation act = c.activation;
    return new Cell(List.of(new long[] {u}), new long[] {u}, ws) {
      @Override
      public Step step(
          Ops tf, Operand<TFloat32> x, List<Operand<TFloat32>> states, List<Operand<TFloat32>> w) {
        Operand<TFloat32> h = tf.linalg.matMul(masks.input(tf, x, w, 0), w.get(0));
        if (hasBias) {
          h = tf.nn.biasAdd(h, w.get(2));
        }
        Operand<TFloat32> prev = masks.state(tf, states.get(0), w, 0);
        Operand<TFloat32> out = act.apply(tf, tf.math.add(h, tf.linalg.matMul(prev, w.get(1))));
        return new Step(out, List.of(out));
      }
    };
  }

  /** {@code LSTMCell} (states h, c): Keras's implementation 2, one product per input. */
  public static RecurrentCell lstm(Ops scope, long inputDim, Config c, Weights weights) {
    return lstm(scope, inputDim, c, weights, null);
  }

  /**
   * {@code LSTMCell} called with {@code training=True} on {@code trainingInputs} (null: at
   * inference). With one dropout mask per gate (tf.keras 2's implementation 1) each gate's products
   * are computed on its own masked input and state, as Keras's implementation 1 does.
   */
  public static RecurrentCell lstm(
      Ops scope, long inputDim, Config c, Weights weights, Operand<TFloat32> trainingInputs) {
    int u = c.units;
    Operand<TFloat32>[] kr = kernels(scope, inputDim, c, weights, 4);
    Operand<TFloat32> kernel = kr[0];
    Operand<TFloat32> recurrent = kr[1];
    Operand<TFloat32> bias =
        c.useBias
            ? weights.get(
                scope,
                "bias",
                Shape.of(4L * u),
                c.unitForgetBias ? forgetBiasInitializer(c.biasInitializer, u) : c.biasInitializer,
                true)
            : null;
    return lstmCell(scope, u, kernel, recurrent, bias, c, trainingInputs);
  }

  /**
   * An LSTM cell over given (possibly derived) weights: kernel {@code [in, 4u]}, recurrent kernel
   * {@code [u, 4u]}, bias {@code [4u]} or null, gates i, f, c, o.
   */
  static RecurrentCell lstmCell(
      Ops scope,
      int u,
      Operand<TFloat32> kernel,
      Operand<TFloat32> recurrent,
      Operand<TFloat32> bias,
      Config c,
      Operand<TFloat32> trainingInputs) {
    List<Operand<TFloat32>> ws = cellWeights(kernel, recurrent, bias);
    boolean hasBias = bias != null;
    Masks masks = Masks.draw(scope, trainingInputs, new long[] {u}, 4, c, ws);
    Activation act = c.activation;
    Activation rec = c.recurrentActivation;
    return new Cell(List.of(new long[] {u}, new long[] {u}), new long[] {u}, ws) {
      @Override
      public Step step(
          Ops tf, Operand<TFloat32> x, List<Operand<TFloat32>> states, List<Operand<TFloat32>> w) {
        Operand<TFloat32> z;
        if (masks.perGate()) {
          List<Output<TFloat32>> k = tf.split(tf.constant(1), w.get(0), 4L).output();
          List<Output<TFloat32>> r = tf.split(tf.constant(1), w.get(1), 4L).output();
          List<Output<TFloat32>> b =
              hasBias ? tf.split(tf.constant(0), w.get(2), 4L).output() : null;
          List<Operand<TFloat32>> gates = new ArrayList<>();
          for (int g = 0; g < 4; g++) {
            Operand<TFloat32> xg = tf.linalg.matMul(masks.input(tf, x, w, g), k.get(g));
            if (b != null) {
              xg = tf.nn.biasAdd(xg, b.get(g));
            }
            gates.add(
                tf.math.add(xg, tf.linalg.matMul(masks.state(tf, states.get(0), w, g), r.get(g))));
          }
          z = tf.concat(gates, tf.constant(1));
        } else {
          z = tf.linalg.matMul(masks.input(tf, x, w, 0), w.get(0));
          z = tf.math.add(z, tf.linalg.matMul(masks.state(tf, states.get(0), w, 0), w.get(1)));
          if (hasBias) {
            z = tf.nn.biasAdd(z, w.get(2));
          }
        }
        return lstmGates(tf, z, states.get(1), act, rec);
      }
    };
  }

  /** {@code GRUCell}; bias {@code [2, 3 * units]} with reset_after, {@code [3 * units]} without. */
  public static RecurrentCell gru(Ops scope, long inputDim, Config c, Weights weights) {
    return gru(scope, inputDim, c, weights, null);
  }

  /**
   * {@code GRUCell} called with {@code training=True} on {@code trainingInputs} (null: inference).
   */
  public static RecurrentCell gru(
      Ops scope, long inputDim, Config c, Weights weights, Operand<TFloat32> trainingInputs) {
    int u = c.units;
    Operand<TFloat32>[] kr = kernels(scope, inputDim, c, weights, 3);
    Operand<TFloat32> kernel = kr[0];
    Operand<TFloat32> recurrent = kr[1];
    Operand<TFloat32> bias =
        c.useBias
            ? weights.get(
                scope,
                "bias",
                c.resetAfter ? Shape.of(2, 3L * u) : Shape.of(3L * u),
                c.biasInitializer,
                true)
            : null;
    return gruCell(scope, u, kernel, recurrent, bias, c, trainingInputs);
  }

  /** A GRU cell over given (possibly derived) weights, gates z, r, h. */
  static RecurrentCell gruCell(
      Ops scope,
      int u,
      Operand<TFloat32> kernel,
      Operand<TFloat32> recurrent,
      Operand<TFloat32> bias,
      Config c,
      Operand<TFloat32> trainingInputs) {
    List<Operand<TFloat32>> ws = cellWeights(kernel, recurrent, bias);
    boolean hasBias = bias != null;
    Masks masks = Masks.draw(scope, trainingInputs, new long[] {u}, 3, c, ws);
    Activation act = c.activation;
    Activation rec = c.recurrentActivation;
    boolean resetAfter = c.resetAfter;
    return new Cell(List.of(new long[] {u}), new long[] {u}, ws) {
      @Override
      public Step step(
          Ops tf, Operand<TFloat32> x, List<Operand<TFloat32>> states, List<Operand<TFloat32>> w) {
        Operand<TFloat32> h = states.get(0);
        Operand<TFloat32> inputBias = null;
        Operand<TFloat32> recurrentBias = null;
        if (hasBias) {
          if (resetAfter) {
            List<Output<TFloat32>> rows = tf.unstack(w.get(2), 2L).output();
            inputBias = rows.get(0);
            recurrentBias = rows.get(1);
          } else {
            inputBias = w.get(2);
          }
        }
        if (masks.perGate()) {
          return perGate(tf, x, h, w, inputBias, recurrentBias);
        }
        Operand<TFloat32> matrixX = tf.linalg.matMul(masks.input(tf, x, w, 0), w.get(0));
        if (inputBias != null) {
          matrixX = tf.nn.biasAdd(matrixX, inputBias);
        }
        List<Output<TFloat32>> xs = tf.split(tf.constant(-1), matrixX, 3L).output();
        Operand<TFloat32> hIn = masks.state(tf, h, w, 0);
        Operand<TFloat32> recurrentKernel = w.get(1);
        Operand<TFloat32> recZ;
        Operand<TFloat32> recR;
        Operand<TFloat32> recH;
        if (resetAfter) {
          Operand<TFloat32> inner = tf.linalg.matMul(hIn, recurrentKernel);
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
          Operand<TFloat32> inner = tf.linalg.matMul(hIn, ks.get(0));
          List<Output<TFloat32>> rs = tf.split(tf.constant(-1), inner, 2L).output();
          recZ = rs.get(0);
          recR = rs.get(1);
          recH = ks.get(1);
        }
        Operand<TFloat32> z = rec.apply(tf, tf.math.add(xs.get(0), recZ));
        Operand<TFloat32> r = rec.apply(tf, tf.math.add(xs.get(1), recR));
        Operand<TFloat32> rh =
            resetAfter ? tf.math.mul(r, recH) : tf.linalg.matMul(tf.math.mul(r, hIn), recH);
        Operand<TFloat32> hh = act.apply(tf, tf.math.add(xs.get(2), rh));
        return blend(tf, z, h, hh);
      }

      /** tf.keras 2's implementation 1: each gate's products on its own masked input and state. */
      private Step perGate(
          Ops tf,
          Operand<TFloat32> x,
          Operand<TFloat32> h,
          List<Operand<TFloat32>> w,
          Operand<TFloat32> inputBias,
          Operand<TFloat32> recurrentBias) {
        List<Output<TFloat32>> k = tf.split(tf.constant(1), w.get(0), 3L).output();
        List<Output<TFloat32>> rk = tf.split(tf.constant(1), w.get(1), 3L).output();
        List<Output<TFloat32>> ib =
            inputBias == null ? null : tf.split(tf.constant(0), inputBias, 3L).output();
        List<Output<TFloat32>> rb =
            recurrentBias == null ? null : tf.split(tf.constant(0), recurrentBias, 3L).output();
        Operand<TFloat32>[] xg = gates3();
        Operand<TFloat32>[] hg = gates3();
        for (int g = 0; g < 3; g++) {
          xg[g] = tf.linalg.matMul(masks.input(tf, x, w, g), k.get(g));
          if (ib != null) {
            xg[g] = tf.nn.biasAdd(xg[g], ib.get(g));
          }
          hg[g] = masks.state(tf, h, w, g);
        }
        Operand<TFloat32> recZ = tf.linalg.matMul(hg[0], rk.get(0));
        Operand<TFloat32> recR = tf.linalg.matMul(hg[1], rk.get(1));
        if (resetAfter && rb != null) {
          recZ = tf.nn.biasAdd(recZ, rb.get(0));
          recR = tf.nn.biasAdd(recR, rb.get(1));
        }
        Operand<TFloat32> z = rec.apply(tf, tf.math.add(xg[0], recZ));
        Operand<TFloat32> r = rec.apply(tf, tf.math.add(xg[1], recR));
        Operand<TFloat32> recH;
        if (resetAfter) {
          recH = tf.linalg.matMul(hg[2], rk.get(2));
          if (rb != null) {
            recH = tf.nn.biasAdd(recH, rb.get(2));
          }
          recH = tf.math.mul(r, recH);
        } else {
          recH = tf.linalg.matMul(tf.math.mul(r, hg[2]), rk.get(2));
        }
        return blend(tf, z, h, act.apply(tf, tf.math.add(xg[2], recH)));
      }
    };
  }

  /**
   * Keras 2's {@code CuDNNLSTM} (tf.keras 1.x {@code tf.keras.layers.CuDNNLSTM}) as an LSTM with
   * sigmoid and tanh. Its weights are kept as Keras stores them: kernel {@code [in, 4u]}, recurrent
   * kernel {@code [u, 4u]}, bias {@code [8u]} (input biases i, f, c, o, then recurrent biases). The
   * layer hands each gate's slice to cuDNN as a flat buffer that cuDNN reads as a row-major {@code
   * [u, in]} matrix W with {@code W x} (its {@code _canonical_to_params} does not transpose), so
   * the plain kernel of gate g is {@code reshape(kernel[:, g], [u, in])^T} and its recurrent kernel
   * {@code recurrent_kernel[:, g]^T}; the two biases add up. This is the transform of Keras's own
   * converter ({@code _convert_rnn_weights}).
   */
  public static RecurrentCell cudnnLstm(
      Ops scope, long inputDim, Config c, Weights weights, Operand<TFloat32> trainingInputs) {
    int u = c.units;
    Operand<TFloat32>[] kr = kernels(scope, inputDim, c, weights, 4);
    Operand<TFloat32> kernel = kr[0];
    Operand<TFloat32> recurrent = kr[1];
    Initializer base = c.biasInitializer;
    Initializer biasInit =
        !c.unitForgetBias
            ? base
            : (tf, shape) ->
                tf.concat(
                    List.of(
                        base.create(tf, Shape.of(5L * u)),
                        Initializers.ones().create(tf, Shape.of(u)),
                        base.create(tf, Shape.of(2L * u))),
                    tf.constant(0));
    Operand<TFloat32> bias = weights.get(scope, "bias", Shape.of(8L * u), biasInit, true);
    Ops tf = scope.withSubScope("cudnn_to_canonical");
    List<Output<TFloat32>> halves = tf.split(tf.constant(0), bias, 2L).output();
    return lstmCell(
        scope,
        u,
        cudnnKernel(tf, kernel, inputDim, u, 4),
        cudnnRecurrent(tf, recurrent, 4),
        tf.math.add(halves.get(0), halves.get(1)),
        c,
        trainingInputs);
  }

  /**
   * Keras 2's {@code CuDNNGRU} as a GRU with reset_after, sigmoid and tanh: h~ = tanh(W_h x + b_Wh
   * + r * (R_h h + b_Rh)). Weights as Keras stores them (gates z, r, h; bias {@code [6u]}, input
   * biases then recurrent biases), read as {@link #cudnnLstm} describes.
   */
  public static RecurrentCell cudnnGru(
      Ops scope, long inputDim, Config c, Weights weights, Operand<TFloat32> trainingInputs) {
    int u = c.units;
    Operand<TFloat32>[] kr = kernels(scope, inputDim, c, weights, 3);
    Operand<TFloat32> kernel = kr[0];
    Operand<TFloat32> recurrent = kr[1];
    Operand<TFloat32> bias = weights.get(scope, "bias", Shape.of(6L * u), c.biasInitializer, true);
    Ops tf = scope.withSubScope("cudnn_to_canonical");
    return gruCell(
        scope,
        u,
        cudnnKernel(tf, kernel, inputDim, u, 3),
        cudnnRecurrent(tf, recurrent, 3),
        tf.reshape(bias, tf.constant(new long[] {2, 3L * u})),
        c,
        trainingInputs);
  }

  /** Per gate: the {@code [in, u]} slice's buffer read as {@code [u, in]}, transposed. */
  private static Operand<TFloat32> cudnnKernel(
      Ops tf, Operand<TFloat32> kernel, long in, int u, int gates) {
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (Output<TFloat32> g : tf.split(tf.constant(1), kernel, (long) gates).output()) {
      Operand<TFloat32> w = tf.reshape(g, tf.constant(new long[] {u, in}));
      out.add(tf.linalg.transpose(w, tf.constant(new int[] {1, 0})));
    }
    return tf.concat(out, tf.constant(1));
  }

  /** Per gate: the {@code [u, u]} slice transposed. */
  private static Operand<TFloat32> cudnnRecurrent(Ops tf, Operand<TFloat32> recurrent, int gates) {
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (Output<TFloat32> g : tf.split(tf.constant(1), recurrent, (long) gates).output()) {
      out.add(tf.linalg.transpose(g, tf.constant(new int[] {1, 0})));
    }
    return tf.concat(out, tf.constant(1));
  }

  @SuppressWarnings("unchecked")
  private static Operand<TFloat32>[] gates3() {
    return (Operand<TFloat32>[]) new Operand<?>[3];
  }

  /** h = z * h_prev + (1 - z) * hh. */
  private static RecurrentCell.Step blend(
      Ops tf, Operand<TFloat32> z, Operand<TFloat32> h, Operand<TFloat32> hh) {
    Operand<TFloat32> out =
        tf.math.add(tf.math.mul(z, h), tf.math.mul(tf.math.sub(tf.constant(1f), z), hh));
    return new RecurrentCell.Step(out, List.of(out));
  }

  /**
   * Keras's {@code StackedRNNCells}: the cells one above the other at every step (each one's output
   * is the next one's input); the states are the cells' states in order, and the output is the last
   * cell's.
   */
  public static RecurrentCell stacked(List<RecurrentCell> cells) {
    if (cells.isEmpty()) {
      throw new IllegalArgumentException("StackedRNNCells needs at least one cell.");
    }
    List<RecurrentCell> all = List.copyOf(cells);
    List<long[]> stateShapes = new ArrayList<>();
    List<Operand<TFloat32>> ws = new ArrayList<>();
    for (RecurrentCell cell : all) {
      stateShapes.addAll(cell.stateShapes());
      ws.addAll(cell.weights());
    }
    return new Cell(stateShapes, all.get(all.size() - 1).outputShape(), ws) {
      @Override
      public Step step(
          Ops tf, Operand<TFloat32> x, List<Operand<TFloat32>> states, List<Operand<TFloat32>> w) {
        Operand<TFloat32> in = x;
        List<Operand<TFloat32>> next = new ArrayList<>();
        int s = 0;
        int k = 0;
        for (RecurrentCell cell : all) {
          int ns = cell.stateShapes().size();
          int nw = cell.weights().size();
          Step step = cell.step(tf, in, states.subList(s, s + ns), w.subList(k, k + nw));
          next.addAll(step.states());
          in = step.output();
          s += ns;
          k += nw;
        }
        return new Step(in, next);
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
    return convLstm(scope, inputShape, kernelSize, strides, padding, dilation, c, weights, null);
  }

  /**
   * The cell of {@code ConvLSTM1D}, {@code ConvLSTM2D} or {@code ConvLSTM3D} (by the length of
   * {@code kernelSize}) over channels-last steps, called with {@code training=True} on {@code
   * trainingInputs} (null: inference; tf.keras 2 draws one dropout mask per gate).
   *
   * @param inputShape the per-step input shape {@code [spatial..., channels]} (known)
   */
  public static RecurrentCell convLstm(
      Ops scope,
      long[] inputShape,
      int[] kernelSize,
      int[] strides,
      String padding,
      int[] dilation,
      Config c,
      Weights weights,
      Operand<TFloat32> trainingInputs) {
    int rank = kernelSize.length;
    if (rank < 1 || rank > 3 || inputShape.length != rank + 1) {
      throw new IllegalArgumentException(
          "A ConvLSTM cell needs 1 to 3 spatial axes and a step"
              + " input of one more axis; found kernel size "
              + java.util.Arrays.toString(kernelSize)
              + " and step shape "
              + java.util.Arrays.toString(inputShape)
              + ".");
    }
    int f = c.units;
    long[] kernelShape = new long[rank + 2];
    long[] recurrentShape = new long[rank + 2];
    for (int i = 0; i < rank; i++) {
      kernelShape[i] = kernelSize[i];
      recurrentShape[i] = kernelSize[i];
    }
    kernelShape[rank] = inputShape[rank];
    kernelShape[rank + 1] = 4L * f;
    recurrentShape[rank] = f;
    recurrentShape[rank + 1] = 4L * f;
    Operand<TFloat32> kernel =
        weights.get(scope, "kernel", Shape.of(kernelShape), c.kernelInitializer, true);
    Operand<TFloat32> recurrent =
        weights.get(
            scope, "recurrent_kernel", Shape.of(recurrentShape), c.recurrentInitializer, true);
    Operand<TFloat32> bias =
        c.useBias
            ? weights.get(
                scope,
                "bias",
                Shape.of(4L * f),
                c.unitForgetBias ? forgetBiasInitializer(c.biasInitializer, f) : c.biasInitializer,
                true)
            : null;
    long[] state = new long[rank + 1];
    for (int i = 0; i < rank; i++) {
      state[i] = convOutputLength(inputShape[i], kernelSize[i], padding, strides[i], dilation[i]);
    }
    state[rank] = f;
    List<Operand<TFloat32>> ws = cellWeights(kernel, recurrent, bias);
    boolean hasBias = bias != null;
    Masks masks = Masks.draw(scope, trainingInputs, state, 4, c, ws);
    int[] ones = new int[rank];
    java.util.Arrays.fill(ones, 1);
    Activation act = c.activation;
    Activation rec = c.recurrentActivation;
    return new Cell(List.of(state, state), state, ws) {
      @Override
      public Step step(
          Ops tf, Operand<TFloat32> x, List<Operand<TFloat32>> states, List<Operand<TFloat32>> w) {
        List<Output<TFloat32>> k = tf.split(tf.constant(rank + 1), w.get(0), 4L).output();
        List<Output<TFloat32>> rk = tf.split(tf.constant(rank + 1), w.get(1), 4L).output();
        List<Output<TFloat32>> b = hasBias ? tf.split(tf.constant(0), w.get(2), 4L).output() : null;
        List<Operand<TFloat32>> gates = new ArrayList<>();
        for (int g = 0; g < 4; g++) {
          Operand<TFloat32> xg =
              Convolution.convolve(
                  tf, masks.input(tf, x, w, g), k.get(g), strides, padding, dilation);
          if (b != null) {
            xg = tf.nn.biasAdd(xg, b.get(g));
          }
          Operand<TFloat32> hg =
              Convolution.convolve(
                  tf, masks.state(tf, states.get(0), w, g), rk.get(g), ones, "same", ones);
          gates.add(tf.math.add(xg, hg));
        }
        Operand<TFloat32> i = rec.apply(tf, gates.get(0));
        Operand<TFloat32> fg = rec.apply(tf, gates.get(1));
        Operand<TFloat32> cNew =
            tf.math.add(
                tf.math.mul(fg, states.get(1)), tf.math.mul(i, act.apply(tf, gates.get(2))));
        Operand<TFloat32> o = rec.apply(tf, gates.get(3));
        Operand<TFloat32> h = tf.math.mul(o, act.apply(tf, cNew));
        return new Step(h, List.of(h, cNew));
      }
    };
  }

  /** Keras's conv_utils.conv_output_length. */
  public static long convOutputLength(
      long input, int kernel, String padding, int stride, int dilation) {
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

  private static RecurrentCell.Step lstmGates(
      Ops tf, Operand<TFloat32> z, Operand<TFloat32> cPrev, Activation act, Activation rec) {
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
