package io.estimator4j.estimator.layers;

import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Initializers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Squeeze;
import org.tensorflow.op.nn.Conv2d;
import org.tensorflow.op.nn.Conv2dBackpropInput;
import org.tensorflow.op.nn.Conv3d;
import org.tensorflow.op.nn.Conv3dBackpropInput;
import org.tensorflow.op.nn.DepthwiseConv2dNative;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A convolution layer over 1 to 3 spatial axes; Java counterpart of tf.keras.layers.Conv1D/2D/3D
 * ({@link Kind#STANDARD}, with {@code groups}), Conv1DTranspose/2DTranspose/3DTranspose ({@link
 * Kind#TRANSPOSE}), DepthwiseConv1D/2D ({@link Kind#DEPTHWISE}) and SeparableConv1D/2D ({@link
 * Kind#SEPARABLE}).
 *
 * <p>Weights are asked for in Keras's order and layout: {@code kernel} {@code [k..., in / groups,
 * filters]} (transposed: {@code [k..., filters, in]}), {@code depthwise_kernel} {@code [k..., in,
 * depth_multiplier]}, {@code pointwise_kernel} {@code [1..., in * depth_multiplier, filters]}, then
 * {@code bias}. One-dimensional convolutions run as two-dimensional ones over a unit axis and
 * {@code causal} padding left-pads the time axis, both as Keras's TensorFlow backend does.
 */
public final class Convolution {
  /** Which convolution. */
  public enum Kind {
    STANDARD,
    TRANSPOSE,
    DEPTHWISE,
    SEPARABLE
  }

  private final Kind kind;
  private final int filters;
  private final int[] kernelSize;
  private final int[] strides;
  private final int[] dilation;
  private final String padding;
  private final DataFormat format;
  private final int groups;
  private final int depthMultiplier;
  private final int[] outputPadding;
  private final boolean useBias;
  private final Activation activation;
  private final Initializer kernelInitializer;
  private final Initializer pointwiseInitializer;
  private final Initializer biasInitializer;

  private Convolution(Builder b) {
    this.kind = b.kind;
    this.filters = b.filters;
    this.kernelSize = b.kernelSize;
    this.strides = b.strides != null ? b.strides : ones(b.kernelSize.length);
    this.dilation = b.dilation != null ? b.dilation : ones(b.kernelSize.length);
    this.padding = b.padding;
    this.format = b.format;
    this.groups = b.groups;
    this.depthMultiplier = b.depthMultiplier;
    this.outputPadding = b.outputPadding;
    this.useBias = b.useBias;
    this.activation = b.activation;
    this.kernelInitializer = b.kernelInitializer;
    this.pointwiseInitializer = b.pointwiseInitializer;
    this.biasInitializer = b.biasInitializer;
  }

  /** Starts a convolution of this kind with {@code kernelSize.length} (1 to 3) spatial axes. */
  public static Builder builder(Kind kind, int... kernelSize) {
    return new Builder(kind, kernelSize);
  }

