package io.estimator4j.estimator.layers;

import io.estimator4j.graph.Initializer;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TFloat32;

/**
 * A convolution whose weights are not shared across positions, with valid padding; Java counterpart
 * of tf.keras.layers.LocallyConnected1D and LocallyConnected2D in their implementation 1, with
 * their weights: {@code kernel} {@code [positions, k... * channels, filters]} and {@code bias}
 * {@code [out..., filters]}. Each output position multiplies its own input patch, as
 * tf.keras.backend.local_conv does.
 */
public final class LocallyConnected {
  private LocallyConnected() {}

  /**
   * Builds the layer.
   *
   * @param kernelSize one or two kernel lengths
   * @param strides as many strides
   */
  public static Operand<TFloat32> apply(
      Ops scope,
      Operand<TFloat32> x,
      Weights weights,
      int[] kernelSize,
      int[] strides,
      int filters,
      DataFormat format,
      boolean useBias,
      Activation activation,
      Initializer kernelInitializer,
      Initializer biasInitializer) {
    Ops tf = scope;
    int spatial = kernelSize.length;
    if (spatial < 1 || spatial > 2 || Tensors.rank(x, "LocallyConnected") != spatial + 2) {
      throw new IllegalArgumentException(
          "LocallyConnected"
              + spatial
              + "D expects an input of rank "
              + (spatial + 2)
              + "; found shape "
              + x.shape()
              + ".");
    }
    boolean last = format == DataFormat.CHANNELS_LAST;
    long[] dims = Tensors.knownDims(x, 1, "LocallyConnected");
    long channels = last ? dims[spatial] : dims[0];
    long[] in = new long[spatial];
    long[] out = new long[spatial];
    long positions = 1;
    long patch = channels;
    for (int i = 0; i < spatial; i++) {
      in[i] = last ? dims[i] : dims[i + 1];
      out[i] = RecurrentCells.convOutputLength(in[i], kernelSize[i], "valid", strides[i], 1);
      positions *= out[i];
      patch *= kernelSize[i];
    }
    Operand<TFloat32> kernel =
        weights.get(scope, "kernel", Shape.of(positions, patch, filters), kernelInitializer, true);
    Operand<TFloat32> bias = null;
    if (useBias) {
      long[] biasShape = new long[spatial + 1];
      System.arraycopy(out, 0, biasShape, 0, spatial);
      biasShape[spatial] = filters;
      bias = weights.get(scope, "bias", Shape.of(biasShape), biasInitializer, true);
    }
    List<Operand<TFloat32>> patches = new ArrayList<>();
    int[] begin = new int[spatial + 2];
    int[] size = new int[spatial + 2];
    for (int p = 0; p < positions; p++) {
      int rest = p;
      java.util.Arrays.fill(begin, 0);
      java.util.Arrays.fill(size, -1);
      for (int i = spatial - 1; i >= 0; i--) {
        int pos = (int) (rest % out[i]);
        rest /= (int) out[i];
        int axis = last ? i + 1 : i + 2;
        begin[axis] = pos * strides[i];
        size[axis] = kernelSize[i];
      }
      Operand<TFloat32> slice = tf.slice(x, tf.constant(begin), tf.constant(size));
      patches.add(tf.reshape(slice, tf.constant(new long[] {1, -1, patch})));
    }
    Operand<TFloat32> aggregate = tf.concat(patches, tf.constant(0));
    Operand<TFloat32> y =
        tf.train.batchMatMul(aggregate, kernel, TFloat32.class, new BatchMatMul.Options[0]);
    long[] grid = new long[spatial + 2];
    System.arraycopy(out, 0, grid, 0, spatial);
    grid[spatial] = -1;
    grid[spatial + 1] = filters;
    y = tf.reshape(y, tf.constant(grid));
    int[] perm =
        spatial == 2
            ? (last ? new int[] {2, 0, 1, 3} : new int[] {2, 3, 0, 1})
            : (last ? new int[] {1, 0, 2} : new int[] {1, 2, 0});
    y = Tensors.transpose(tf, y, perm);
    if (bias != null) {
      if (last) {
        y = tf.math.add(y, tf.expandDims(bias, tf.constant(0)));
      } else {
        // tf.keras.backend.bias_add reshapes (not transposes) a full bias for channels_first
        long[] b = new long[spatial + 2];
        b[0] = 1;
        b[1] = filters;
        System.arraycopy(out, 0, b, 2, spatial);
        y = tf.math.add(y, tf.reshape(bias, tf.constant(b)));
      }
    }
    return activation.apply(tf, y);
  }
}
