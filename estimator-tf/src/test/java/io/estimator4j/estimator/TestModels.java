package io.estimator4j.estimator;

import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.layers.Dense;
import io.estimator4j.estimator.layers.DenseLayer;
import io.estimator4j.estimator.metrics.Metrics;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModeKeys;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.optimizer.GradientDescent;
import java.nio.file.Path;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

/** Small real models shared by the Estimator tests. */
public final class TestModels {
  private TestModels() {}

  /** 64 points on y = 2x + 1, x in [-1, 1). */
  public static final float[] X = new float[64];

  public static final float[] Y = new float[64];

  static {
    for (int i = 0; i < X.length; i++) {
      X[i] = -1f + 2f * i / X.length;
      Y[i] = 2f * X[i] + 1f;
    }
  }

  /**
   * Linear regression y = w x + b (variables linear/kernel [1,1] and linear/bias [1]) with squared
   * loss and gradient descent at params "learning_rate" (default 0.1); metric "mse".
   */
  public static final ModelFn LINEAR =
      ctx -> {
        Ops tf = ctx.tf();
        Operand<TFloat32> x =
            tf.reshape(ctx.feature("x", TFloat32.class), tf.constant(new long[] {-1, 1}));
        DenseLayer layer = Dense.builder(1).seed(7L).build().apply(tf.withSubScope("linear"), x);
        Operand<TFloat32> pred = tf.reshape(layer.output(), tf.constant(new long[] {-1}));
        EstimatorSpec.Builder spec = EstimatorSpec.builder(ctx.mode()).prediction("y", pred);
        if (ctx.mode() == ModeKeys.PREDICT) {
          return spec.build();
        }
        Operand<TFloat32> labels = ctx.labels(TFloat32.class, new long[0]);
        Operand<TFloat32> sq = tf.math.squaredDifference(pred, labels);
        Operand<TFloat32> loss = tf.math.mean(sq, tf.constant(0));
        ctx.scalarSummary("mean_prediction", tf.math.mean(pred, tf.constant(0)));
        ctx.histogramSummary("predictions", pred);
        spec.loss(loss)
            .evalMetric("mse", Metrics.mean(tf.withSubScope("metrics"), "mse", sq, null));
        if (ctx.mode() == ModeKeys.TRAIN) {
          double lr = ctx.params().getDouble("learning_rate", 0.1);
          spec.trainOp(
              GradientDescent.of(lr)
                  .minimize(tf, loss, layer.trainableVariables(), ctx.globalStep()));
        }
        return spec.build();
      };

  public static ArrayInput trainInput(Integer epochs) {
    return ArrayInput.builder()
        .feature("x", X)
        .labels(Y)
        .batchSize(8)
        .numEpochs(epochs)
        .shuffle(true)
        .seed(1)
        .build();
  }

  public static ArrayInput evalInput() {
    return ArrayInput.builder()
        .feature("x", X)
        .labels(Y)
        .batchSize(16)
        .numEpochs(1)
        .shuffle(false)
        .build();
  }

  public static ArrayInput predictInput() {
    return ArrayInput.builder().feature("x", X).batchSize(16).numEpochs(1).shuffle(false).build();
  }

  public static Estimator linear(Path modelDir, RunConfig.Builder config) {
    return Estimator.builder(LINEAR).config(config.modelDir(modelDir).build()).build();
  }

  public static RunConfig.Builder quietConfig() {
    return RunConfig.builder()
        .randomSeed(3)
        .noPeriodicCheckpoints()
        .logStepCountSteps(0)
        .saveSummarySteps(0);
  }
}
