package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.graph.Initializers;
import io.estimator4j.io.Dims;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.op.image.ResizeNearestNeighbor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Keras's preprocessing layers that carry their state in the model: Normalization (mean and
 * variance from the config or from adapt()'s weights), Discretization, CategoryEncoding, Resizing,
 * CenterCrop; and the random augmentation layers, which are the identity at inference.
 */
final class PreprocessingMappers {
  /** Keras's backend.epsilon(), the floor of Normalization's standard deviation. */
  private static final float EPSILON = 1e-7f;

  /** Augmentation layers: random in training, the identity at inference. */
  static final List<String> AUGMENTATION =
      List.of(
          "RandomFlip",
          "RandomRotation",
          "RandomZoom",
          "RandomContrast",
          "RandomTranslation",
          "RandomBrightness",
          "RandomHeight",
          "RandomWidth");

  private PreprocessingMappers() {}

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    m.put("Normalization", PreprocessingMappers::normalization);
    m.put("Discretization", PreprocessingMappers::discretization);
    m.put("CategoryEncoding", PreprocessingMappers::categoryEncoding);
    m.put("Resizing", PreprocessingMappers::resizing);
    m.put("CenterCrop", PreprocessingMappers::centerCrop);
    for (String cls : AUGMENTATION) {
      m.put(cls, ctx -> (scope, in, kw) -> List.of(Mappers.single(ctx.config(), in)));
    }
  }

  /**
   * {@code (x - mean) / max(sqrt(variance), 1e-7)}, or with {@code invert} {@code mean + x *
   * max(sqrt(variance), 1e-7)}, mean and variance shaped like the kept axes.
   */
  private static KerasLayer normalization(LayerContext ctx) {
    LayerConfig c = ctx.config();
    boolean invert = c.bool("invert", false);
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      Operand<TFloat32> xf = Mappers.floats(scope, x);
      int rank = xf.shape().numDimensions();
      int[] axes = keptAxes(c, rank);
      long[] paramShape = new long[axes.length];
      long[] broadcast = new long[rank];
      Arrays.fill(broadcast, 1);
      for (int i = 0; i < axes.length; i++) {
        paramShape[i] = xf.shape().get(axes[i]);
        if (paramShape[i] < 0) {
          throw c.unsupported(
              "the normalised axis "
                  + axes[i]
                  + " of input shape "
                  + xf.shape()
                  + " must be known.");
        }
        broadcast[axes[i]] = paramShape[i];
      }
      Operand<TFloat32> mean;
      Operand<TFloat32> variance;
      if (c.has("mean") && c.has("variance")) {
        mean = fromConfig(scope, c, "mean", paramShape);
        variance = fromConfig(scope, c, "variance", paramShape);
      } else {
        Shape s = Shape.of(paramShape);
        mean = ctx.weights().get(scope, "mean", s, Initializers.zeros(), false);
        variance = ctx.weights().get(scope, "variance", s, Initializers.ones(), false);
        ctx.weights().get(scope, "count", Shape.scalar(), Initializers.zeros(), false);
      }
      Operand<TInt64> b = scope.constant(broadcast);
      mean = scope.reshape(mean, b);
      Operand<TFloat32> std =
          scope.math.maximum(scope.math.sqrt(scope.reshape(variance, b)), scope.constant(EPSILON));
      Operand<TFloat32> out =
          invert
              ? scope.math.add(mean, scope.math.mul(xf, std))
              : scope.math.div(scope.math.sub(xf, mean), std);
      return Mappers.sameMask(x, out);
    };
  }

  /** The axes Normalization keeps (its {@code axis}, default -1), normalised and sorted. */
  private static int[] keptAxes(LayerConfig c, int rank) {
    JsonNode a = c.get("axis");
    int[] axes;
    if (a == null) {
      axes = new int[] {-1};
    } else if (a.isNull()) {
      axes = new int[0];
    } else if (a.isArray()) {
      axes = c.intList("axis");
    } else {
      axes = c.intOrList("axis");
    }
    return Arrays.stream(axes).map(v -> v < 0 ? v + rank : v).sorted().toArray();
  }

  /** A mean or variance given in the config: a number, or values for the kept axes. */
  private static Operand<TFloat32> fromConfig(Ops tf, LayerConfig c, String key, long[] shape) {
    JsonNode v = c.get(key);
    List<Float> values = new ArrayList<>();
    collect(v, values);
    String what = "the " + key + " of " + c.describe();
    long size = Dims.checkShape(shape, false, what, LayerConfig.FIX);
    Dims.checkBytes(size, Float.BYTES, what, null);
    float[] out = new float[Dims.toInt(size, what, LayerConfig.FIX)];
    if (values.size() == 1) {
      Arrays.fill(out, values.get(0));
    } else if (values.size() == size) {
      for (int i = 0; i < out.length; i++) {
        out[i] = values.get(i);
      }
    } else {
      throw c.unsupported(
          "its "
              + key
              + " has "
              + values.size()
              + " values; the normalised axes"
              + " need 1 or "
              + size
              + ".");
    }
    return tf.constant(Shape.of(shape), DataBuffers.of(out, true, false));
  }

  private static void collect(JsonNode v, List<Float> out) {
    if (v.isArray()) {
      v.forEach(e -> collect(e, out));
    } else {
      out.add(v.floatValue());
    }
  }

  /** The bucket index of each value (int64), {@code output_mode="int"}. */
  private static KerasLayer discretization(LayerContext ctx) {
    LayerConfig c = ctx.config();
    String mode = c.string("output_mode", "int");
    if (!mode.equals("int")) {
      throw c.unsupported("output_mode '" + mode + "' is not supported ('int' is).");
    }
    JsonNode b = c.get("bin_boundaries");
    if (b == null || !b.isArray()) {
      throw c.unsupported(
          "it has no bin_boundaries (an adapted Discretization stores them in its"
              + " config; num_bins alone cannot be rebuilt).");
    }
    List<Float> boundaries = new ArrayList<>();
    b.forEach(v -> boundaries.add(v.floatValue()));
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      Operand<TInt32> buckets = scope.bucketize(Mappers.floats(scope, x), boundaries);
      return Mappers.sameMask(x, scope.dtypes.cast(buckets, TInt64.class));
    };
  }

  /** one_hot, multi_hot or count vectors of {@code num_tokens} from integer indices. */
  private static KerasLayer categoryEncoding(LayerContext ctx) {
    LayerConfig c = ctx.config();
    int numTokens = c.count("num_tokens", 1);
    String mode = c.string("output_mode", "multi_hot");
    if (c.bool("sparse", false)) {
      throw c.unsupported("sparse output is not supported.");
    }
    if (!List.of("one_hot", "multi_hot", "count").contains(mode)) {
      throw c.unsupported(
          "output_mode '" + mode + "' is not supported (one_hot, multi_hot and" + " count are).");
    }
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      @SuppressWarnings("unchecked")
      Operand<? extends TNumber> ids = (Operand<? extends TNumber>) x.value();
      return encode(c, scope, scope.dtypes.cast(ids, TInt64.class), numTokens, mode);
    };
  }

  /**
   * Ids as CategoryEncoding encodes them (and the lookup layers in their non-int output modes):
   * {@code one_hot} of one id per example, {@code multi_hot} or {@code count} over the ids of each
   * example, {@code depth} values wide.
   */
  static List<KTensor> encode(
      LayerConfig c, Ops scope, Operand<TInt64> ids, int numTokens, String mode) {
    {
      Operand<TInt64> indices = ids;
      int rank = indices.shape().numDimensions();
      if (mode.equals("one_hot")) {
        if (rank == 2 && indices.shape().get(1) == 1) {
          indices = scope.squeeze(indices, org.tensorflow.op.core.Squeeze.axis(List.of(1L)));
        } else if (rank != 1) {
          throw c.unsupported(
              "one_hot needs one index per example; found input shape " + indices.shape() + ".");
        }
        return Mappers.noMask(oneHot(scope, indices, numTokens));
      }
      if (rank == 1) {
        indices = scope.expandDims(indices, scope.constant(1));
      }
      Operand<TFloat32> hot = oneHot(scope, indices, numTokens); // [batch, n, tokens]
      Operand<TInt32> tokensAxis = scope.constant(1);
      return Mappers.noMask(
          mode.equals("count")
              ? scope.reduceSum(hot, tokensAxis, ReduceSum.keepDims(false))
              : scope.reduceMax(hot, tokensAxis, ReduceMax.keepDims(false)));
    }
  }

  private static Operand<TFloat32> oneHot(Ops tf, Operand<TInt64> indices, int depth) {
    return tf.oneHot(indices, tf.constant(depth), tf.constant(1f), tf.constant(0f));
  }

  /** tf.image.resize (bilinear or nearest, half-pixel centres) to height x width. */
  private static KerasLayer resizing(LayerContext ctx) {
    LayerConfig c = ctx.config();
    int height = c.count("height", 1);
    int width = c.count("width", 1);
    String interpolation = c.string("interpolation", "bilinear");
    if (!interpolation.equals("bilinear") && !interpolation.equals("nearest")) {
      throw c.unsupported(
          "interpolation '"
              + interpolation
              + "' is not supported (bilinear and"
              + " nearest are).");
    }
    if (c.bool("crop_to_aspect_ratio", false) || c.bool("pad_to_aspect_ratio", false)) {
      throw c.unsupported("crop_to_aspect_ratio and pad_to_aspect_ratio are not supported.");
    }
    boolean channelsFirst = c.string("data_format", "channels_last").equals("channels_first");
    return (scope, in, kw) -> {
      Operand<TFloat32> x = Mappers.floats(scope, Mappers.single(c, in));
      if (x.shape().numDimensions() != 4) {
        throw c.unsupported(
            "it needs a batch of images [batch, height, width, channels]; found"
                + " shape "
                + x.shape()
                + ".");
      }
      Operand<TFloat32> images =
          channelsFirst ? scope.linalg.transpose(x, scope.constant(new int[] {0, 2, 3, 1})) : x;
      Operand<TInt32> size = scope.constant(new int[] {height, width});
      Operand<TFloat32> out =
          interpolation.equals("bilinear")
              ? scope.image.resizeBilinear(images, size, ResizeBilinear.halfPixelCenters(true))
              : scope.image.resizeNearestNeighbor(
                  images, size, ResizeNearestNeighbor.halfPixelCenters(true));
      return Mappers.noMask(
          channelsFirst
              ? scope.linalg.transpose(out, scope.constant(new int[] {0, 3, 1, 2}))
              : out);
    };
  }

  /** The central height x width window (inputs at least that large). */
  private static KerasLayer centerCrop(LayerContext ctx) {
    LayerConfig c = ctx.config();
    int height = c.count("height", 1);
    int width = c.count("width", 1);
    boolean channelsFirst = c.string("data_format", "channels_last").equals("channels_first");
    return (scope, in, kw) -> {
      Operand<?> x = Mappers.single(c, in).value();
      int rank = x.shape().numDimensions();
      int hAxis = channelsFirst ? rank - 2 : rank - 3;
      long h = x.shape().get(hAxis);
      long w = x.shape().get(hAxis + 1);
      if (h < height || w < width) {
        throw c.unsupported(
            "the input ("
                + h
                + " x "
                + w
                + ") must be known and at least "
                + height
                + " x "
                + width
                + " (Keras resizes smaller inputs; that is not supported).");
      }
      long[] begin = new long[rank];
      long[] size = new long[rank];
      Arrays.fill(size, -1);
      begin[hAxis] = (h - height) / 2;
      begin[hAxis + 1] = (w - width) / 2;
      size[hAxis] = height;
      size[hAxis + 1] = width;
      @SuppressWarnings("unchecked")
      Operand<org.tensorflow.types.family.TType> t = (Operand<org.tensorflow.types.family.TType>) x;
      return Mappers.noMask(scope.slice(t, scope.constant(begin), scope.constant(size)));
    };
  }
}
