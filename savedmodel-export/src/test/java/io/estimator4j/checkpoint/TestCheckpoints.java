package io.estimator4j.checkpoint;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;

/** Writes a small real checkpoint with tensorflow-java's {@code Session.save}. */
final class TestCheckpoints {

  static final float[] KERNEL = {1f, 2f, 3f, 4f, 5f, 6f};
  static final float[] BIAS = {0.5f, -0.5f, 0.25f};
  static final long GLOBAL_STEP = 42L;
  static final double LEARNING_RATE = 0.125;
  static final String[] VOCABULARY = {"taxi", "caf\u00e9"};

  private TestCheckpoints() {}

  /**
   * Saves VariableV2 variables {@code dnn/hiddenlayer_0/kernel} (float [2,3]), {@code
   * dnn/hiddenlayer_0/bias} (float [3]), {@code global_step} (int64 scalar), {@code learning_rate}
   * (double scalar) and {@code vocabulary} (string [2]) under {@code prefix}.
   */
  static void save(Path prefix) {
    try (Graph graph = new Graph()) {
      Ops tf = Ops.create(graph);
      Ops layer = tf.withSubScope("dnn").withSubScope("hiddenlayer_0");
      layer.withName("kernel").variable(tf.constant(new float[][] {{1f, 2f, 3f}, {4f, 5f, 6f}}));
      layer.withName("bias").variable(tf.constant(BIAS));
      tf.withName("global_step").variable(tf.constant(GLOBAL_STEP));
      tf.withName("learning_rate").variable(tf.constant(LEARNING_RATE));
      tf.withName("vocabulary").variable(tf.constant(StandardCharsets.UTF_8, VOCABULARY));
      try (Session session = new Session(graph)) {
        session.initialize();
        session.save(prefix.toString());
      }
    }
  }
}
