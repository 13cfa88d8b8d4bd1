package io.estimator4j.keras.impl;

import io.estimator4j.estimator.layers.BatchNormalization;
import io.estimator4j.estimator.layers.LayerNormalization;
import io.estimator4j.graph.Initializers;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * Keras's BatchNormalization (moving statistics at inference; batch statistics and moving-average
 * updates in training) and LayerNormalization.
 */
final class NormalizationMappers {
  private NormalizationMappers() {}

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    m.put("BatchNormalization", NormalizationMappers::batchNormalization);
    m.put("LayerNormalization", NormalizationMappers::layerNormalization);
  }

  private static KerasLayer batchNormalization(LayerContext ctx) {
    LayerConfig c = ctx.config();
    if (c.integer("mode", 0) != 0) {
      throw c.unsupported(
          "Keras 1's mode="
              + c.integer("mode", 0)
              + " (normalisation by the"
              + " statistics of each batch or sample, also at inference) is not supported.");
    }
    int[] axes = axes(c, -1);
    if (axes.length != 1) {
      throw c.unsupported(
          "normalising over several axes "
              + java.util.Arrays.toString(axes)
              + " is not supported.");
    }
    BatchNormalization bn =
        BatchNormalization.of(c.number("momentum", 0.99), c.number("epsilon", 1e-3));
    boolean center = c.bool("center", true);
    boolean scale = c.bool("scale", true);
    var gamma = c.initializer("gamma_initializer", Initializers.ones());
    var beta = c.initializer("beta_initializer", Initializers.zeros());
    var mean = c.initializer("moving_mean_initializer", Initializers.zeros());
    var var = c.initializer("moving_variance_initializer", Initializers.ones());
    // Keras runs a frozen BatchNormalization (trainable=False) in inference mode (TF >= 2.0)
    boolean trainable = c.bool("trainable", true);
    return (scope, in, kw) -> {
      boolean training = ctx.build().training() && trainable;
      if (training
          && (c.bool("renorm", false) || c.has("virtual_batch_size") || c.has("adjustment"))) {
        throw new IllegalArgumentException(
            "Training "
                + c.describe()
                + " with renorm,"
                + " virtual_batch_size or adjustment is not supported by model_to_estimator. Fix: set"
                + " trainable=False on the layer (inference mode), or remove those options.");
      }
      KTensor x = Mappers.single(c, in);
      if (training && x.mask() != null && c.keras3()) {
        throw new IllegalArgumentException(
            "Training "
                + c.describe()
                + " on a masked input is"
                + " not supported: Keras 3 takes the batch statistics over the unmasked steps only."
                + " Fix: set trainable=False on the layer (inference mode).");
      }
      Operand<TFloat32> xf = Mappers.floats(scope, x);
      if (!training) {
        return Mappers.sameMask(
            x,
            bn.applyInference(
                scope, xf, axes[0], center, scale, ctx.weights(), gamma, beta, mean, var));
      }
      BatchNormalization.Result r =
          bn.applyTraining(
              scope,
              xf,
              axes[0],
              center,
              scale,
              ctx.weights(),
              gamma,
              beta,
              mean,
              var,
              usesFusedKernel(c, xf.shape().numDimensions(), axes[0]));
      r.updates().forEach(ctx.build()::addUpdate);
      return Mappers.sameMask(x, r.output());
    };
  }

  /**
   * Whether tf.keras 2 normalises this input with its fused kernel, whose batch variance (used for
   * the moving variance) is Bessel-corrected: with V2 behaviour, {@code fused} not False, a 4D or
   * 5D input and the channel axis 1 or last (keras/layers/normalization/batch_normalization.py,
   * {@code build}). Keras 3 has no fused kernel: always the biased variance.
   */
  private static boolean usesFusedKernel(LayerConfig c, int rank, int axis) {
    if (c.keras3() || !c.bool("fused", true) || (rank != 4 && rank != 5)) {
      return false;
    }
    int a = axis < 0 ? axis + rank : axis;
    return a == 1 || a == rank - 1;
  }

  private static KerasLayer layerNormalization(LayerContext ctx) {
    LayerConfig c = ctx.config();
    if (c.bool("rms_scaling", false)) {
      throw c.unsupported("rms_scaling=True (Keras 3's RMS normalisation) is not supported.");
    }
    int[] axes = axes(c, -1);
    float epsilon = (float) c.number("epsilon", 1e-3);
    boolean center = c.bool("center", true);
    boolean scale = c.bool("scale", true);
    var gamma = c.initializer("gamma_initializer", Initializers.ones());
    var beta = c.initializer("beta_initializer", Initializers.zeros());
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      return Mappers.sameMask(
          x,
          LayerNormalization.apply(
              scope,
              Mappers.floats(scope, x),
              axes,
              epsilon,
              center,
              scale,
              ctx.weights(),
              gamma,
              beta));
    };
  }

  private static int[] axes(LayerConfig c, int defaultAxis) {
    int[] axes = c.intOrList("axis");
    return axes == null ? new int[] {defaultAxis} : axes;
  }
}
