package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.modelfn.ModeKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Dilated convolutions run as Keras runs them, through tf.nn.convolution's space-to-batch path:
 * TensorFlow's CPU kernels refuse dilated Conv3D, dilated DepthwiseConv2dNative and the gradients
 * of dilated Conv2D unless oneDNN is on (it is by default on x86-64 Linux; this class also runs
 * with {@code TF_ENABLE_ONEDNN_OPTS=0}, see the keras-loader pom). Keras's own numbers for the
 * dilated Keras.js and dl4j cases are in {@link KerasCasesTest}; here every dilated kind (also with
 * sizes the rate does not divide) is checked against a convolution written out in Java.
 */
class KerasDilatedConvTest {
  @TempDir Path tmp;

  private static final List<String> DILATED_CASES =
      List.of(
          "kerasjs-convolutional.Conv1D.4",
          "kerasjs-convolutional.Conv2D.8",
          "kerasjs-convolutional.Conv2D.10",
          "kerasjs-convolutional.Conv3D.6",
          "dl4j-conv1d_k3_s1_d2_cl_same",
          "dl4j-conv1d_k4_s1_d2_cl_valid");

  @Test
  void noConvolutionNodeIsDilatedAndKerasNumbersHold() throws IOException {
    for (String name : DILATED_CASES) {
      Path dir = TestData.keras("cases/" + name);
      try (KerasModel model = KerasModel.load(dir.resolve("model.h5"))) {
        assertNoDilatedNode(model.graph(), name);
      }
      new KerasCasesTest().predictsKerasNumbers(dir);
    }
  }

  static Stream<Arguments> layers() {
    return Stream.of(
        // class, rank, kernel, rate, padding, extra config; spatial sizes 7 (not divisible by 2)
        Arguments.of("Conv1D", 1, 3, 2, "same", ""),
        Arguments.of("Conv1D", 1, 3, 3, "causal", ""),
        Arguments.of("Conv2D", 2, 3, 2, "same", ""),
        Arguments.of("Conv2D", 2, 2, 3, "valid", ""),
        Arguments.of("Conv3D", 3, 2, 2, "valid", ""),
        Arguments.of("Conv3D", 3, 3, 2, "same", ""),
        Arguments.of("DepthwiseConv2D", 2, 3, 2, "same", ", \"depth_multiplier\": 2"),
        Arguments.of("DepthwiseConv2D", 2, 2, 3, "valid", ""),
        Arguments.of("SeparableConv2D", 2, 3, 2, "same", ""));
  }

