package io.estimator4j.keras;

import java.nio.file.Path;
import java.util.Map;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Keras reference files ({@code testdata/keras}) and helpers to run a model on them. */
final class TestData {

  private TestData() {}

  /** {@code testdata/keras/<relative>}. */
  static Path keras(String relative) {
    return io.estimator4j.testing.TestData.path("keras/" + relative);
  }

  /**
   * Runs {@code model} on {@code feeds} and returns the values of output {@code output} (the first
   * output when null); closes every output tensor.
   */
  static float[] predict(KerasModel model, Map<String, ? extends Tensor> feeds, String output) {
    Map<String, Tensor> out = model.predict(feeds);
    try {
      return floats(output == null ? out.values().iterator().next() : out.get(output));
    } finally {
      out.values().forEach(Tensor::close);
    }
  }

  /** The values of a float32 tensor, row-major. */
  static float[] floats(Tensor t) {
    TFloat32 f = (TFloat32) t;
    float[] v = new float[(int) f.size()];
    f.copyTo(DataBuffers.of(v, false, false));
    return v;
  }
}
