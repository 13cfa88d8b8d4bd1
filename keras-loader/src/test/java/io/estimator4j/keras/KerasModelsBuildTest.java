package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.keras.file.UnsupportedKerasLayerException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Every model in shared/keras/models and every architecture in shared/keras/configs builds and runs
 * on random input (finite outputs of the expected batch size). The one file that must not build,
 * yolo9000_tf_keras_2.json, is refused naming its Lambda layer.
 */
class KerasModelsBuildTest {
  private static final String LAMBDA_CONFIG = "yolo9000_tf_keras_2.json";
  private static final int BATCH = 2;
  private static final int UNKNOWN_DIM = 3;

  static Stream<Path> files() throws IOException {
    try (Stream<Path> models = Files.list(TestData.keras("models"));
        Stream<Path> configs = Files.list(TestData.keras("configs"))) {
      return Stream.concat(models.sorted(), configs.sorted())
          .filter(p -> !p.getFileName().toString().equals(LAMBDA_CONFIG))
          // -Dkeras.models=rnn_ runs a subset while working on one family
          .filter(
              p -> p.getFileName().toString().startsWith(System.getProperty("keras.models", "")))
          .toList()
          .stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void buildsAndRunsOnRandomInput(Path file) throws IOException {
    try (KerasModel model = KerasModel.load(file)) {
      Random random = new Random(42);
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      try {
        for (Map.Entry<String, Operand<?>> in : model.inputs().entrySet()) {
          feeds.put(in.getKey(), randomInput(in.getValue(), random));
        }
        Map<String, Tensor> out = model.predict(feeds);
        try {
          assertThat(out.keySet()).containsExactlyElementsOf(model.outputs().keySet());
          for (Map.Entry<String, Tensor> e : out.entrySet()) {
            Tensor t = e.getValue();
            assertThat(t.shape().get(0)).as("batch of %s", e.getKey()).isEqualTo(BATCH);
            if (t instanceof TFloat32 f) {
              float[] v = new float[(int) f.size()];
              f.copyTo(DataBuffers.of(v, false, false));
              for (float x : v) {
                assertThat(Float.isFinite(x)).as("finite output of %s", e.getKey()).isTrue();
              }
            }
          }
        } finally {
          out.values().forEach(Tensor::close);
        }
      } finally {
        feeds.values().forEach(Tensor::close);
      }
    }
  }

  @Test
  void refusesTheLambdaLayerOfYolo9000() throws IOException {
    KerasModelFile file = KerasModelFile.read(TestData.keras("configs/" + LAMBDA_CONFIG));
    assertThatThrownBy(() -> KerasModel.build(file))
        .isInstanceOfSatisfying(
            UnsupportedKerasLayerException.class,
            e -> {
              assertThat(e.className()).isEqualTo("Lambda");
              assertThat(e.layerName()).isEqualTo("space_to_depth_x2");
            })
        .hasMessageContaining("Layer 'space_to_depth_x2' (Lambda)")
        .hasMessageContaining(LAMBDA_CONFIG)
        .hasMessageContaining("never executed");
  }

  static Tensor randomInput(Operand<?> placeholder, Random random) {
    long[] dims = placeholder.shape().asArray();
    dims[0] = BATCH;
    for (int i = 1; i < dims.length; i++) {
      if (dims[i] < 0) {
        dims[i] = UNKNOWN_DIM;
      }
    }
    Shape shape = Shape.of(dims);
    int n = (int) shape.size();
    if (placeholder.type() == TFloat32.class) {
      float[] v = new float[n];
      for (int i = 0; i < n; i++) {
        v[i] = random.nextFloat();
      }
      return TFloat32.tensorOf(shape, DataBuffers.of(v, true, false));
    }
    // integer inputs feed Embedding layers: small ids valid for every vocabulary here
    if (placeholder.type() == TInt64.class) {
      long[] v = new long[n];
      for (int i = 0; i < n; i++) {
        v[i] = random.nextInt(5);
      }
      return TInt64.tensorOf(shape, DataBuffers.of(v, true, false));
    }
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = random.nextInt(5);
    }
    return TInt32.tensorOf(shape, DataBuffers.of(v, true, false));
  }
}