  @ParameterizedTest(name = "{0} k={2} d={3} {4}")
  @MethodSource("layers")
  void matchesADilatedConvolutionWrittenOut(
      String cls, int rank, int k, int d, String padding, String extra) throws IOException {
    int n = 7;
    int channels = 2;
    int filters = 3;
    long[] inShape = new long[rank + 2];
    java.util.Arrays.fill(inShape, n);
    inShape[0] = 2;
    inShape[rank + 1] = channels;
    String batchShape = java.util.Arrays.toString(inShape).replace("[2,", "[null,");
    String ks = java.util.Collections.nCopies(rank, Integer.toString(k)).toString();
    String ds = java.util.Collections.nCopies(rank, Integer.toString(d)).toString();
    String filtersJson = cls.startsWith("Depthwise") ? "" : ", \"filters\": " + filters;
    Path json = tmp.resolve("m.json");
    Files.writeString(
        json,
        """
        {"class_name": "Sequential", "keras_version": "2.9.0", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": %s}},
          {"class_name": "%s", "config": {"name": "c", "kernel_size": %s, "dilation_rate": %s,
            "padding": "%s", "use_bias": false, "activation": "linear"%s%s,
            "kernel_initializer": {"class_name": "RandomNormal", "config": {"seed": 1}},
            "depthwise_initializer": {"class_name": "RandomNormal", "config": {"seed": 2}},
            "pointwise_initializer": {"class_name": "RandomNormal", "config": {"seed": 3}}}}]}}
        """
            .formatted(batchShape, cls, ks, ds, padding, filtersJson, extra));
    float[] x = random(inShape, 11);
    try (KerasModel model = KerasModel.load(json)) {
      assertNoDilatedNode(model.graph(), cls);
      Session s = model.session();
      List<float[]> kernels = new ArrayList<>();
      List<long[]> kernelShapes = new ArrayList<>();
      for (var v : model.trainableVariables()) {
        try (TFloat32 t = (TFloat32) s.runner().fetch(v).run().get(0)) {
          kernels.add(TestData.floats(t));
          kernelShapes.add(t.shape().asArray());
        }
      }
      float[] got;
      try (TFloat32 in = TFloat32.tensorOf(Shape.of(inShape), DataBuffers.of(x, true, false))) {
        got = TestData.predict(model, Map.of("x", in), "c");
      }
      Ref ref = new Ref(inShape, x);
      Ref expected;
      if (cls.startsWith("Depthwise")) {
        expected = ref.depthwise(kernels.get(0), kernelShapes.get(0), d, padding);
      } else if (cls.startsWith("Separable")) {
        expected =
            ref.depthwise(kernels.get(0), kernelShapes.get(0), d, padding)
                .conv(kernels.get(1), kernelShapes.get(1), 1, "valid");
      } else {
        expected = ref.conv(kernels.get(0), kernelShapes.get(0), d, padding);
      }
      assertThat(got).hasSameSizeAs(expected.values);
      for (int i = 0; i < got.length; i++) {
        assertThat(got[i]).as("element %d", i).isCloseTo(expected.values[i], within(1e-4f));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"Conv1D", "Conv2D", "DepthwiseConv2D", "SeparableConv2D"})
  void dilatedConvolutionsTrain(String cls) throws IOException {
    // (TensorFlow's C++ gradient registry, the one tensorflow-java uses, has none for Conv3D)
    int rank = cls.endsWith("1D") ? 1 : 2;
    String shape = rank == 1 ? "[null, 7, 2]" : "[null, 6, 5, 2]";
    String ks = rank == 1 ? "[3]" : "[3, 3]";
    String ds = rank == 1 ? "[2]" : "[2, 2]";
    Path json = tmp.resolve("t.json");
    Files.writeString(
        json,
        """
        {"class_name": "Sequential", "keras_version": "2.9.0", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": %s}},
          {"class_name": "%s", "config": {"name": "c", "filters": 2, "kernel_size": %s,
            "depth_multiplier": 1,
            "dilation_rate": %s, "padding": "same", "activation": "relu"}}]}}
        """
            .formatted(shape, cls, ks, ds));
    KerasNetwork net = KerasNetwork.of(KerasModelFile.read(json));
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      long[] dims = net.inputs().get(0).shape().asArray();
      dims[0] = 3;
      Operand<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(dims)));
      KerasNetwork.Applied a = net.apply(tf, Map.of("x", in), ModeKeys.TRAIN);
      Operand<TFloat32> y = (Operand<TFloat32>) a.outputs().values().iterator().next();
      Operand<TFloat32> loss = tf.math.mean(tf.math.square(y), tf.constant(allAxes(dims.length)));
      Output<?>[] vars =
          a.trainableVariables().stream().map(v -> v.asOutput()).toArray(Output[]::new);
      Output<?>[] grads = g.addGradients(loss.asOutput(), vars);
      s.initialize();
      try (TFloat32 x =
          TFloat32.tensorOf(Shape.of(dims), DataBuffers.of(random(dims, 5), true, false))) {
        Session.Runner r = s.runner().feed(in, x);
        for (Output<?> gr : grads) {
          r.fetch(gr);
        }
        try (var result = r.run()) {
          for (int i = 0; i < grads.length; i++) {
            float[] gv = TestData.floats((Tensor) result.get(i));
            assertThat(gv).as("gradient %d", i).isNotEmpty();
            double norm = 0;
            for (float f : gv) {
              assertThat(Float.isFinite(f)).isTrue();
              norm += Math.abs(f);
            }
            assertThat(norm).as("gradient %d of %s", i, cls).isGreaterThan(0);
          }
        }
      }
    }
  }

  private static int[] allAxes(int rank) {
    int[] a = new int[rank];
    for (int i = 0; i < rank; i++) {
      a[i] = i;
    }
    return a;
  }

  private static void assertNoDilatedNode(Graph g, String what) {
    Iterator<GraphOperation> ops = g.operations();
    int convs = 0;
    while (ops.hasNext()) {
      GraphOperation op = ops.next();
      if (op.type().startsWith("Conv") || op.type().startsWith("DepthwiseConv2d")) {
        convs++;
        long[] dilations = op.attributes().getAttrIntList("dilations");
        for (long dv : dilations) {
          assertThat(dv).as("%s: %s %s dilations", what, op.type(), op.name()).isEqualTo(1);
        }
      }
    }
    assertThat(convs).as(what).isPositive();
  }

  private static float[] random(long[] shape, long seed) {
    Random r = new Random(seed);
    float[] v = new float[(int) Shape.of(shape).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  /** A channels-last tensor and dilated convolutions written out (stride 1). */
  private static final class Ref {
    final long[] shape;
    final float[] values;

    Ref(long[] shape, float[] values) {
      this.shape = shape;
      this.values = values;
    }

    int rank() {
      return shape.length - 2;
    }

    /** Output size and leading pad per axis: TF's SAME pads (k - 1) * d, half before. */
    int[][] geometry(long[] kshape, int d, String padding) {
      int m = rank();
      int[][] g = new int[m][2];
      for (int i = 0; i < m; i++) {
        int n = (int) shape[i + 1];
        int span = (int) ((kshape[i] - 1) * d);
        if (padding.equals("same")) {
          g[i] = new int[] {n, span / 2};
        } else if (padding.equals("causal")) {
          g[i] = new int[] {n, span};
        } else {
          g[i] = new int[] {n - span, 0};
        }
      }
      return g;
    }

    Ref conv(float[] kernel, long[] kshape, int d, String padding) {
      int m = rank();
      int cin = (int) shape[m + 1];
      int cout = (int) kshape[m + 1];
      int[][] geo = geometry(kshape, d, padding);
      long[] out = shape.clone();
      for (int i = 0; i < m; i++) {
        out[i + 1] = geo[i][0];
      }
      out[m + 1] = cout;
      float[] y = new float[(int) Shape.of(out).size()];
      forEach(
          out,
          idx -> {
            double acc = 0;
            int[] kidx = new int[m];
            do {
              int[] pos = new int[m];
              boolean inside = true;
              for (int i = 0; i < m; i++) {
                pos[i] = idx[i + 1] - geo[i][1] + kidx[i] * d;
                inside &= pos[i] >= 0 && pos[i] < shape[i + 1];
              }
              if (inside) {
                for (int c = 0; c < cin; c++) {
                  acc +=
                      at(values, shape, idx[0], pos, c)
                          * kernel[kernelIndex(kshape, kidx, c, idx[m + 1])];
                }
              }
            } while (next(kidx, kshape));
            y[flat(out, idx)] = (float) acc;
          });
      return new Ref(out, y);
    }

    Ref depthwise(float[] kernel, long[] kshape, int d, String padding) {
      int m = rank();
      int cin = (int) shape[m + 1];
      int mult = (int) kshape[m + 1];
      int[][] geo = geometry(kshape, d, padding);
      long[] out = shape.clone();
      for (int i = 0; i < m; i++) {
        out[i + 1] = geo[i][0];
      }
      out[m + 1] = (long) cin * mult;
      float[] y = new float[(int) Shape.of(out).size()];
      forEach(
          out,
          idx -> {
            int c = idx[m + 1] / mult;
            int q = idx[m + 1] % mult;
            double acc = 0;
            int[] kidx = new int[m];
            do {
              int[] pos = new int[m];
              boolean inside = true;
              for (int i = 0; i < m; i++) {
                pos[i] = idx[i + 1] - geo[i][1] + kidx[i] * d;
                inside &= pos[i] >= 0 && pos[i] < shape[i + 1];
              }
              if (inside) {
                acc += at(values, shape, idx[0], pos, c) * kernel[kernelIndex(kshape, kidx, c, q)];
              }
            } while (next(kidx, kshape));
            y[flat(out, idx)] = (float) acc;
          });
      return new Ref(out, y);
    }

    private static boolean next(int[] kidx, long[] kshape) {
      for (int i = kidx.length - 1; i >= 0; i--) {
        if (++kidx[i] < kshape[i]) {
          return true;
        }
        kidx[i] = 0;
      }
      return false;
    }

    private static int kernelIndex(long[] kshape, int[] kidx, int c, int o) {
      int m = kidx.length;
      long i = 0;
      for (int a = 0; a < m; a++) {
        i = i * kshape[a] + kidx[a];
      }
      i = i * kshape[m] + c;
      return (int) (i * kshape[m + 1] + o);
    }

    private static float at(float[] v, long[] shape, int b, int[] pos, int c) {
      int[] idx = new int[shape.length];
      idx[0] = b;
      System.arraycopy(pos, 0, idx, 1, pos.length);
      idx[shape.length - 1] = c;
      return v[flat(shape, idx)];
    }

    private static int flat(long[] shape, int[] idx) {
      long i = 0;
      for (int a = 0; a < shape.length; a++) {
        i = i * shape[a] + idx[a];
      }
      return (int) i;
    }

    private static void forEach(long[] shape, java.util.function.Consumer<int[]> f) {
      int[] idx = new int[shape.length];
      for (long n = 0; n < Shape.of(shape).size(); n++) {
        f.accept(idx.clone());
        for (int a = shape.length - 1; a >= 0; a--) {
          if (++idx[a] < shape[a]) {
            break;
          }
          idx[a] = 0;
        }
      }
    }
  }
}
