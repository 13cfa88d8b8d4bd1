package io.estimator4j.estimator.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.graph.Initializers;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

class RecurrentTest {
  private static final int BATCH = 2;
  private static final int STEPS = 4;
  private static final int FEATURES = 3;

  private static float[] input() {
    float[] x = new float[BATCH * STEPS * FEATURES];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) Math.sin(i * 0.7);
    }
    return x;
  }

  @FunctionalInterface
  interface CellFactory {
    RecurrentCell create(Ops tf, Weights w);
  }

  /** Runs the cell over the input with a known or unknown number of steps. */
  private static float[] run(
      CellFactory factory, boolean knownSteps, Recurrent loop, boolean[] mask) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Shape shape = Shape.of(-1, knownSteps ? STEPS : -1, FEATURES);
      Operand<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
      Operand<TBool> m =
          mask == null
              ? null
              : tf.placeholder(
                  TBool.class, Placeholder.shape(Shape.of(-1, knownSteps ? STEPS : -1)));
      RecurrentCell cell = factory.create(tf.withSubScope("cell"), new VariableWeights());
      Recurrent.Result r = loop.run(tf, cell, x, m, null);
      try (Session s = new Session(g);
          TFloat32 in =
              TFloat32.tensorOf(
                  Shape.of(BATCH, STEPS, FEATURES), DataBuffers.of(input(), true, false))) {
        Session.Runner runner = s.runner().feed(x, in);
        TBool mt = null;
        if (m != null) {
          mt = TBool.tensorOf(Shape.of(BATCH, STEPS), DataBuffers.of(mask, true, false));
          runner.feed(m, mt);
        }
        float[] out = Fetch.floats(runner, r.output());
        if (mt != null) {
          mt.close();
        }
        return out;
      }
    }
  }

  private static void assertLoopMatchesUnrolled(CellFactory f, Recurrent loop, boolean[] mask) {
    float[] unrolled = run(f, true, loop, mask);
    float[] looped = run(f, false, loop, mask);
    assertThat(looped).hasSameSizeAs(unrolled);
    for (int i = 0; i < unrolled.length; i++) {
      assertThat(looped[i]).as("element %d", i).isCloseTo(unrolled[i], within(1e-6f));
    }
  }

  private static CellFactory lstm() {
    return (tf, w) ->
        RecurrentCells.lstm(
            tf,
            FEATURES,
            RecurrentCells.Config.units(5)
                .kernelInitializer(Initializers.randomUniform(-1f, 1f, 1L))
                .recurrentInitializer(Initializers.randomUniform(-1f, 1f, 2L))
                .biasInitializer(Initializers.randomUniform(-1f, 1f, 3L)),
            w);
  }

  @Test
  void whileLoopMatchesUnrolledLoop() {
    assertLoopMatchesUnrolled(lstm(), Recurrent.of(true, false, false), null);
    assertLoopMatchesUnrolled(lstm(), Recurrent.of(false, true, false), null);
    CellFactory gru =
        (tf, w) ->
            RecurrentCells.gru(
                tf,
                FEATURES,
                RecurrentCells.Config.units(4)
                    .resetAfter(true)
                    .kernelInitializer(Initializers.randomUniform(-1f, 1f, 4L))
                    .recurrentInitializer(Initializers.randomUniform(-1f, 1f, 7L))
                    .biasInitializer(Initializers.randomUniform(-1f, 1f, 5L)),
                w);
    assertLoopMatchesUnrolled(gru, Recurrent.of(true, true, false), null);
    CellFactory simple =
        (tf, w) ->
            RecurrentCells.simpleRnn(
                tf,
                FEATURES,
                RecurrentCells.Config.units(4)
                    .activation(Activation.RELU)
                    .kernelInitializer(Initializers.randomUniform(-1f, 1f, 6L))
                    .recurrentInitializer(Initializers.randomUniform(-1f, 1f, 8L)),
                w);
    assertLoopMatchesUnrolled(simple, Recurrent.of(false, false, false), null);
  }

  @Test
  void maskedStepsKeepTheStateAndRepeatTheOutput() {
    boolean[] mask = {true, true, false, false, true, false, true, true};
    assertLoopMatchesUnrolled(lstm(), Recurrent.of(true, false, false), mask);
    assertLoopMatchesUnrolled(lstm(), Recurrent.of(true, false, true), mask);
    // sample 0 ends masked: its last output is the output of step 1
    float[] seq = run(lstm(), true, Recurrent.of(true, false, false), mask);
    float[] last = run(lstm(), true, Recurrent.of(false, false, false), mask);
    for (int u = 0; u < 5; u++) {
      assertThat(last[u]).isEqualTo(seq[1 * 5 + u]);
      assertThat(seq[3 * 5 + u]).isEqualTo(seq[1 * 5 + u]);
    }
    // zero_output_for_mask: masked steps give zeros
    float[] zeros = run(lstm(), true, Recurrent.of(true, false, true), mask);
    assertThat(zeros[2 * 5]).isZero();
  }
}
