package io.estimator4j.estimator.layers;

import java.util.Arrays;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.image.ResizeBilinear;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * Layers that move values around without weights; Java counterparts of tf.keras.layers.Flatten,
 * Reshape, Permute, RepeatVector, ZeroPadding1D/2D/3D, Cropping1D/2D/3D and UpSampling1D/2D/3D.
 * Static shapes are kept wherever the input's are known, so that later layers can size their
 * weights.
 */
public final class Reshaping {
  private Reshaping() {}

  /**
   * {@code Flatten}: {@code [batch, d1, d2, ...]} to {@code [batch, d1 * d2 * ...]}; with {@link
   * DataFormat#CHANNELS_FIRST} the channels are moved last first, as Keras does.
   */
  public static <T extends TType> Operand<T> flatten(Ops tf, Operand<T> x, DataFormat format) {
    int rank = Tensors.rank(x, "Flatten");
    if (rank <= 1) {
      return tf.expandDims(x, tf.constant(1));
    }
    Operand<T> in = x;
    if (format == DataFormat.CHANNELS_FIRST && rank > 2) {
      in = Tensors.toChannelsLast(tf, x);
    }
    long[] rest = Arrays.copyOfRange(in.shape().asArray(), 1, rank);
    long size = 1;
    for (long d : rest) {
      size = d < 0 || size < 0 ? -1 : size * d;
    }
    if (size >= 0) {
      return tf.reshape(in, tf.constant(new long[] {-1, size}));
    }
    Operand<TInt32> batch =
        tf.slice(tf.shape(in), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    return tf.reshape(in, tf.concat(List.of(batch, tf.constant(new int[] {-1})), tf.constant(0)));
  }

  /**
   * {@code Reshape(target_shape)}: {@code [batch] + targetShape}, where one entry may be -1 (worked
   * out from the input's size).
   */
  public static <T extends TType> Operand<T> reshape(Ops tf, Operand<T> x, long... targetShape) {
    long[] target = targetShape.clone();
    int unknown = -1;
    long known = 1;
    for (int i = 0; i < target.length; i++) {
      if (target[i] == -1) {
        if (unknown >= 0) {
          throw new IllegalArgumentException(
              "Reshape target " + Arrays.toString(targetShape) + " has more than one -1.");
        }
        unknown = i;
      } else {
        known *= target[i];
      }
    }
    long[] in = Arrays.copyOfRange(x.shape().asArray(), 1, x.shape().numDimensions());
    long inSize = 1;
    for (long d : in) {
      inSize = d < 0 || inSize < 0 ? -1 : inSize * d;
    }
    if (unknown >= 0 && inSize >= 0) {
      if (known == 0 || inSize % known != 0) {
        throw new IllegalArgumentException(
            "Cannot reshape an input of shape "
                + x.shape()
                + " to [batch] + "
                + Arrays.toString(targetShape)
                + ".");
      }
      target[unknown] = inSize / known;
    } else if (unknown < 0 && inSize >= 0 && inSize != known) {
      throw new IllegalArgumentException(
          "Total size of the input shape "
              + x.shape()
              + " (without the batch) must equal the size of the target shape "
              + Arrays.toString(targetShape)
              + ".");
    }
    return Tensors.reshapeKeepBatch(tf, x, target);
  }

  /** {@code Permute(dims)}: permutes the non-batch axes; {@code dims} are 1-based, as in Keras. */
  public static <T extends TType> Operand<T> permute(Ops tf, Operand<T> x, int... dims) {
    int[] perm = new int[dims.length + 1];
    for (int i = 0; i < dims.length; i++) {
      perm[i + 1] = dims[i];
    }
    return Tensors.transpose(tf, x, perm);
  }

  /** {@code RepeatVector(n)}: {@code [batch, features]} to {@code [batch, n, features]}. */
  public static <T extends TType> Operand<T> repeatVector(Ops tf, Operand<T> x, int n) {
    Operand<T> expanded = tf.expandDims(x, tf.constant(1));
    return tf.tile(expanded, tf.constant(new int[] {1, n, 1}));
  }

  /**
   * {@code ZeroPadding1D/2D/3D}: pads each spatial axis with {@code padding[i][0]} zeros before and
   * {@code padding[i][1]} after.
   */
  public static <T extends TType> Operand<T> zeroPadding(
      Ops tf, Operand<T> x, int[][] padding, DataFormat format) {
    int rank = Tensors.rank(x, "ZeroPadding");
    int[][] pads = new int[rank][2];
    int first = format == DataFormat.CHANNELS_LAST ? 1 : 2;
    for (int i = 0; i < padding.length; i++) {
      pads[first + i] = padding[i].clone();
    }
    return tf.pad(x, tf.constant(pads), tf.dtypes.cast(tf.constant(0), typeOf(x)));
  }

  /**
   * {@code Cropping1D/2D/3D}: removes {@code cropping[i][0]} values at the start and {@code
   * cropping[i][1]} at the end of each spatial axis (an axis cropped by more than it holds becomes
   * empty, as Keras's slicing makes it).
   */
  public static <T extends TType> Operand<T> cropping(
      Ops tf, Operand<T> x, int[][] cropping, DataFormat format) {
    int rank = Tensors.rank(x, "Cropping");
    int first = format == DataFormat.CHANNELS_LAST ? 1 : 2;
    long[] shape = x.shape().asArray();
    int[] begin = new int[rank];
    int[] size = new int[rank];
    Arrays.fill(size, -1);
    boolean dynamic = false;
    for (int i = 0; i < cropping.length; i++) {
      int axis = first + i;
      begin[axis] = cropping[i][0];
      if (shape[axis] >= 0) {
        // Keras slices x[a:len-b]: an axis cropped by more than it holds becomes empty
        begin[axis] = (int) Math.min(cropping[i][0], shape[axis]);
        size[axis] = (int) Math.max(0, shape[axis] - cropping[i][0] - cropping[i][1]);
      } else {
        dynamic = true;
      }
    }
    if (!dynamic) {
      return tf.slice(x, tf.constant(begin), tf.constant(size));
    }
    // unknown spatial size: size = shape - begin - end on those axes
    int[] end = new int[rank];
    for (int i = 0; i < cropping.length; i++) {
      end[first + i] = cropping[i][1];
    }
    Operand<TInt32> sizes =
        tf.math.sub(tf.math.sub(tf.shape(x), tf.constant(begin)), tf.constant(end));
    return tf.slice(x, tf.constant(begin), sizes);
  }

  /**
   * {@code UpSampling1D/2D/3D} with nearest interpolation: repeats each value {@code size[i]} times
   * along spatial axis i (Keras's repeat_elements, which equals nearest-neighbour resizing).
   */
  public static <T extends TType> Operand<T> upSampling(
      Ops tf, Operand<T> x, int[] size, DataFormat format) {
    int first = format == DataFormat.CHANNELS_LAST ? 1 : 2;
    Operand<T> y = x;
    for (int i = 0; i < size.length; i++) {
      y = repeatElements(tf, y, size[i], first + i);
    }
    return y;
  }

  /**
   * {@code UpSampling2D(interpolation="bilinear")}: resizes the two spatial axes to {@code size[i]}
   * times their length by bilinear interpolation (ResizeBilinear, which has a gradient).
   *
   * @param halfPixelCenters true for tf.keras 2 and Keras 3 ({@code tf.image.resize}: sample {@code
   *     i} of the output reads input position {@code (i + 0.5) / size - 0.5}, clamped at the
   *     borders); false for standalone Keras 2.0 to 2.3 on TensorFlow 1 ({@code
   *     tf.image.resize_bilinear}: position {@code i / size})
   */
  public static Operand<TFloat32> upSamplingBilinear(
      Ops tf, Operand<TFloat32> x, int[] size, DataFormat format, boolean halfPixelCenters) {
    if (Tensors.rank(x, "UpSampling2D") != 4 || size.length != 2) {
      throw new IllegalArgumentException(
          "Bilinear up-sampling takes a rank-4 input and 2 factors; found shape "
              + x.shape()
              + " and "
              + size.length
              + " factors.");
    }
    Operand<TFloat32> in = format == DataFormat.CHANNELS_FIRST ? Tensors.toChannelsLast(tf, x) : x;
    long h = in.shape().get(1);
    long w = in.shape().get(2);
    Operand<TInt32> newSize;
    if (h >= 0 && w >= 0) {
      newSize = tf.constant(new int[] {(int) h * size[0], (int) w * size[1]});
    } else {
      Operand<TInt32> hw =
          tf.slice(tf.shape(in), tf.constant(new int[] {1}), tf.constant(new int[] {2}));
      newSize = tf.math.mul(hw, tf.constant(size));
    }
    Operand<TFloat32> y =
        tf.image.resizeBilinear(
            in,
            newSize,
            ResizeBilinear.alignCorners(false),
            ResizeBilinear.halfPixelCenters(halfPixelCenters));
    return format == DataFormat.CHANNELS_FIRST ? Tensors.toChannelsFirst(tf, y) : y;
  }

  /** Repeats each element {@code times} times along {@code axis}, like numpy.repeat. */
  public static <T extends TType> Operand<T> repeatElements(
      Ops tf, Operand<T> x, int times, int axis) {
    if (times == 1) {
      return x;
    }
    long length = x.shape().get(axis);
    if (length >= 0) {
      int[] indices = new int[(int) (length * times)];
      for (int i = 0; i < indices.length; i++) {
        indices[i] = i / times;
      }
      return tf.gather(x, tf.constant(indices), tf.constant(axis));
    }
    Operand<TInt32> n = tf.gather(tf.shape(x), tf.constant(axis), tf.constant(0));
    Operand<TInt32> range =
        tf.range(tf.constant(0), tf.math.mul(n, tf.constant(times)), tf.constant(1));
    return tf.gather(x, tf.math.floorDiv(range, tf.constant(times)), tf.constant(axis));
  }

  private static <T extends TType> Class<T> typeOf(Operand<T> x) {
    return x.type();
  }
}