  /**
   * Builds the layer on {@code x} ({@code [batch, spatial..., channels]}, or channels first),
   * asking {@code weights} for its weights in the scope {@code scope}.
   */
  public Operand<TFloat32> apply(Ops scope, Operand<TFloat32> x, Weights weights) {
    int spatial = kernelSize.length;
    if (Tensors.rank(x, "Convolution") != spatial + 2) {
      throw new IllegalArgumentException(
          "A "
              + spatial
              + "D convolution expects an input of rank "
              + (spatial + 2)
              + " ([batch, spatial..., channels]); found shape "
              + x.shape()
              + ".");
    }
    Ops tf = scope;
    Operand<TFloat32> in = format == DataFormat.CHANNELS_FIRST ? Tensors.toChannelsLast(tf, x) : x;
    long channels = Tensors.dim(in, -1);
    if (channels < 0) {
      throw new IllegalArgumentException(
          "The channel dimension of a convolution's input must be known; found shape "
              + x.shape()
              + ".");
    }
    long outChannels;
    Operand<TFloat32> y;
    switch (kind) {
      case STANDARD -> {
        if (channels % groups != 0 || filters % groups != 0) {
          throw new IllegalArgumentException(
              "groups="
                  + groups
                  + " must divide the input channels ("
                  + channels
                  + ") and the filters ("
                  + filters
                  + ").");
        }
        Operand<TFloat32> kernel =
            weights.get(
                scope, "kernel", kernelShape(channels / groups, filters), kernelInitializer, true);
        y = grouped(tf, in, kernel);
        outChannels = filters;
      }
      case TRANSPOSE -> {
        Operand<TFloat32> kernel =
            weights.get(scope, "kernel", kernelShape(filters, channels), kernelInitializer, true);
        y = transposed(tf, in, kernel);
        outChannels = filters;
      }
      case DEPTHWISE -> {
        Operand<TFloat32> kernel =
            weights.get(
                scope,
                "depthwise_kernel",
                kernelShape(channels, depthMultiplier),
                kernelInitializer,
                true);
        y = depthwise(tf, causalPad(tf, in), kernel);
        outChannels = channels * depthMultiplier;
      }
      default -> {
        Operand<TFloat32> depthwise =
            weights.get(
                scope,
                "depthwise_kernel",
                kernelShape(channels, depthMultiplier),
                kernelInitializer,
                true);
        long[] pointwise = new long[spatial + 2];
        Arrays.fill(pointwise, 1);
        pointwise[spatial] = channels * depthMultiplier;
        pointwise[spatial + 1] = filters;
        Operand<TFloat32> pointwiseKernel =
            weights.get(scope, "pointwise_kernel", Shape.of(pointwise), pointwiseInitializer, true);
        Operand<TFloat32> d = depthwise(tf, causalPad(tf, in), depthwise);
        y = convolve(tf, d, pointwiseKernel, ones(spatial), "valid", ones(spatial));
        outChannels = filters;
      }
    }
    if (useBias) {
      Operand<TFloat32> bias =
          weights.get(scope, "bias", Shape.of(outChannels), biasInitializer, true);
      y = tf.nn.biasAdd(y, bias);
    }
    y = activation.apply(tf, y);
    return format == DataFormat.CHANNELS_FIRST ? Tensors.toChannelsFirst(tf, y) : y;
  }

  private Shape kernelShape(long second, long last) {
    long[] dims = new long[kernelSize.length + 2];
    for (int i = 0; i < kernelSize.length; i++) {
      dims[i] = kernelSize[i];
    }
    dims[kernelSize.length] = second;
    dims[kernelSize.length + 1] = last;
    return Shape.of(dims);
  }

  private Operand<TFloat32> grouped(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel) {
    if (groups == 1) {
      return convolve(tf, x, kernel, strides, padding, dilation);
    }
    int spatial = kernelSize.length;
    List<Output<TFloat32>> xs = tf.split(tf.constant(spatial + 1), x, (long) groups).output();
    List<Output<TFloat32>> ks = tf.split(tf.constant(spatial + 1), kernel, (long) groups).output();
    List<Operand<TFloat32>> ys = new ArrayList<>();
    for (int g = 0; g < groups; g++) {
      ys.add(convolve(tf, xs.get(g), ks.get(g), strides, padding, dilation));
    }
    return tf.concat(ys, tf.constant(spatial + 1));
  }

  /**
   * A standard channels-last convolution (rank 1 through rank 3, causal padding included). A
   * dilation above 1 runs as Keras runs it, through {@code tf.nn.convolution}'s space-to-batch path
   * (see {@link #withSpaceToBatch}): TensorFlow's CPU kernels refuse dilated Conv3D and the
   * gradients of dilated Conv2D without oneDNN.
   */
  static Operand<TFloat32> convolve(
      Ops tf,
      Operand<TFloat32> x,
      Operand<TFloat32> kernel,
      int[] strides,
      String padding,
      int[] dilation) {
    int spatial = strides.length;
    Operand<TFloat32> in = x;
    String pad = tfPadding(padding, spatial == 1);
    if (padding.equals("causal")) {
      long k = kernel.shape().get(0);
      int left = (int) (dilation[0] * (k - 1));
      in = tf.pad(x, tf.constant(new int[][] {{0, 0}, {left, 0}, {0, 0}}), tf.constant(0f));
    }
    if (dilated(dilation)) {
      requireUnitStrides(strides, dilation);
      int[] ones = ones(spatial);
      return withSpaceToBatch(
          tf,
          in,
          kernelSpatialSize(kernel, spatial),
          dilation,
          padding.equals("causal") ? "valid" : padding,
          t -> convolve(tf, t, kernel, ones, "valid", ones));
    }
    switch (spatial) {
      case 1 -> {
        Operand<TFloat32> x4 = tf.expandDims(in, tf.constant(1));
        Operand<TFloat32> k4 = tf.expandDims(kernel, tf.constant(0));
        Operand<TFloat32> y =
            tf.nn.conv2d(
                x4,
                k4,
                Tensors.longs(1, 1, strides[0], 1),
                pad,
                Conv2d.dilations(Tensors.longs(1, 1, dilation[0], 1)));
        return tf.squeeze(y, Squeeze.axis(List.of(1L)));
      }
      case 2 -> {
        return tf.nn.conv2d(
            in,
            kernel,
            Tensors.longs(1, strides[0], strides[1], 1),
            pad,
            Conv2d.dilations(Tensors.longs(1, dilation[0], dilation[1], 1)));
      }
      default -> {
        return tf.nn.conv3d(
            in,
            kernel,
            Tensors.longs(1, strides[0], strides[1], strides[2], 1),
            pad,
            Conv3d.dilations(Tensors.longs(1, dilation[0], dilation[1], dilation[2], 1)));
      }
    }
  }

