package io.estimator4j.estimator.head;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.layers.Dense;
import io.estimator4j.estimator.layers.DenseLayer;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.optimizer.GradientDescent;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/**
 * Every head trains a linear model through TensorFlow's C++ gradients (sigmoid cross-entropy via
 * Select, softmax cross-entropy via one-hot labels, squared error, Poisson): the loss must fall.
 */
class HeadTrainingTest {
  @TempDir Path dir;

  /** 32 points x in [-1, 1); labels derived from x by each case. */
  private static final float[] X = new float[32];

  static {
    for (int i = 0; i < X.length; i++) {
      X[i] = -1f + 2f * i / X.length;
    }
  }

  static Stream<Arguments> heads() {
    float[] binary = new float[X.length];
    int[] classes = new int[X.length];
    float[][] multiLabel = new float[X.length][2];
    float[] linear = new float[X.length];
    float[] counts = new float[X.length];
    for (int i = 0; i < X.length; i++) {
      binary[i] = X[i] > 0 ? 1 : 0;
      classes[i] = X[i] < -0.33f ? 0 : X[i] < 0.33f ? 1 : 2;
      multiLabel[i] = new float[] {X[i] > 0 ? 1 : 0, X[i] < 0.5f ? 1 : 0};
      linear[i] = 2 * X[i] + 1;
      counts[i] = (float) Math.round(Math.exp(X[i] + 1));
    }
    return Stream.of(
        Arguments.of(BinaryClassHead.builder().build(), input().labels(binary)),
        Arguments.of(MultiClassHead.builder(3).build(), input().labels(classes)),
        Arguments.of(MultiLabelHead.builder(2).build(), input().labels(multiLabel)),
        Arguments.of(RegressionHead.builder().build(), input().labels(linear)),
        Arguments.of(PoissonRegressionHead.builder().build(), input().labels(counts)));
  }

  private static ArrayInput.Builder input() {
    return ArrayInput.builder().feature("x", X).batchSize(8).shuffle(false);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("heads")
  void lossFalls(Head head, ArrayInput.Builder data) {
    ModelFn modelFn =
        ctx -> {
          Ops tf = ctx.tf();
          Operand<TFloat32> x =
              tf.reshape(ctx.feature("x", TFloat32.class), tf.constant(new int[] {-1, 1}));
          DenseLayer layer =
              Dense.builder(head.logitsDimension())
                  .seed(7L)
                  .build()
                  .apply(tf.withSubScope("linear"), x);
          return head.createEstimatorSpec(
              ctx,
              layer.output(),
              loss ->
                  GradientDescent.of(0.2)
                      .minimize(tf, loss, layer.trainableVariables(), ctx.globalStep()),
              null);
        };
    Estimator est =
        Estimator.builder(modelFn)
            .config(
                RunConfig.builder()
                    .modelDir(dir)
                    .randomSeed(1)
                    .noPeriodicCheckpoints()
                    .logStepCountSteps(0)
                    .saveSummarySteps(0)
                    .build())
            .build();
    ArrayInput once = data.numEpochs(1).build();
    double before = est.evaluate(once).get("loss");
    est.train(data.numEpochs(null).build(), StepLimit.steps(60));
    Map<String, Double> after = est.evaluate(once);
    assertThat(after.get("global_step")).isEqualTo(60.0);
    assertThat(after.get("loss")).isLessThan(before * 0.8);
  }
}
