package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.layers.DataFormat;
import io.estimator4j.estimator.layers.Dense;
import io.estimator4j.estimator.layers.Dropout;
import io.estimator4j.estimator.layers.Embedding;
import io.estimator4j.estimator.layers.Noise;
import io.estimator4j.estimator.layers.Reshaping;
import io.estimator4j.graph.Initializers;
import io.estimator4j.io.Dims;
import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.core.Any;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * Core Keras layers: Dense, Activation, the dropout and noise family (active in training only),
 * Flatten, Reshape, Permute, RepeatVector, Masking, Embedding, Identity, Rescaling,
 * TensorFlowOpLayer; and the refusal of Lambda layers.
 */
final class CoreMappers {
  private CoreMappers() {}

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    m.put("Dense", CoreMappers::dense);
    m.put("Activation", CoreMappers::activation);
    // ActivityRegularization's penalty is added by LoadedWeights.endCall, as for any layer
    for (String identity : List.of("ActivityRegularization", "Identity")) {
      m.put(identity, ctx -> (scope, in, kw) -> List.of(Mappers.single(ctx.config(), in)));
    }
    m.put("Dropout", ctx -> dropout(ctx, noiseShape(ctx.config())));
    m.put("SpatialDropout1D", ctx -> dropout(ctx, new long[] {-1, 1, -1}));
    m.put("SpatialDropout2D", ctx -> dropout(ctx, spatial(ctx.config(), 4)));
    m.put("SpatialDropout3D", ctx -> dropout(ctx, spatial(ctx.config(), 5)));
    m.put("GaussianDropout", CoreMappers::gaussianDropout);
    m.put("GaussianNoise", CoreMappers::gaussianNoise);
    m.put("AlphaDropout", CoreMappers::alphaDropout);
    m.put("Flatten", CoreMappers::flatten);
    m.put("Reshape", CoreMappers::reshape);
    m.put("Permute", CoreMappers::permute);
    m.put("RepeatVector", CoreMappers::repeatVector);
    m.put("Masking", CoreMappers::masking);
    m.put("Embedding", CoreMappers::embedding);
    m.put("Rescaling", CoreMappers::rescaling);
    m.put("Lambda", CoreMappers::refusePython);
    m.put("TensorFlowOpLayer", TensorFlowOpLayer::create);
  }

  private static KerasLayer dense(LayerContext ctx) {
    LayerConfig c = ctx.config();
    c.refuseKeras1("output_dim", "init", "bias");
    c.refuseQuantizedAndLora();
    Dense dense =
        Dense.builder(c.count("units", 1))
            .activation(c.activation("activation"))
            .useBias(c.bool("use_bias", true))
            .kernelInitializer(c.initializer("kernel_initializer", Initializers.glorotUniform()))
            .biasInitializer(c.initializer("bias_initializer", Initializers.zeros()))
            .build();
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      return Mappers.sameMask(x, dense.apply(scope, Mappers.floats(scope, x), ctx.weights()));
    };
  }

  /**
   * A layer that changes its input only in training (dropout and noise): the identity unless the
   * call runs with {@code training=True}, else {@code noise} applied to the float input.
   */
  private static KerasLayer trainingOnly(
      LayerContext ctx,
      java.util.function.BiFunction<org.tensorflow.op.Ops, Operand<TFloat32>, Operand<TFloat32>>
          noise) {
    LayerConfig c = ctx.config();
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      if (!ctx.build().training()) {
        return List.of(x);
      }
      return Mappers.sameMask(x, noise.apply(scope, Mappers.floats(scope, x)));
    };
  }

  /** Dropout with a noise shape (null: the input's shape); identity unless training. */
  private static KerasLayer dropout(LayerContext ctx, long[] noiseShape) {
    LayerConfig c = ctx.config();
    c.refuseKeras1("dim_ordering");
    Dropout d = Dropout.of(rate(c), seed(c)).withNoiseShape(noiseShape);
    return trainingOnly(ctx, (scope, x) -> d.apply(scope, x, true));
  }

  /** The dropout rate: {@code rate}, or Keras 1's {@code p}. */
  private static double rate(LayerConfig c) {
    return c.has("rate") ? c.number("rate", 0.0) : c.number("p", 0.0);
  }

  private static KerasLayer gaussianDropout(LayerContext ctx) {
    LayerConfig c = ctx.config();
    double rate = rate(c);
    Long seed = seed(c);
    return trainingOnly(ctx, (scope, x) -> Noise.gaussianDropout(scope, x, rate, seed, true));
  }

  private static KerasLayer gaussianNoise(LayerContext ctx) {
    LayerConfig c = ctx.config();
    // Keras 1 called it sigma
    double stddev = c.has("stddev") ? c.number("stddev", 0.0) : c.number("sigma", 0.0);
    Long seed = seed(c);
    return trainingOnly(ctx, (scope, x) -> Noise.gaussianNoise(scope, x, stddev, seed, true));
  }

  private static KerasLayer alphaDropout(LayerContext ctx) {
    LayerConfig c = ctx.config();
    double rate = rate(c);
    long[] noiseShape = noiseShape(c);
    Long seed = seed(c);
    return trainingOnly(
        ctx, (scope, x) -> Noise.alphaDropout(scope, x, rate, noiseShape, seed, true));
  }

  /** The layer's {@code seed} (null when absent: unseeded). */
  private static Long seed(LayerConfig c) {
    JsonNode s = c.get("seed");
    return s == null || s.isNull()
        ? null
        : Dims.integer(s, "setting 'seed' of " + c.describe(), LayerConfig.FIX);
  }

  /** Keras's {@code noise_shape}: null when absent, else its dims with None as -1. */
  private static long[] noiseShape(LayerConfig c) {
    JsonNode s = c.get("noise_shape");
    if (s == null || s.isNull()) {
      return null;
    }
    if (!s.isArray()) {
      throw c.unsupported("noise_shape " + s + " is not a list of dimensions.");
    }
    return Dims.shape(s, "setting 'noise_shape' of " + c.describe(), LayerConfig.FIX);
  }

  /** SpatialDropout2D/3D: one decision per sample and channel. */
  private static long[] spatial(LayerConfig c, int rank) {
    long[] shape = new long[rank];
    java.util.Arrays.fill(shape, 1);
    shape[0] = -1;
    shape[c.dataFormat() == DataFormat.CHANNELS_FIRST ? 1 : rank - 1] = -1;
    return shape;
  }

  private static KerasLayer activation(LayerContext ctx) {
    Activation a = ctx.config().activation("activation");
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(ctx.config(), in);
      return Mappers.sameMask(x, a.apply(scope, Mappers.floats(scope, x)));
    };
  }

  private static KerasLayer flatten(LayerContext ctx) {
    ctx.config().refuseKeras1("dim_ordering");
    var format = ctx.config().dataFormat();
    return (scope, in, kw) ->
        Mappers.noMask(Reshaping.flatten(scope, Mappers.single(ctx.config(), in).value(), format));
  }

  private static KerasLayer reshape(LayerContext ctx) {
    int[] target = ctx.config().intList("target_shape");
    long[] t = new long[target.length];
    for (int i = 0; i < t.length; i++) {
      t[i] = target[i];
    }
    // one -1 (inferred) is allowed, as in Keras
    Dims.checkShape(
        t, true, "setting 'target_shape' of " + ctx.config().describe(), LayerConfig.FIX);
    return (scope, in, kw) ->
        Mappers.noMask(Reshaping.reshape(scope, Mappers.single(ctx.config(), in).value(), t));
  }

  private static KerasLayer permute(LayerContext ctx) {
    int[] dims = ctx.config().intList("dims");
    return (scope, in, kw) ->
        Mappers.noMask(Reshaping.permute(scope, Mappers.single(ctx.config(), in).value(), dims));
  }

  private static KerasLayer repeatVector(LayerContext ctx) {
    int n = ctx.config().count("n", 1, 1);
    return (scope, in, kw) ->
        Mappers.noMask(Reshaping.repeatVector(scope, Mappers.single(ctx.config(), in).value(), n));
  }

  /** Masking: keeps steps with any feature != mask_value (and zeroes the others). */
  private static KerasLayer masking(LayerContext ctx) {
    float maskValue = (float) ctx.config().number("mask_value", 0.0);
    return (scope, in, kw) -> {
      Operand<TFloat32> x = Mappers.floats(scope, Mappers.single(ctx.config(), in));
      Operand<TBool> keep =
          scope.any(
              scope.math.notEqual(x, scope.constant(maskValue)),
              scope.constant(-1),
              Any.keepDims(true));
      Operand<TFloat32> out = scope.math.mul(x, scope.dtypes.cast(keep, TFloat32.class));
      Operand<TBool> mask = scope.squeeze(keep, org.tensorflow.op.core.Squeeze.axis(List.of(-1L)));
      return List.of(new KTensor(out, mask));
    };
  }

  @SuppressWarnings("unchecked")
  private static KerasLayer embedding(LayerContext ctx) {
    LayerConfig c = ctx.config();
    c.refuseQuantizedAndLora();
    c.refuseKeras1("init");
    if (c.number("dropout", 0.0) != 0.0) {
      throw c.unsupported(
          "Keras 1's embedding dropout (dropout="
              + c.number("dropout", 0.0)
              + ") is not supported. Fix: use a Dropout layer after the Embedding in Keras 2.");
    }
    if (c.bool("sparse", false)) {
      throw c.unsupported("sparse=True (Keras 3's sparse gradients) is not supported.");
    }
    int inputDim = c.count("input_dim", 1);
    int outputDim = c.count("output_dim", 1);
    boolean maskZero = c.bool("mask_zero", false);
    var init = c.initializer("embeddings_initializer", Embedding.DEFAULT_INITIALIZER);
    return (scope, in, kw) -> {
      Operand<?> ids = Mappers.single(c, in).value();
      if (ids.type() == org.tensorflow.types.TBool.class
          || ids.type() == org.tensorflow.types.TString.class) {
        throw new IllegalArgumentException(
            c.describe() + " needs numeric ids; found " + ids.type().getSimpleName() + ".");
      }
      Operand<? extends TNumber> numeric = (Operand<? extends TNumber>) ids;
      Operand<TFloat32> out =
          Embedding.apply(scope, numeric, inputDim, outputDim, ctx.weights(), init);
      return List.of(new KTensor(out, maskZero ? Embedding.maskZero(scope, numeric) : null));
    };
  }

  private static KerasLayer rescaling(LayerContext ctx) {
    float scale = (float) ctx.config().number("scale", 1.0);
    float offset = (float) ctx.config().number("offset", 0.0);
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(ctx.config(), in);
      Operand<TFloat32> y =
          scope.math.add(
              scope.math.mul(Mappers.floats(scope, x), scope.constant(scale)),
              scope.constant(offset));
      return Mappers.sameMask(x, y);
    };
  }

  /** Lambda layers hold marshalled Python bytecode: refused, never run. */
  private static KerasLayer refusePython(LayerContext ctx) {
    LayerConfig c = ctx.config();
    JsonNode fn = c.get("function");
    String kind = c.string("function_type", "lambda");
    throw new UnsupportedKerasLayerException(
        c.name(),
        c.className(),
        "Layer '"
            + c.name()
            + "' ("
            + c.className()
            + ") in "
            + c.source()
            + " holds a serialized Python function (function_type '"
            + kind
            + "'"
            + (fn != null && fn.isTextual() ? ", " + fn.asText().length() + " characters" : "")
            + "). Python code is never executed by this loader: replace the Lambda with built-in"
            + " Keras layers and save the model again.");
  }
}
