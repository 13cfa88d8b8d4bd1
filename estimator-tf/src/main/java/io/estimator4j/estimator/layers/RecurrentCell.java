package io.estimator4j.estimator.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * One time step of a recurrent layer; Java counterpart of tf.keras.layers.SimpleRNNCell, LSTMCell,
 * GRUCell and ConvLSTM2DCell. Ready-made cells come from {@link RecurrentCells}; {@link Recurrent}
 * runs a cell over a sequence.
 *
 * <p>{@link #step} receives the cell's weights as arguments instead of capturing them, so that a
 * loop body (built in its own sub-graph) can pass them in as loop values.
 */
public interface RecurrentCell {
  /** The per-sample shape of each state (without the batch), e.g. {@code [[units], [units]]}. */
  List<long[]> stateShapes();

  /** The per-sample shape of the output of one step. */
  long[] outputShape();

  /**
   * The tensors {@link #step} needs besides the input and the states, in the order it expects them:
   * the weights, then (in training) the dropout masks drawn once for the sequence. A while loop
   * passes them to its body as loop values.
   */
  List<Operand<TFloat32>> weights();

  /**
   * Computes one step.
   *
   * @param tf where to build the ops (the caller's graph or a loop body)
   * @param input the input at this step, {@code [batch, features...]}
   * @param states the states after the previous step
   * @param weights the values of {@link #weights()}, in that order
   */
  Step step(
      Ops tf,
      Operand<TFloat32> input,
      List<Operand<TFloat32>> states,
      List<Operand<TFloat32>> weights);

  /** The output of one step and the new states. */
  record Step(Operand<TFloat32> output, List<Operand<TFloat32>> states) {}
}
