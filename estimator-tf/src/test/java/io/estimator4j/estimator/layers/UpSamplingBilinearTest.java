package io.estimator4j.estimator.layers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Bilinear UpSampling2D in its two conventions, on the 2x2 image {@code [[1, 2], [3, 4]]} (value
 * {@code 1 + 2 * row + col}, so bilinear interpolation at fractional position {@code (r, c)} gives
 * exactly {@code 1 + 2r + c}), up-sampled by 2 to 4x4.
 */
class UpSamplingBilinearTest {

  private static float[] upSample(
      float[] image, int h, int w, DataFormat format, boolean halfPixel) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Shape shape =
          format == DataFormat.CHANNELS_LAST ? Shape.of(1, h, w, 1) : Shape.of(1, 1, h, w);
      Operand<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
      Operand<TFloat32> y =
          Reshaping.upSamplingBilinear(tf, x, new int[] {2, 2}, format, halfPixel);
      assertThat(y.shape().asArray())
          .containsExactly(
              format == DataFormat.CHANNELS_LAST
                  ? new long[] {1, 2L * h, 2L * w, 1}
                  : new long[] {1, 1, 2L * h, 2L * w});
      try (Session s = new Session(g);
          TFloat32 t = TFloat32.tensorOf(shape, DataBuffers.of(image, true, false))) {
        return Fetch.floats(s.runner().feed(x, t), y);
      }
    }
  }

  private static void assertClose(float[] got, float[] expected) {
    assertThat(got).hasSameSizeAs(expected);
    for (int i = 0; i < got.length; i++) {
      assertThat(got[i]).as("element %d", i).isCloseTo(expected[i], within(1e-5f));
    }
  }

  @Test
  void halfPixelCentresAsTfKeras2AndKeras3() {
    // tf.image.resize: output i samples input position (i + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75,
    // 1.25, clamped to [0, 1]: fractions 0, 0.25, 0.75, 1 on both axes; value 1 + 2r + c
    float[] expected = {
      1f, 1.25f, 1.75f, 2f, // r = 0
      1.5f, 1.75f, 2.25f, 2.5f, // r = 0.25
      2.5f, 2.75f, 3.25f, 3.5f, // r = 0.75
      3f, 3.25f, 3.75f, 4f // r = 1
    };
    assertClose(upSample(new float[] {1, 2, 3, 4}, 2, 2, DataFormat.CHANNELS_LAST, true), expected);
    // channels_first: the same image with the channel axis first
    assertClose(
        upSample(new float[] {1, 2, 3, 4}, 2, 2, DataFormat.CHANNELS_FIRST, true), expected);
  }

  @Test
  void cornerSamplingAsStandaloneKeras2OnTensorFlow1() {
    // tf.image.resize_bilinear (align_corners=False, half_pixel_centers=False): output i samples
    // input position i / 2 = 0, 0.5, 1, 1.5 -> clamped to 1: fractions 0, 0.5, 1, 1
    float[] expected = {
      1f, 1.5f, 2f, 2f, // r = 0
      2f, 2.5f, 3f, 3f, // r = 0.5
      3f, 3.5f, 4f, 4f, // r = 1
      3f, 3.5f, 4f, 4f // r = 1 (clamped)
    };
    assertClose(
        upSample(new float[] {1, 2, 3, 4}, 2, 2, DataFormat.CHANNELS_LAST, false), expected);
  }

  @Test
  void hasAGradientSoModelsWithItTrain() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x =
          tf.constant(Shape.of(1, 2, 2, 1), DataBuffers.of(new float[] {1, 2, 3, 4}, true, false));
      Operand<TFloat32> y =
          Reshaping.upSamplingBilinear(tf, x, new int[] {2, 2}, DataFormat.CHANNELS_LAST, true);
      Operand<TFloat32> loss = tf.reduceSum(y, tf.constant(new int[] {0, 1, 2, 3}));
      Output<?>[] grads = g.addGradients(loss.asOutput(), new Output<?>[] {x.asOutput()});
      try (Session s = new Session(g)) {
        float[] dx = Fetch.floats(s, grads[0]);
        // d sum / d x[p]: the weights each input pixel gets over the 16 outputs. Per axis the
        // outputs take (1, 0.75, 0.25, 0) of input 0 and (0, 0.25, 0.75, 1) of input 1: 2 each,
        // so every pixel's weight is 2 * 2 = 4
        assertClose(dx, new float[] {4, 4, 4, 4});
      }
    }
  }
}
