package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/**
 * Every Keras reference case in shared/keras/cases: the model loaded from its model.h5 must give
 * Keras's own predictions, |got - expected| <= atol + rtol * |expected| element by element.
 */
class KerasCasesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  static Stream<Path> cases() throws IOException {
    try (Stream<Path> dirs = Files.list(TestData.keras("cases"))) {
      return dirs.filter(d -> Files.exists(d.resolve("case.json"))).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void predictsKerasNumbers(Path dir) throws IOException {
    JsonNode spec = JSON.readTree(dir.resolve("case.json").toFile());
    double atol = spec.path("atol").asDouble();
    double rtol = spec.path("rtol").asDouble();
    List<String> inputs = names(spec.path("inputs"));
    List<String> outputs = names(spec.path("outputs"));
    try (KerasModel model = KerasModel.load(dir.resolve("model.h5"))) {
      assertThat(model.inputs().keySet()).containsExactlyElementsOf(inputs);
      assertThat(model.outputs().keySet()).containsExactlyElementsOf(outputs);
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      try {
        for (int i = 0; i < inputs.size(); i++) {
          feeds.put(
              inputs.get(i),
              TestNpy.read(dir.resolve("inputs/" + i + "_" + inputs.get(i) + ".npy")).toTensor());
        }
        Map<String, Tensor> got = model.predict(feeds);
        try {
          for (int i = 0; i < outputs.size(); i++) {
            TestNpy.Array expected =
                TestNpy.read(dir.resolve("expected/" + i + "_" + outputs.get(i) + ".npy"));
            TFloat32 actual = (TFloat32) got.get(outputs.get(i));
            assertThat(actual.shape())
                .as("shape of %s", outputs.get(i))
                .isEqualTo(expected.shape());
            float[] values = new float[(int) actual.size()];
            actual.copyTo(DataBuffers.of(values, false, false));
            assertClose(outputs.get(i), values, expected.values(), atol, rtol);
          }
        } finally {
          got.values().forEach(Tensor::close);
        }
      } finally {
        feeds.values().forEach(Tensor::close);
      }
    }
  }

  static void assertClose(String what, float[] got, float[] expected, double atol, double rtol) {
    assertThat(got).as(what).hasSameSizeAs(expected);
    double worst = 0;
    int worstAt = -1;
    for (int i = 0; i < got.length; i++) {
      double excess = Math.abs(got[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
      if (excess > worst || Double.isNaN(got[i])) {
        worst = Double.isNaN(got[i]) ? Double.POSITIVE_INFINITY : excess;
        worstAt = i;
      }
    }
    assertThat(worstAt)
        .as(
            "%s: element %d is %s, Keras gives %s",
            what, worstAt, worstAt < 0 ? "" : got[worstAt], worstAt < 0 ? "" : expected[worstAt])
        .isEqualTo(-1);
  }

  private static List<String> names(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
