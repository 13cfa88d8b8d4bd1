package io.estimator4j.estimator.optimizer;

import io.estimator4j.estimator.layers.Fetch;
import io.estimator4j.graph.Variables;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * Test problem: loss = sum(w²) for w = [1, 2] (gradient 2·w), trained by one optimizer; the
 * variable is {@code dnn/hiddenlayer_0/kernel} so slot names contain '/'.
 */
final class Quadratic implements AutoCloseable {
  static final String VARIABLE = "dnn/hiddenlayer_0/kernel";
  static final float[] START = {1f, 2f};

  final Graph graph = new Graph();
  final Ops tf = Ops.create(graph);
  final Variable<TFloat32> w;
  final Variable<TInt64> globalStep;
  final Operand<TFloat32> loss;
  final Op train;
  final Session session;

  Quadratic(Optimizer optimizer) {
    this(optimizer, false, true);
  }

  /**
   * @param keras whether to build the TF2 form ({@link Optimizer#applyGradientsV2} under {@code
   *     training})
   * @param countInGlobalStep with {@code keras}: global_step is the iterations (else the
   *     optimizer's own iter)
   */
  Quadratic(Optimizer optimizer, boolean keras, boolean countInGlobalStep) {
    Ops layer = tf.withSubScope("dnn").withSubScope("hiddenlayer_0");
    w = Variables.global(layer, "kernel", init -> init.constant(START));
    globalStep = Variables.global(tf, "global_step", init -> init.constant(0L));
    Operand<TFloat32> read = Variables.read(tf, w);
    loss = tf.reduceSum(tf.math.square(read), tf.constant(0));
    if (keras) {
      Ops training = tf.withSubScope("training");
      train =
          optimizer.applyGradientsV2(
              training,
              optimizer.computeGradients(training, loss, List.of(w)),
              countInGlobalStep ? globalStep : null);
    } else {
      train = optimizer.minimize(tf, loss, List.of(w), globalStep);
    }
    session = new Session(graph);
    session.initialize();
  }

  /** Runs the train op {@code steps} times and returns w. */
  float[] train(int steps) {
    for (int i = 0; i < steps; i++) {
      Fetch.run(session, train);
    }
    return Fetch.floats(session, w);
  }

  float[] valueOf(String variableName) {
    return Fetch.floats(session, graph.operationOrThrow(variableName).output(0));
  }

  long int64(String variableName) {
    return Fetch.int64(session, graph.operationOrThrow(variableName).output(0));
  }

  long step() {
    return Fetch.int64(session, globalStep);
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
