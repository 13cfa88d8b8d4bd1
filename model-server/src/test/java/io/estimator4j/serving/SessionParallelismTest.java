package io.estimator4j.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.ConfigProto;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * TF Serving's {@code --tensorflow_session_parallelism}, {@code --tensorflow_intra_op_parallelism}
 * and {@code --tensorflow_inter_op_parallelism}, combined as its server.cc does, and a server whose
 * sessions run each request in the receiving thread (inter-op -1) answering as TF Serving does.
 */
class SessionParallelismTest {

  @Test
  void flagsCombineAsTfServing() {
    // session parallelism alone sets both pools
    ConfigProto c = ModelServer.sessionParallelism(4, 0, 0);
    assertThat(c.getIntraOpParallelismThreads()).isEqualTo(4);
    assertThat(c.getInterOpParallelismThreads()).isEqualTo(4);
    // intra or inter given: both taken as given, session parallelism ignored
    c = ModelServer.sessionParallelism(4, 2, 0);
    assertThat(c.getIntraOpParallelismThreads()).isEqualTo(2);
    assertThat(c.getInterOpParallelismThreads()).isEqualTo(0);
    c = ModelServer.sessionParallelism(0, 0, -1);
    assertThat(c.getIntraOpParallelismThreads()).isEqualTo(0);
    assertThat(c.getInterOpParallelismThreads()).isEqualTo(-1);
    assertThatThrownBy(() -> ModelServer.sessionParallelism(1, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("You cannot configure all.");
    assertThatThrownBy(() -> ModelServer.sessionParallelism(0, -2, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be >= 0 (0: chosen by TensorFlow); got 0 and -2.");
    assertThatThrownBy(() -> ModelServer.sessionParallelism(0, 0, 100_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Session parallelism of 100000 threads")
        .hasMessageContaining("give at most 1024");
  }

  @Test
  void requestsRunInTheReceivingThreadAnswerAsTfServing() throws Exception {
    try (ModelServer server =
        RestApiTest.halfPlusTwoRest()
            .grpcPort(0)
            .sessionConfig(ModelServer.sessionParallelism(0, 0, -1))
            .start()) {
      // TF Serving's REST API page: 0.5 x + 2 for [1, 2, 5], in its layout
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
      HttpResponse<String> r =
          RestApiTest.post(
              client,
              server.restApiPort(),
              "/v1/models/half_plus_two:predict",
              "{\"instances\": [1.0, 2.0, 5.0]}");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("{\n    \"predictions\": [2.5, 3.0, 4.5\n    ]\n}");
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      try {
        var y =
            PredictionServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS)
                .predict(
                    PredictRequest.newBuilder()
                        .setModelSpec(ModelSpec.newBuilder().setName("half_plus_two"))
                        .putInputs("x", GrpcApiTest.floats(3.0f, 8.0f))
                        .build())
                .getOutputsMap()
                .get("y");
        assertThat(y.getFloatValList()).containsExactly(3.5f, 6.0f);
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }
}
