package io.estimator4j.estimator.layers;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gather;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Runs a {@link RecurrentCell} over the time axis of {@code [batch, time, features...]}; Java
 * counterpart of tf.keras.layers.RNN (the loop of SimpleRNN, LSTM, GRU and ConvLSTM2D, as
 * tf.keras.backend.rnn runs it) and of tf.keras.layers.Bidirectional.
 *
 * <p>With a known number of time steps the loop is unrolled into the graph, so gradients work
 * (TensorFlow's C API while loops have none in tensorflow-java). With an unknown number it is a
 * graph while loop, for inference. A mask ({@code [batch, time]}, true = use the step) keeps the
 * previous states at masked steps and emits the previous output (or zeros with {@code
 * zeroOutputForMask}), as Keras does.
 */
public final class Recurrent {
  private final boolean returnSequences;
  private final boolean goBackwards;
  private final boolean zeroOutputForMask;

  private Recurrent(boolean returnSequences, boolean goBackwards, boolean zeroOutputForMask) {
    this.returnSequences = returnSequences;
    this.goBackwards = goBackwards;
    this.zeroOutputForMask = zeroOutputForMask;
  }

  /**
   * A loop configuration.
   *
   * @param returnSequences return every step's output ({@code [batch, time, ...]}) instead of the
   *     last one
   * @param goBackwards process the time steps from last to first (outputs stay in processing order,
   *     as in Keras)
   * @param zeroOutputForMask emit zeros instead of the previous output at masked steps
   */
  public static Recurrent of(
      boolean returnSequences, boolean goBackwards, boolean zeroOutputForMask) {
    return new Recurrent(returnSequences, goBackwards, zeroOutputForMask);
  }

  /** The output (last step's, or the sequence) and the final states. */
  public record Result(Operand<TFloat32> output, List<Operand<TFloat32>> states) {}

  /**
   * Runs {@code cell} over {@code inputs}.
   *
   * @param mask {@code [batch, time]} booleans, or null
   * @param initialStates the states before the first step, or null for zeros
   */
  public Result run(
      Ops tf,
      RecurrentCell cell,
      Operand<TFloat32> inputs,
      Operand<TBool> mask,
      List<Operand<TFloat32>> initialStates) {
    Objects.requireNonNull(cell, "cell");
    int rank = Tensors.rank(inputs, "A recurrent layer");
    if (rank < 3) {
      throw new IllegalArgumentException(
          "Recurrent layers expect [batch, time, features...]; found shape "
              + inputs.shape()
              + ".");
    }
    List<Operand<TFloat32>> init =
        initialStates != null ? initialStates : zeroStates(tf, inputs, cell.stateShapes());
    long steps = inputs.shape().get(1);
    return steps >= 0
        ? unrolled(tf, cell, inputs, mask, init, (int) steps)
        : looped(tf, cell, inputs, mask, init);
  }

  private Result unrolled(
      Ops tf,
      RecurrentCell cell,
      Operand<TFloat32> inputs,
      Operand<TBool> mask,
      List<Operand<TFloat32>> states,
      int steps) {
    if (steps == 0) {
      throw new IllegalArgumentException("A recurrent layer needs at least one time step.");
    }
    List<Output<TFloat32>> xs = tf.unstack(inputs, (long) steps, Unstack1.AXIS).output();
    List<Output<TBool>> ms =
        mask == null ? null : tf.unstack(mask, (long) steps, Unstack1.AXIS).output();
    List<Operand<TFloat32>> outputs = new ArrayList<>();
    List<Operand<TFloat32>> current = states;
    Operand<TFloat32> previous = null;
    for (int i = 0; i < steps; i++) {
      int t = goBackwards ? steps - 1 - i : i;
      RecurrentCell.Step step = cell.step(tf, xs.get(t), current, cell.weights());
      Operand<TFloat32> out = step.output();
      List<Operand<TFloat32>> next = step.states();
      if (ms != null) {
        Operand<TBool> m = expandMask(tf, ms.get(t), out.shape().numDimensions());
        Operand<TFloat32> fallback =
            zeroOutputForMask || previous == null ? tf.zerosLike(out) : previous;
        out = tf.select(m, out, fallback);
        List<Operand<TFloat32>> kept = new ArrayList<>();
        for (int s = 0; s < next.size(); s++) {
          kept.add(tf.select(m, next.get(s), current.get(s)));
        }
        next = kept;
      }
      outputs.add(out);
      previous = out;
      current = next;
    }
    Operand<TFloat32> output =
        returnSequences ? tf.stack(outputs, org.tensorflow.op.core.Stack.axis(1L)) : previous;
    return new Result(output, current);
  }

  /**
   * A graph while loop over an unknown number of steps. Loop values: step, inputs, mask (as float),
   * the outputs so far, the last output, the states, then the cell's weights (a loop body cannot
   * read tensors of the outer graph).
   */
  @SuppressWarnings("unchecked")
  private Result looped(
      Ops tf,
      RecurrentCell cell,
      Operand<TFloat32> inputs,
      Operand<TBool> mask,
      List<Operand<TFloat32>> states) {
    long[] outShape = cell.outputShape();
    Operand<TInt32> batchAndTime =
        tf.slice(tf.shape(inputs), tf.constant(new int[] {0}), tf.constant(new int[] {2}));
    Operand<TInt32> accShape =
        tf.concat(List.of(batchAndTime, tf.constant(ints(outShape))), tf.constant(0));
    Operand<TFloat32> acc = tf.fill(accShape, tf.constant(0f));
    Operand<TInt32> batch =
        tf.slice(tf.shape(inputs), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    Operand<TFloat32> last =
        tf.fill(
            tf.concat(List.of(batch, tf.constant(ints(outShape))), tf.constant(0)),
            tf.constant(0f));
    Operand<TFloat32> maskF =
        mask == null
            ? tf.fill(batchAndTime, tf.constant(1f))
            : tf.dtypes.cast(mask, TFloat32.class);
    List<Operand<TFloat32>> weights = cell.weights();
    int nStates = states.size();
    List<Output<?>> loopInputs = new ArrayList<>();
    loopInputs.add(tf.constant(0).asOutput());
    loopInputs.add(inputs.asOutput());
    loopInputs.add(maskF.asOutput());
    loopInputs.add(acc.asOutput());
    loopInputs.add(last.asOutput());
    for (Operand<TFloat32> s : states) {
      loopInputs.add(s.asOutput());
    }
    for (Operand<TFloat32> w : weights) {
      loopInputs.add(w.asOutput());
    }
    boolean masked = mask != null;
    Graph graph = (Graph) tf.scope().env();
    Output<?>[] results =
        graph.whileLoop(
            loopInputs.toArray(new Output<?>[0]),
            (g, in, out) -> {
              Ops c = Ops.create(g);
              Operand<TInt32> time =
                  c.gather(c.shape((Operand<TFloat32>) in[1]), c.constant(1), c.constant(0));
              out[0] = c.math.less((Operand<TInt32>) in[0], time).asOutput();
            },
            (g, in, out) -> {
              Ops b = Ops.create(g);
              Operand<TInt32> i = (Operand<TInt32>) in[0];
              Operand<TFloat32> seq = (Operand<TFloat32>) in[1];
              Operand<TInt32> time = b.gather(b.shape(seq), b.constant(1), b.constant(0));
              Operand<TInt32> t = goBackwards ? b.math.sub(b.math.sub(time, b.constant(1)), i) : i;
              Operand<TFloat32> x = b.gather(seq, t, b.constant(1), new Gather.Options[0]);
              List<Operand<TFloat32>> current = new ArrayList<>();
              for (int s = 0; s < nStates; s++) {
                current.add((Operand<TFloat32>) in[5 + s]);
              }
              List<Operand<TFloat32>> w = new ArrayList<>();
              for (int k = 0; k < weights.size(); k++) {
                Operand<TFloat32> wk = (Operand<TFloat32>) in[5 + nStates + k];
                w.add(b.ensureShape(wk, weights.get(k).shape()));
              }
              RecurrentCell.Step step = cell.step(b, x, current, w);
              Operand<TFloat32> o = step.output();
              List<Operand<TFloat32>> next = step.states();
              Operand<TFloat32> previous = (Operand<TFloat32>) in[4];
              if (masked) {
                Operand<TBool> m =
                    expandMask(
                        b,
                        b.dtypes.cast(
                            b.gather(
                                (Operand<TFloat32>) in[2], t, b.constant(1), new Gather.Options[0]),
                            TBool.class),
                        outShape.length + 1);
                o = b.select(m, o, zeroOutputForMask ? b.zerosLike(o) : previous);
                List<Operand<TFloat32>> kept = new ArrayList<>();
                for (int s = 0; s < nStates; s++) {
                  kept.add(b.select(m, next.get(s), current.get(s)));
                }
                next = kept;
              }
              // acc += one_hot(i) (x) o: writes step i's output without a TensorArray
              Operand<TFloat32> hot = b.oneHot(i, time, b.constant(1f), b.constant(0f));
              long[] hotShape = new long[outShape.length + 2];
              java.util.Arrays.fill(hotShape, 1);
              hotShape[1] = -1;
              Operand<TFloat32> write =
                  b.math.mul(b.reshape(hot, b.constant(hotShape)), b.expandDims(o, b.constant(1)));
              out[0] = b.math.add(i, b.constant(1)).asOutput();
              out[1] = in[1];
              out[2] = in[2];
              out[3] = b.math.add((Operand<TFloat32>) in[3], write).asOutput();
              out[4] = o.asOutput();
              for (int s = 0; s < nStates; s++) {
                out[5 + s] = next.get(s).asOutput();
              }
              for (int k = 0; k < weights.size(); k++) {
                out[5 + nStates + k] = in[5 + nStates + k];
              }
            },
            tf.scope().makeOpName("rnn"));
    long batchDim = inputs.shape().get(0);
    Operand<TFloat32> output;
    if (returnSequences) {
      output = tf.ensureShape((Operand<TFloat32>) results[3], withLeading(outShape, batchDim, -1));
    } else {
      output = tf.ensureShape((Operand<TFloat32>) results[4], withLeading(outShape, batchDim));
    }
    List<Operand<TFloat32>> finalStates = new ArrayList<>();
    for (int s = 0; s < nStates; s++) {
      finalStates.add(
          tf.ensureShape(
              (Operand<TFloat32>) results[5 + s],
              withLeading(cell.stateShapes().get(s), batchDim)));
    }
    return new Result(output, finalStates);
  }

  /**
   * Keras's Bidirectional: the forward run, and the backward run (over reversed time) whose
   * sequence output is reversed back, merged by {@code mergeMode} ({@code concat}, {@code sum},
   * {@code ave}, {@code mul}) or returned separately ({@code null}).
   *
   * @return the merged output (or forward then backward with mergeMode null), then the forward
   *     states, then the backward states
   */
  public static List<Operand<TFloat32>> bidirectional(
      Ops tf,
      RecurrentCell forwardCell,
      Recurrent forward,
      RecurrentCell backwardCell,
      Recurrent backward,
      Operand<TFloat32> inputs,
      Operand<TBool> mask,
      String mergeMode) {
    return bidirectional(
        tf, forwardCell, forward, backwardCell, backward, inputs, mask, mergeMode, null, null);
  }

  /**
   * {@link #bidirectional(Ops, RecurrentCell, Recurrent, RecurrentCell, Recurrent, Operand,
   * Operand, String)} from given initial states (Keras's Bidirectional gives the first half of its
   * {@code initial_state} to the forward layer, the second half to the backward one).
   *
   * @param forwardInitial the forward run's initial states, or null for zeros
   * @param backwardInitial the backward run's initial states, or null for zeros
   */
  public static List<Operand<TFloat32>> bidirectional(
      Ops tf,
      RecurrentCell forwardCell,
      Recurrent forward,
      RecurrentCell backwardCell,
      Recurrent backward,
      Operand<TFloat32> inputs,
      Operand<TBool> mask,
      String mergeMode,
      List<Operand<TFloat32>> forwardInitial,
      List<Operand<TFloat32>> backwardInitial) {
    Result f = forward.run(tf.withSubScope("forward"), forwardCell, inputs, mask, forwardInitial);
    Result b =
        backward.run(tf.withSubScope("backward"), backwardCell, inputs, mask, backwardInitial);
    Operand<TFloat32> y = f.output();
    Operand<TFloat32> yRev = b.output();
    if (backward.returnSequences) {
      yRev = tf.reverse(yRev, tf.constant(new int[] {1}));
    }
    List<Operand<TFloat32>> out = new ArrayList<>();
    if (mergeMode == null) {
      out.add(y);
      out.add(yRev);
    } else {
      out.add(
          switch (mergeMode) {
            case "concat" -> tf.concat(List.of(y, yRev), tf.constant(-1));
            case "sum" -> tf.math.add(y, yRev);
            case "ave" -> tf.math.mul(tf.math.add(y, yRev), tf.constant(0.5f));
            case "mul" -> tf.math.mul(y, yRev);
            default ->
                throw new IllegalArgumentException(
                    "Unknown merge_mode '"
                        + mergeMode
                        + "'. Expected concat, sum, ave, mul or null.");
          });
    }
    out.addAll(f.states());
    out.addAll(b.states());
    return out;
  }

  /** Whether the output holds every step. */
  public boolean returnSequences() {
    return returnSequences;
  }

  /** [batch] to [batch, 1, ...] of the given rank, so that Select broadcasts it. */
  private static Operand<TBool> expandMask(Ops tf, Operand<TBool> m, int rank) {
    if (rank <= 1) {
      return m;
    }
    long[] shape = new long[rank];
    java.util.Arrays.fill(shape, 1);
    shape[0] = -1;
    return tf.reshape(m, tf.constant(shape));
  }

  private static List<Operand<TFloat32>> zeroStates(
      Ops tf, Operand<TFloat32> inputs, List<long[]> shapes) {
    Operand<TInt32> batch =
        tf.slice(tf.shape(inputs), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    List<Operand<TFloat32>> out = new ArrayList<>();
    for (long[] s : shapes) {
      Operand<TFloat32> z =
          tf.fill(tf.concat(List.of(batch, tf.constant(ints(s))), tf.constant(0)), tf.constant(0f));
      out.add(tf.ensureShape(z, withLeading(s, inputs.shape().get(0))));
    }
    return out;
  }

  private static Shape withLeading(long[] dims, long... leading) {
    long[] all = new long[dims.length + leading.length];
    System.arraycopy(leading, 0, all, 0, leading.length);
    System.arraycopy(dims, 0, all, leading.length, dims.length);
    return Shape.of(all);
  }

  private static int[] ints(long[] dims) {
    int[] out = new int[dims.length];
    for (int i = 0; i < dims.length; i++) {
      out[i] = (int) dims[i];
    }
    return out;
  }

  private static final class Unstack1 {
    static final org.tensorflow.op.core.Unstack.Options AXIS =
        org.tensorflow.op.core.Unstack.axis(1L);
  }
}
