package io.estimator4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.estimator4j.keras.KerasSavedModel;
import io.estimator4j.savedmodel.JavaArray;
import io.estimator4j.savedmodel.SavedModelPredictor;
import io.estimator4j.serving.ModelServer;
import io.estimator4j.testing.TestData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TFloat32;

/** A Keras model converted as {@code e4j keras convert} does serves through the model server. */
class ServeKerasTest {
  @TempDir Path tmp;

  @Test
  void convertedKerasModelServesOverRest() throws Exception {
    Path base = tmp.resolve("mlp");
    KerasSavedModel.convert(TestData.path("keras/models/mlp_1.h5"), base.resolve("1"));
    try (ModelServer server =
            ModelServer.builder()
                .model("mlp", base)
                .host("127.0.0.1")
                .restApiPort(0)
                .grpcPort(-1)
                .fileSystemPollWaitSeconds(0)
                .start();
        SavedModelPredictor local = SavedModelPredictor.load(base.resolve("1"), Set.of("serve"))) {
      SignatureDef sig = local.signature("serving_default");
      assertThat(sig.getInputsCount()).isEqualTo(1);
      Map.Entry<String, TensorInfo> in = sig.getInputsMap().entrySet().iterator().next();
      long[] shape =
          in.getValue().getTensorShape().getDimList().stream()
              .mapToLong(d -> d.getSize() < 0 ? 2 : d.getSize())
              .toArray();
      int n = (int) Shape.of(shape).size();
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = (i % 7) / 7.0f;
      }
      Map<String, JavaArray> expected;
      try (TFloat32 t = TFloat32.tensorOf(Shape.of(shape), DataBuffers.of(x))) {
        expected = local.predictArrays("serving_default", Map.of(in.getKey(), t));
      }
      ObjectMapper json = new ObjectMapper();
      String body =
          "{\"inputs\": {"
              + json.writeValueAsString(in.getKey())
              + ": "
              + json.writeValueAsString(nest(x, shape, 0, 0))
              + "}}";
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create(
                              "http://127.0.0.1:"
                                  + server.restApiPort()
                                  + "/v1/models/mlp:predict"))
                      .timeout(Duration.ofSeconds(30))
                      .POST(HttpRequest.BodyPublishers.ofString(body))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode outputs = json.readTree(r.body()).get("outputs");
      JavaArray want = expected.values().iterator().next();
      JsonNode got =
          expected.size() == 1 ? outputs : outputs.get(expected.keySet().iterator().next());
      float[] flat = want.floats();
      java.util.List<Float> gotFlat = new java.util.ArrayList<>();
      flatten(got, gotFlat);
      assertThat(gotFlat).hasSize(flat.length);
      for (int i = 0; i < flat.length; i++) {
        assertThat(gotFlat.get(i)).isEqualTo(flat[i]);
      }
    }
  }

  static Object nest(float[] x, long[] shape, int dim, int offset) {
    if (dim == shape.length) {
      return x[offset];
    }
    int stride = 1;
    for (int d = dim + 1; d < shape.length; d++) {
      stride *= (int) shape[d];
    }
    Object[] out = new Object[(int) shape[dim]];
    for (int i = 0; i < out.length; i++) {
      out[i] = nest(x, shape, dim + 1, offset + i * stride);
    }
    return out;
  }

  static void flatten(JsonNode n, java.util.List<Float> out) {
    if (n.isArray()) {
      n.forEach(c -> flatten(c, out));
    } else {
      out.add(n.floatValue());
    }
  }
}
