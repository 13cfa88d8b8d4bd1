package io.estimator4j.estimator.layers;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.math.Mean;
import org.tensorflow.types.TFloat32;

/**
 * Pooling layers; Java counterparts of tf.keras.layers.MaxPooling1D/2D/3D, AveragePooling1D/2D/3D
 * and GlobalMaxPooling1D/2D/3D, GlobalAveragePooling1D/2D/3D. Padding is Keras's {@code "valid"} or
 * {@code "same"} (TensorFlow's; average pooling leaves the padding out of the count, as Keras
 * does). One-dimensional pooling runs as two-dimensional pooling over a unit axis, as Keras's
 * TensorFlow backend does.
 */
public final class Pooling {
  private Pooling() {}

  /** The two pooling reductions. */
  public enum Mode {
    MAX,
    AVERAGE
  }

  /**
   * {@code MaxPoolingND} / {@code AveragePoolingND} over {@code poolSize.length} spatial axes (1, 2
   * or 3).
   *
   * @param strides the strides, one per spatial axis (Keras defaults them to the pool size)
   * @param padding {@code "valid"} or {@code "same"}
   */
  public static Operand<TFloat32> pool(
      Ops tf,
      Operand<TFloat32> x,
      Mode mode,
      int[] poolSize,
      int[] strides,
      String padding,
      DataFormat format) {
    int spatial = poolSize.length;
    if (strides.length != spatial || spatial < 1 || spatial > 3) {
      throw new IllegalArgumentException(
          "Pooling needs 1 to 3 pool sizes and as many strides; found "
              + poolSize.length
              + " and "
              + strides.length
              + ".");
    }
    String pad = Convolution.tfPadding(padding, false);
    Operand<TFloat32> in = format == DataFormat.CHANNELS_FIRST ? Tensors.toChannelsLast(tf, x) : x;
    Operand<TFloat32> out;
    if (spatial == 1) {
      Operand<TFloat32> x4 = tf.expandDims(in, tf.constant(1));
      List<Long> k = Tensors.longs(1, 1, poolSize[0], 1);
      List<Long> s = Tensors.longs(1, 1, strides[0], 1);
      Operand<TFloat32> y =
          mode == Mode.MAX
              ? tf.nn.maxPool(
                  x4,
                  tf.constant(new int[] {1, 1, poolSize[0], 1}),
                  tf.constant(new int[] {1, 1, strides[0], 1}),
                  pad)
              : tf.nn.avgPool(x4, k, s, pad);
      out = tf.squeeze(y, org.tensorflow.op.core.Squeeze.axis(List.of(1L)));
    } else if (spatial == 2) {
      out =
          mode == Mode.MAX
              ? tf.nn.maxPool(
                  in,
                  tf.constant(new int[] {1, poolSize[0], poolSize[1], 1}),
                  tf.constant(new int[] {1, strides[0], strides[1], 1}),
                  pad)
              : tf.nn.avgPool(
                  in,
                  Tensors.longs(1, poolSize[0], poolSize[1], 1),
                  Tensors.longs(1, strides[0], strides[1], 1),
                  pad);
    } else {
      List<Long> k = Tensors.longs(1, poolSize[0], poolSize[1], poolSize[2], 1);
      List<Long> s = Tensors.longs(1, strides[0], strides[1], strides[2], 1);
      out = mode == Mode.MAX ? tf.nn.maxPool3d(in, k, s, pad) : tf.nn.avgPool3d(in, k, s, pad);
    }
    return format == DataFormat.CHANNELS_FIRST ? Tensors.toChannelsFirst(tf, out) : out;
  }

  /**
   * {@code GlobalMaxPoolingND} / {@code GlobalAveragePoolingND}: reduces every spatial axis.
   *
   * @param keepDims keep the spatial axes with size 1 (Keras's {@code keepdims})
   */
  public static Operand<TFloat32> global(
      Ops tf, Operand<TFloat32> x, Mode mode, DataFormat format, boolean keepDims) {
    int rank = Tensors.rank(x, "Global pooling");
    int[] axes = new int[rank - 2];
    int first = format == DataFormat.CHANNELS_LAST ? 1 : 2;
    for (int i = 0; i < axes.length; i++) {
      axes[i] = first + i;
    }
    return mode == Mode.MAX
        ? tf.reduceMax(x, tf.constant(axes), ReduceMax.keepDims(keepDims))
        : tf.math.mean(x, tf.constant(axes), Mean.keepDims(keepDims));
  }
}
