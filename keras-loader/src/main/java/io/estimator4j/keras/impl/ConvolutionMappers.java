package io.estimator4j.keras.impl;

import io.estimator4j.estimator.layers.Convolution;
import io.estimator4j.estimator.layers.DataFormat;
import io.estimator4j.estimator.layers.LocallyConnected;
import io.estimator4j.estimator.layers.Pooling;
import io.estimator4j.estimator.layers.Reshaping;
import io.estimator4j.graph.Initializers;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.types.TFloat32;

/**
 * Keras's convolution, pooling, padding, cropping and up-sampling layers, 1D to 3D (with their
 * Keras 1 and alias names).
 */
final class ConvolutionMappers {
  private ConvolutionMappers() {}

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    for (int rank = 1; rank <= 3; rank++) {
      int r = rank;
      m.put("Conv" + r + "D", ctx -> conv(ctx, Convolution.Kind.STANDARD, r));
      m.put("Convolution" + r + "D", ctx -> conv(ctx, Convolution.Kind.STANDARD, r));
      m.put("Conv" + r + "DTranspose", ctx -> conv(ctx, Convolution.Kind.TRANSPOSE, r));
      m.put("Convolution" + r + "DTranspose", ctx -> conv(ctx, Convolution.Kind.TRANSPOSE, r));
      m.put("MaxPooling" + r + "D", ctx -> pool(ctx, Pooling.Mode.MAX, r));
      m.put("MaxPool" + r + "D", ctx -> pool(ctx, Pooling.Mode.MAX, r));
      m.put("AveragePooling" + r + "D", ctx -> pool(ctx, Pooling.Mode.AVERAGE, r));
      m.put("AvgPool" + r + "D", ctx -> pool(ctx, Pooling.Mode.AVERAGE, r));
      m.put("GlobalMaxPooling" + r + "D", ctx -> global(ctx, Pooling.Mode.MAX));
      m.put("GlobalMaxPool" + r + "D", ctx -> global(ctx, Pooling.Mode.MAX));
      m.put("GlobalAveragePooling" + r + "D", ctx -> global(ctx, Pooling.Mode.AVERAGE));
      m.put("GlobalAvgPool" + r + "D", ctx -> global(ctx, Pooling.Mode.AVERAGE));
      m.put("ZeroPadding" + r + "D", ctx -> zeroPadding(ctx, r));
      m.put("Cropping" + r + "D", ctx -> cropping(ctx, r));
      m.put("UpSampling" + r + "D", ctx -> upSampling(ctx, r));
    }
    m.put("Deconvolution2D", ctx -> conv(ctx, Convolution.Kind.TRANSPOSE, 2));
    m.put("DepthwiseConv1D", ctx -> conv(ctx, Convolution.Kind.DEPTHWISE, 1));
    m.put("DepthwiseConv2D", ctx -> conv(ctx, Convolution.Kind.DEPTHWISE, 2));
    m.put("SeparableConv1D", ctx -> conv(ctx, Convolution.Kind.SEPARABLE, 1));
    m.put("SeparableConv2D", ctx -> conv(ctx, Convolution.Kind.SEPARABLE, 2));
    m.put("SeparableConvolution1D", ctx -> conv(ctx, Convolution.Kind.SEPARABLE, 1));
    m.put("SeparableConvolution2D", ctx -> conv(ctx, Convolution.Kind.SEPARABLE, 2));
    m.put("LocallyConnected1D", ctx -> locallyConnected(ctx, 1));
    m.put("LocallyConnected2D", ctx -> locallyConnected(ctx, 2));
  }

  /** Keras 1 spellings of the convolution and pooling settings (never read as Keras 2's). */
  private static final String[] KERAS1_CONV = {
    "nb_filter",
    "nb_row",
    "nb_col",
    "filter_length",
    "border_mode",
    "subsample",
    "subsample_length",
    "atrous_rate",
    "dim_ordering",
    "init",
    "bias"
  };

  private static KerasLayer conv(LayerContext ctx, Convolution.Kind kind, int rank) {
    LayerConfig c = ctx.config();
    c.refuseKeras1(KERAS1_CONV);
    c.refuseQuantizedAndLora();
    if (kind != Convolution.Kind.STANDARD && c.integer("groups", 1) != 1) {
      throw c.unsupported(
          "groups=" + c.integer("groups", 1) + " is only defined for Conv1D/2D/3D.");
    }
    Convolution.Builder b =
        Convolution.builder(kind, c.ints("kernel_size", rank, 1))
            .strides(c.ints("strides", rank, 1))
            .dilationRate(c.ints("dilation_rate", rank, 1))
            .padding(c.string("padding", "valid"))
            .dataFormat(c.dataFormat())
            .useBias(c.bool("use_bias", true))
            .activation(c.activation("activation"))
            .biasInitializer(c.initializer("bias_initializer", Initializers.zeros()));
    if (kind == Convolution.Kind.DEPTHWISE || kind == Convolution.Kind.SEPARABLE) {
      b.depthMultiplier(c.count("depth_multiplier", 1, 1))
          .kernelInitializer(c.initializer("depthwise_initializer", Initializers.glorotUniform()));
    } else {
      b.kernelInitializer(c.initializer("kernel_initializer", Initializers.glorotUniform()));
    }
    if (kind == Convolution.Kind.SEPARABLE) {
      b.pointwiseInitializer(c.initializer("pointwise_initializer", Initializers.glorotUniform()));
    }
    if (kind != Convolution.Kind.DEPTHWISE) {
      b.filters(c.count("filters", 1));
    }
    if (kind == Convolution.Kind.STANDARD) {
      b.groups(c.count("groups", 1, 1));
    }
    if (kind == Convolution.Kind.TRANSPOSE && c.has("output_padding")) {
      b.outputPadding(c.ints("output_padding", rank, 0, 0));
    }
    Convolution conv;
    try {
      conv = b.build();
    } catch (IllegalArgumentException e) {
      throw c.unsupported(e.getMessage());
    }
    return (scope, in, kw) ->
        Mappers.noMask(
            conv.apply(scope, Mappers.floats(scope, Mappers.single(c, in)), ctx.weights()));
  }

  private static KerasLayer locallyConnected(LayerContext ctx, int rank) {
    LayerConfig c = ctx.config();
    c.refuseKeras1(KERAS1_CONV);
    if (c.integer("implementation", 1) != 1) {
      throw c.unsupported(
          "only implementation=1 is supported (found " + c.integer("implementation", 1) + ").");
    }
    if (!c.string("padding", "valid").equals("valid")) {
      throw c.unsupported("only padding='valid' is supported.");
    }
    int[] kernel = c.ints("kernel_size", rank, 1);
    int[] strides = c.ints("strides", rank, 1);
    int filters = c.count("filters", 1);
    DataFormat format = c.dataFormat();
    boolean useBias = c.bool("use_bias", true);
    var act = c.activation("activation");
    var kInit = c.initializer("kernel_initializer", Initializers.glorotUniform());
    var bInit = c.initializer("bias_initializer", Initializers.zeros());
    return (scope, in, kw) ->
        Mappers.noMask(
            LocallyConnected.apply(
                scope,
                Mappers.floats(scope, Mappers.single(c, in)),
                ctx.weights(),
                kernel,
                strides,
                filters,
                format,
                useBias,
                act,
                kInit,
                bInit));
  }

  private static KerasLayer pool(LayerContext ctx, Pooling.Mode mode, int rank) {
    LayerConfig c = ctx.config();
    c.refuseKeras1("pool_length", "stride", "border_mode", "dim_ordering");
    int[] size = c.ints("pool_size", rank, 2);
    int[] strides = c.has("strides") ? c.ints("strides", rank, 1) : size;
    String padding = c.string("padding", "valid");
    DataFormat format = c.dataFormat();
    return (scope, in, kw) ->
        Mappers.noMask(
            Pooling.pool(
                scope,
                Mappers.floats(scope, Mappers.single(c, in)),
                mode,
                size,
                strides,
                padding,
                format));
  }

  private static KerasLayer global(LayerContext ctx, Pooling.Mode mode) {
    LayerConfig c = ctx.config();
    c.refuseKeras1("dim_ordering");
    DataFormat format = c.dataFormat();
    boolean keepDims = c.bool("keepdims", false);
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      Operand<TFloat32> v = Mappers.floats(scope, x);
      if (mode == Pooling.Mode.AVERAGE && x.mask() != null && v.shape().numDimensions() == 3) {
        return Mappers.noMask(maskedMean(scope, v, x, format, keepDims));
      }
      return Mappers.noMask(Pooling.global(scope, v, mode, format, keepDims));
    };
  }

  /** GlobalAveragePooling1D with a mask: sum(x * mask) / sum(mask) over the steps. */
  private static Operand<TFloat32> maskedMean(
      Ops tf, Operand<TFloat32> v, KTensor x, DataFormat format, boolean keepDims) {
    int steps = format == DataFormat.CHANNELS_LAST ? 1 : 2;
    Operand<TFloat32> m = tf.dtypes.cast(x.mask(), TFloat32.class);
    m = tf.expandDims(m, tf.constant(format == DataFormat.CHANNELS_LAST ? 2 : 1));
    Operand<TFloat32> sum =
        tf.reduceSum(tf.math.mul(v, m), tf.constant(steps), ReduceSum.keepDims(keepDims));
    Operand<TFloat32> count = tf.reduceSum(m, tf.constant(steps), ReduceSum.keepDims(keepDims));
    return tf.math.div(sum, count);
  }

  private static KerasLayer zeroPadding(LayerContext ctx, int rank) {
    LayerConfig c = ctx.config();
    c.refuseKeras1("dim_ordering");
    int[][] pads = c.pairs("padding", rank, 1);
    DataFormat format = c.dataFormat();
    return (scope, in, kw) ->
        Mappers.noMask(Reshaping.zeroPadding(scope, Mappers.single(c, in).value(), pads, format));
  }

  private static KerasLayer cropping(LayerContext ctx, int rank) {
    LayerConfig c = ctx.config();
    c.refuseKeras1("dim_ordering");
    // Keras's defaults: Cropping1D (1, 1), Cropping2D ((0, 0), (0, 0)), Cropping3D 1 everywhere
    int[][] crops = c.pairs("cropping", rank, rank == 2 ? 0 : 1);
    DataFormat format = c.dataFormat();
    return (scope, in, kw) ->
        Mappers.noMask(Reshaping.cropping(scope, Mappers.single(c, in).value(), crops, format));
  }

  /**
   * UpSampling1D/2D/3D. UpSampling2D's {@code interpolation="bilinear"} resizes with
   * ResizeBilinear: half-pixel centres for tf.keras 2 and Keras 3 ({@code tf.image.resize}),
   * corner-aligned sampling without half-pixel centres for standalone Keras 2.0 to 2.3 ({@code
   * tf.image.resize_bilinear} on TensorFlow 1), as the file's {@code keras_version} says.
   */
  private static KerasLayer upSampling(LayerContext ctx, int rank) {
    LayerConfig c = ctx.config();
    c.refuseKeras1("length", "dim_ordering");
    int[] size = rank == 1 ? new int[] {c.count("size", 1, 2)} : c.ints("size", rank, 2);
    DataFormat format = c.dataFormat();
    String interpolation = c.string("interpolation", "nearest");
    if (interpolation.equals("bilinear") && rank == 2) {
      boolean halfPixel = !ctx.build().standaloneKeras();
      return (scope, in, kw) ->
          Mappers.noMask(
              Reshaping.upSamplingBilinear(
                  scope, Mappers.floats(scope, Mappers.single(c, in)), size, format, halfPixel));
    }
    if (!interpolation.equals("nearest")) {
      throw c.unsupported(
          "interpolation '"
              + interpolation
              + "' is not supported (nearest and"
              + " bilinear are).");
    }
    return (scope, in, kw) ->
        Mappers.noMask(Reshaping.upSampling(scope, Mappers.single(c, in).value(), size, format));
  }
}
