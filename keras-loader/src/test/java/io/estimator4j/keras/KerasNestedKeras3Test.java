package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * A model nested in another in a Keras 3 archive: model.weights.h5 mirrors the object tree, so the
 * inner Sequential's Dense is at {@code layers/sequential/layers/dense/vars/*} and the outer Dense
 * at {@code layers/dense/vars/*} (each container numbers its layers per class; a Sequential's
 * InputLayer is not among them).
 */
class KerasNestedKeras3Test {
  @TempDir Path tmp;

  @Test
  void nestedWeightsAreReadFromTheObjectTree() throws Exception {
    String config =
        """
        {"module": "keras", "class_name": "Sequential", "config": {"name": "outer", "layers": [
          {"module": "keras.layers", "class_name": "InputLayer",
           "config": {"batch_shape": [null, 2], "dtype": "float32", "name": "x"}},
          {"module": "keras", "class_name": "Sequential", "config": {"name": "inner", "layers": [
            {"module": "keras.layers", "class_name": "InputLayer",
             "config": {"batch_shape": [null, 2], "dtype": "float32", "name": "inner_x"}},
            {"module": "keras.layers", "class_name": "Dense",
             "config": {"name": "d1", "units": 2, "activation": "relu", "use_bias": true}}]}},
          {"module": "keras.layers", "class_name": "Dense",
           "config": {"name": "d2", "units": 1, "activation": "linear", "use_bias": true}}]}}
        """;
    Path weights = tmp.resolve("model.weights.h5");
    try (WritableHdfFile h5 = HdfFile.write(weights)) {
      WritableGroup layers = h5.putGroup("layers");
      WritableGroup inner =
          layers.putGroup("sequential").putGroup("layers").putGroup("dense").putGroup("vars");
      inner.putDataset("0", new float[][] {{1, -1}, {2, 1}}); // d1 kernel [2, 2]
      inner.putDataset("1", new float[] {0, 1}); // d1 bias
      WritableGroup outer = layers.putGroup("dense").putGroup("vars");
      outer.putDataset("0", new float[][] {{3}, {-2}}); // d2 kernel [2, 1]
      outer.putDataset("1", new float[] {0.5f}); // d2 bias
    }
    Path archive = tmp.resolve("nested.keras");
    TestFiles.writeKeras3(archive, config, weights);
    try (KerasModel model = KerasModel.load(archive);
        TFloat32 x =
            TFloat32.tensorOf(
                Shape.of(2, 2), DataBuffers.of(new float[] {1, 1, 2, -1}, true, false))) {
      // x = [1, 1]: d1 = relu([1 + 2, -1 + 1] + [0, 1]) = [3, 1]; d2 = 3·3 - 2·1 + 0.5 = 7.5
      // x = [2, -1]: d1 = relu([2 - 2, -2 - 1] + [0, 1]) = [0, 0]; d2 = 0.5
      assertThat(TestData.predict(model, Map.of("x", x), null))
          .containsExactly(new float[] {7.5f, 0.5f}, within(1e-6f));
    }
  }
}