  /**
   * Depthwise and separable 1D convolutions with {@code causal} padding: the time axis is
   * left-padded by {@code dilation * (kernel - 1)} zeros (then the convolution is valid), as
   * Keras's {@code _compute_causal_padding}; other paddings leave {@code x} as it is.
   */
  private Operand<TFloat32> causalPad(Ops tf, Operand<TFloat32> x) {
    if (!padding.equals("causal")) {
      return x;
    }
    int left = dilation[0] * (kernelSize[0] - 1);
    return tf.pad(x, tf.constant(new int[][] {{0, 0}, {left, 0}, {0, 0}}), tf.constant(0f));
  }

  private static boolean dilated(int[] dilation) {
    for (int d : dilation) {
      if (d != 1) {
        return true;
      }
    }
    return false;
  }

  private static void requireUnitStrides(int[] strides, int[] dilation) {
    for (int st : strides) {
      if (st != 1) {
        throw new IllegalArgumentException(
            "A convolution with dilation_rate "
                + Arrays.toString(dilation)
                + " needs strides of 1; found "
                + Arrays.toString(strides)
                + " (tf.nn.convolution refuses strides > 1 with dilation_rate > 1 too).");
      }
    }
  }

  private static int[] kernelSpatialSize(Operand<TFloat32> kernel, int spatial) {
    int[] k = new int[spatial];
    for (int i = 0; i < spatial; i++) {
      k[i] = (int) kernel.shape().get(i);
    }
    return k;
  }

  /**
   * Applies {@code valid}, a convolution with dilation 1 and stride 1 and VALID padding, to {@code
   * x} (channels last, {@code dilation.length} spatial axes) as a convolution dilated by {@code
   * dilation} with {@code padding}, the way tf.nn.convolution does it (nn_ops {@code
   * _WithSpaceToBatch}, array_ops {@code required_space_to_batch_paddings}): per spatial axis of
   * size n, kernel k and rate d, SAME pads {@code (k - 1) * d} split as {@code [p / 2, p - p / 2]}
   * (VALID none), then {@code extra = (d - (n + pads) % d) % d} more at the end so the blocks tile
   * the input; {@code y = BatchToSpaceND(valid(SpaceToBatchND(x, d, paddings)), d, [0, extra])}.
   * Sizes unknown until run time are computed in the graph.
   */
  static Operand<TFloat32> withSpaceToBatch(
      Ops tf,
      Operand<TFloat32> x,
      int[] kernel,
      int[] dilation,
      String padding,
      java.util.function.UnaryOperator<Operand<TFloat32>> valid) {
    int m = dilation.length;
    boolean same = padding.equals("same");
    int[] start = new int[m];
    int[] end = new int[m];
    for (int i = 0; i < m; i++) {
      int extra = same ? (kernel[i] - 1) * dilation[i] : 0;
      start[i] = extra / 2;
      end[i] = extra - extra / 2;
    }
    long[] shape = x.shape().asArray();
    boolean known = shape.length == m + 2;
    for (int i = 0; known && i < m; i++) {
      known = shape[i + 1] >= 0;
    }
    Operand<TInt32> paddings;
    Operand<TInt32> crops;
    if (known) {
      int[][] p = new int[m][2];
      int[][] c = new int[m][2];
      for (int i = 0; i < m; i++) {
        long full = shape[i + 1] + start[i] + end[i];
        int extra = (int) ((dilation[i] - full % dilation[i]) % dilation[i]);
        p[i] = new int[] {start[i], end[i] + extra};
        c[i] = new int[] {0, extra};
      }
      paddings = tf.constant(p);
      crops = tf.constant(c);
    } else {
      Operand<TInt32> n =
          tf.slice(tf.shape(x), tf.constant(new int[] {1}), tf.constant(new int[] {m}));
      Operand<TInt32> d = tf.constant(dilation);
      Operand<TInt32> full = tf.math.add(n, tf.constant(sum(start, end)));
      Operand<TInt32> extra = tf.math.floorMod(tf.math.sub(d, tf.math.floorMod(full, d)), d);
      Operand<TInt32> padEnd = tf.math.add(tf.constant(end), extra);
      paddings =
          tf.stack(List.of(tf.constant(start), padEnd), org.tensorflow.op.core.Stack.axis(1L));
      crops =
          tf.stack(List.of(tf.constant(new int[m]), extra), org.tensorflow.op.core.Stack.axis(1L));
    }
    Operand<TInt32> block = tf.constant(dilation);
    Operand<TFloat32> batched = tf.spaceToBatchNd(x, block, paddings);
    return tf.batchToSpaceNd(valid.apply(batched), block, crops);
  }

  private static int[] sum(int[] a, int[] b) {
    int[] out = new int[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i] + b[i];
    }
    return out;
  }

  private Operand<TFloat32> depthwise(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel) {
    String pad = padding.equals("causal") ? "valid" : padding;
    if (dilated(dilation)) {
      requireUnitStrides(strides, dilation);
      int[] ones = ones(kernelSize.length);
      return withSpaceToBatch(
          tf, x, kernelSize, dilation, pad, t -> depthwise(tf, t, kernel, ones, "valid", ones));
    }
    return depthwise(tf, x, kernel, strides, pad, dilation);
  }

  private static Operand<TFloat32> depthwise(
      Ops tf,
      Operand<TFloat32> x,
      Operand<TFloat32> kernel,
      int[] strides,
      String padding,
      int[] dilation) {
    String pad = tfPadding(padding, false);
    if (strides.length == 1) {
      Operand<TFloat32> x4 = tf.expandDims(x, tf.constant(1));
      Operand<TFloat32> k4 = tf.expandDims(kernel, tf.constant(0));
      Operand<TFloat32> y =
          tf.nn.depthwiseConv2dNative(
              x4,
              k4,
              Tensors.longs(1, 1, strides[0], 1),
              pad,
              DepthwiseConv2dNative.dilations(Tensors.longs(1, 1, dilation[0], 1)));
      return tf.squeeze(y, Squeeze.axis(List.of(1L)));
    }
    if (strides.length != 2) {
      throw new IllegalArgumentException("Depthwise convolutions have 1 or 2 spatial axes.");
    }
    return tf.nn.depthwiseConv2dNative(
        x,
        kernel,
        Tensors.longs(1, strides[0], strides[1], 1),
        pad,
        DepthwiseConv2dNative.dilations(Tensors.longs(1, dilation[0], dilation[1], 1)));
  }

  private Operand<TFloat32> transposed(Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel) {
    int spatial = kernelSize.length;
    String pad = tfPadding(padding, false);
    long[] shape = x.shape().asArray();
    int[] outDims = new int[spatial + 1];
    for (int i = 0; i < spatial; i++) {
      if (shape[i + 1] < 0) {
        throw new IllegalArgumentException(
            "Transposed convolutions need known spatial input dimensions; found shape "
                + x.shape()
                + ".");
      }
      outDims[i] =
          (int)
              transposeOutputLength(
                  shape[i + 1],
                  kernelSize[i],
                  padding,
                  outputPadding == null ? null : outputPadding[i],
                  strides[i],
                  dilation[i]);
    }
    outDims[spatial] = filters;
    int[] unit = ones(spatial);
    Operand<TFloat32> k = Arrays.equals(dilation, unit) ? kernel : dilateKernel(tf, kernel);
    Operand<TInt32> batch =
        tf.slice(tf.shape(x), tf.constant(new int[] {0}), tf.constant(new int[] {1}));
    if (spatial == 1) {
      Operand<TInt32> sizes =
          tf.concat(
              List.of(batch, tf.constant(new int[] {1, outDims[0], outDims[1]})), tf.constant(0));
      Operand<TFloat32> y =
          tf.nn.conv2dBackpropInput(
              sizes,
              tf.expandDims(k, tf.constant(0)),
              tf.expandDims(x, tf.constant(1)),
              Tensors.longs(1, 1, strides[0], 1),
              pad,
              Conv2dBackpropInput.dilations(Tensors.longs(1, 1, 1, 1)));
      return tf.squeeze(y, Squeeze.axis(List.of(1L)));
    }
    Operand<TInt32> sizes = tf.concat(List.of(batch, tf.constant(outDims)), tf.constant(0));
    if (spatial == 2) {
      return tf.nn.conv2dBackpropInput(
          sizes,
          k,
          x,
          Tensors.longs(1, strides[0], strides[1], 1),
          pad,
          Conv2dBackpropInput.dilations(Tensors.longs(1, 1, 1, 1)));
    }
    return tf.nn.conv3dBackpropInput(
        sizes,
        k,
        x,
        Tensors.longs(1, strides[0], strides[1], strides[2], 1),
        pad,
        Conv3dBackpropInput.dilations(Tensors.longs(1, 1, 1, 1, 1)));
  }

  /**
   * The kernel of a dilated transposed convolution with the dilation written out: {@code dilation -
   * 1} zeros between taps, {@code k + (k - 1) * (dilation - 1)} taps per axis. The transpose of a
   * dilated convolution is the transpose of the plain convolution with this kernel
   * (tf.nn.atrous_conv2d_transpose's definition); TensorFlow's CPU kernels of the backprop-input
   * ops take no dilation, so it is written out here.
   */
  private Operand<TFloat32> dilateKernel(Ops tf, Operand<TFloat32> kernel) {
    Operand<TFloat32> k = kernel;
    for (int a = 0; a < kernelSize.length; a++) {
      int d = dilation[a];
      if (d == 1) {
        continue;
      }
      long[] shape = k.shape().asArray();
      // [.., n, ..] -> [.., n, 1, ..] -> pad to [.., n, d, ..] -> [.., n * d, ..] -> first taps
      Operand<TFloat32> e = tf.expandDims(k, tf.constant(a + 1));
      int[][] pads = new int[shape.length + 1][2];
      pads[a + 1][1] = d - 1;
      e = tf.pad(e, tf.constant(pads), tf.constant(0f));
      long[] merged = shape.clone();
      merged[a] = shape[a] * d;
      e = tf.reshape(e, tf.constant(merged));
      int[] begin = new int[shape.length];
      int[] size = new int[shape.length];
      Arrays.fill(size, -1);
      size[a] = (int) ((shape[a] - 1) * d + 1);
      k = tf.slice(e, tf.constant(begin), tf.constant(size));
    }
    return k;
  }

  /** Keras's padding name as TensorFlow's ({@code causal} runs as VALID after left padding). */
  static String tfPadding(String keras, boolean allowCausal) {
    return switch (keras) {
      case "valid" -> "VALID";
      case "same" -> "SAME";
      case "causal" -> {
        if (!allowCausal) {
          throw new IllegalArgumentException("causal padding applies to 1D convolutions only.");
        }
        yield "VALID";
      }
      default ->
          throw new IllegalArgumentException(
              "Unknown padding '" + keras + "'. Expected valid, same or causal.");
    };
  }

  /** Keras's conv_utils.deconv_output_length: the output length of a transposed convolution. */
  public static long transposeOutputLength(
      long input, int kernel, String padding, Integer outputPadding, int stride, int dilation) {
    long k = kernel + (long) (kernel - 1) * (dilation - 1);
    if (outputPadding == null) {
      return switch (padding) {
        case "valid" -> input * stride + Math.max(k - stride, 0);
        case "full" -> input * stride - (stride + k - 2);
        default -> input * stride;
      };
    }
    long pad =
        switch (padding) {
          case "same" -> k / 2;
          case "full" -> k - 1;
          default -> 0;
        };
    return (input - 1) * stride + k - 2 * pad + outputPadding;
  }

  private static int[] ones(int n) {
    int[] out = new int[n];
    Arrays.fill(out, 1);
    return out;
  }

  /** Builder of {@link Convolution}; settings default as in Keras. */
  public static final class Builder {
    private final Kind kind;
    private final int[] kernelSize;
    private int filters = -1;
    private int[] strides;
    private int[] dilation;
    private String padding = "valid";
    private DataFormat format = DataFormat.CHANNELS_LAST;
    private int groups = 1;
    private int depthMultiplier = 1;
    private int[] outputPadding;
    private boolean useBias = true;
    private Activation activation = Activation.LINEAR;
    private Initializer kernelInitializer = Initializers.glorotUniform();
    private Initializer pointwiseInitializer = Initializers.glorotUniform();
    private Initializer biasInitializer = Initializers.zeros();

    private Builder(Kind kind, int[] kernelSize) {
      this.kind = Objects.requireNonNull(kind, "kind");
      this.kernelSize = kernelSize.clone();
    }

    /** Output channels (not used by {@link Kind#DEPTHWISE}). */
    public Builder filters(int filters) {
      this.filters = filters;
      return this;
    }

    public Builder strides(int... strides) {
      this.strides = strides.clone();
      return this;
    }

    public Builder dilationRate(int... dilation) {
      this.dilation = dilation.clone();
      return this;
    }

    /** {@code valid} (default), {@code same} or, for 1D, {@code causal}. */
    public Builder padding(String padding) {
      this.padding = Objects.requireNonNull(padding, "padding");
      return this;
    }

    public Builder dataFormat(DataFormat format) {
      this.format = Objects.requireNonNull(format, "format");
      return this;
    }

    public Builder groups(int groups) {
      this.groups = groups;
      return this;
    }

    public Builder depthMultiplier(int depthMultiplier) {
      this.depthMultiplier = depthMultiplier;
      return this;
    }

    /** Transposed convolutions only: extra output size per axis (null entries: inferred). */
    public Builder outputPadding(int... outputPadding) {
      this.outputPadding = outputPadding == null ? null : outputPadding.clone();
      return this;
    }

    public Builder useBias(boolean useBias) {
      this.useBias = useBias;
      return this;
    }

    public Builder activation(Activation activation) {
      this.activation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /** Initializer of {@code kernel} or {@code depthwise_kernel} (default glorot_uniform). */
    public Builder kernelInitializer(Initializer initializer) {
      this.kernelInitializer = Objects.requireNonNull(initializer, "initializer");
      return this;
    }

    /** Initializer of a separable convolution's {@code pointwise_kernel}. */
    public Builder pointwiseInitializer(Initializer initializer) {
      this.pointwiseInitializer = Objects.requireNonNull(initializer, "initializer");
      return this;
    }

    public Builder biasInitializer(Initializer initializer) {
      this.biasInitializer = Objects.requireNonNull(initializer, "initializer");
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException for a bad rank, filters, strides, dilation or padding
     */
    public Convolution build() {
      int n = kernelSize.length;
      if (n < 1 || n > 3) {
        throw new IllegalArgumentException(
            "Convolutions have 1 to 3 spatial axes; found kernel size "
                + Arrays.toString(kernelSize)
                + ".");
      }
      if (kind != Kind.DEPTHWISE && filters <= 0) {
        throw new IllegalArgumentException(
            "filters must be a positive integer; found " + filters + ".");
      }
      if ((strides != null && strides.length != n) || (dilation != null && dilation.length != n)) {
        throw new IllegalArgumentException(
            "strides and dilation_rate need one value per spatial axis (" + n + ").");
      }
      tfPadding(padding, n == 1 && kind != Kind.TRANSPOSE);
      if (outputPadding != null) {
        int[] s = strides != null ? strides : ones(n);
        for (int i = 0; i < n; i++) {
          if (outputPadding.length != n || outputPadding[i] >= s[i]) {
            throw new IllegalArgumentException(
                "output_padding must give one value per spatial axis, each smaller than its"
                    + " stride; found output_padding "
                    + Arrays.toString(outputPadding)
                    + " and strides "
                    + Arrays.toString(s)
                    + ".");
          }
        }
      }
      if (groups < 1 || depthMultiplier < 1) {
        throw new IllegalArgumentException("groups and depth_multiplier must be positive.");
      }
      return new Convolution(this);
    }
  }
}
