package io.estimator4j.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Int64Value;
import io.estimator4j.testing.TestData;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.Inference.InferenceTask;
import tensorflow.serving.Inference.MultiInferenceRequest;
import tensorflow.serving.InputOuterClass.ExampleList;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;

/** The gRPC PredictionService through grpc-java stubs generated from TF Serving's .proto files. */
class GrpcApiTest {
  static final String MODEL = "saved_model_half_plus_two_2_versions";
  static ModelServer server;
  static ManagedChannel channel;
  static PredictionServiceGrpc.PredictionServiceBlockingStub stub;

  @BeforeAll
  static void start() throws Exception {
    server = halfPlusTwo123().start();
    channel = NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
    stub = PredictionServiceGrpc.newBlockingStub(channel);
  }

  /** half_plus_two version 123 on a free gRPC port of 127.0.0.1, no REST, no polling. */
  static ModelServer.Builder halfPlusTwo123() {
    return ModelServer.builder()
        .model(
            new ModelConfig(
                MODEL,
                TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_2_versions"),
                VersionPolicy.specific(123L),
                Map.of()))
        .host("127.0.0.1")
        .restApiPort(-1)
        .grpcPort(0)
        .fileSystemPollWaitSeconds(0);
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  static PredictionServiceGrpc.PredictionServiceBlockingStub stub() {
    return stub.withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  static TensorProto floats(float... v) {
    TensorProto.Builder b =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_FLOAT)
            .setTensorShape(
                TensorShapeProto.newBuilder()
                    .addDim(TensorShapeProto.Dim.newBuilder().setSize(v.length))
                    .addDim(TensorShapeProto.Dim.newBuilder().setSize(1)));
    for (float f : v) {
      b.addFloatVal(f);
    }
    return b.build();
  }

  static Input examples(float... xs) {
    ExampleList.Builder l = ExampleList.newBuilder();
    for (float x : xs) {
      l.addExamples(
          Example.newBuilder()
              .setFeatures(
                  Features.newBuilder()
                      .putFeature(
                          "x",
                          Feature.newBuilder()
                              .setFloatList(FloatList.newBuilder().addValue(x))
                              .build())));
    }
    return Input.newBuilder().setExampleList(l).build();
  }

  @Test
  void predictAsTfServingsModelServerTest() {
    // tensorflow_model_server_test.py: x = [1.0, 2.0, 3.0] gives y = [2.5, 3.0, 3.5]... as 0.5x+2
    PredictResponse r =
        stub()
            .predict(
                PredictRequest.newBuilder()
                    .setModelSpec(ModelSpec.newBuilder().setName(MODEL))
                    .putInputs("x", floats(1.0f, 2.0f, 5.0f))
                    .build());
    assertThat(r.getOutputsMap().get("y").getFloatValList()).containsExactly(2.5f, 3.0f, 4.5f);
    assertThat(r.getModelSpec().getVersion().getValue()).isEqualTo(123);
    assertThat(r.getModelSpec().getSignatureName()).isEqualTo("serving_default");
    // tensor_content works as well as float_val
    java.nio.ByteBuffer bb =
        java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    bb.putFloat(1.0f).putFloat(3.0f);
    TensorProto packed =
        floats(0, 0).toBuilder()
            .clearFloatVal()
            .setTensorContent(com.google.protobuf.ByteString.copyFrom(bb.array()))
            .build();
    r =
        stub()
            .predict(
                PredictRequest.newBuilder()
                    .setModelSpec(
                        ModelSpec.newBuilder().setName(MODEL).setVersion(Int64Value.of(123)))
                    .putInputs("x", packed)
                    .build());
    assertThat(r.getOutputsMap().get("y").getFloatValList()).containsExactly(2.5f, 3.5f);
  }

  @Test
  void grpcMaxThreadsBoundsTheCallsServedAtATimeAndRefusesZero() throws Exception {
    assertThatThrownBy(() -> ModelServer.builder().grpcMaxThreads(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--grpc_max_threads must be at least 1, got 0");
    // one thread: 8 clients' calls queue and each still gets its own answer (0.5 x + 2)
    try (ModelServer one = halfPlusTwo123().grpcMaxThreads(1).start()) {
      ManagedChannel ch =
          NettyChannelBuilder.forAddress("127.0.0.1", one.grpcPort()).usePlaintext().build();
      java.util.concurrent.ExecutorService clients =
          java.util.concurrent.Executors.newFixedThreadPool(8);
      try {
        var s = PredictionServiceGrpc.newBlockingStub(ch);
        java.util.List<java.util.concurrent.Future<Float>> answers = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
          float x = i;
          answers.add(
              clients.submit(
                  () ->
                      s.withDeadlineAfter(30, TimeUnit.SECONDS)
                          .predict(
                              PredictRequest.newBuilder()
                                  .setModelSpec(ModelSpec.newBuilder().setName(MODEL))
                                  .putInputs("x", floats(x))
                                  .build())
                          .getOutputsMap()
                          .get("y")
                          .getFloatVal(0)));
        }
        for (int i = 0; i < 8; i++) {
          assertThat(answers.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(0.5f * i + 2f);
        }
      } finally {
        clients.shutdownNow();
        ch.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void classifyRegressMultiInferenceAndMetadata() throws Exception {
    ModelSpec regress =
        ModelSpec.newBuilder().setName(MODEL).setSignatureName("regress_x_to_y").build();
    ModelSpec classify =
        ModelSpec.newBuilder().setName(MODEL).setSignatureName("classify_x_to_y").build();
    assertThat(
            stub()
                .regress(
                    RegressionRequest.newBuilder()
                        .setModelSpec(regress)
                        .setInput(examples(80.0f))
                        .build())
                .getResult()
                .getRegressions(0)
                .getValue())
        .isEqualTo(42.0f);
    assertThat(
            stub()
                .classify(
                    ClassificationRequest.newBuilder()
                        .setModelSpec(classify)
                        .setInput(examples(20.0f))
                        .build())
                .getResult()
                .getClassifications(0)
                .getClasses(0)
                .getScore())
        .isEqualTo(12.0f);
    var multi =
        stub()
            .multiInference(
                MultiInferenceRequest.newBuilder()
                    .setInput(examples(10.0f))
                    .addTasks(
                        InferenceTask.newBuilder()
                            .setModelSpec(regress)
                            .setMethodName("tensorflow/serving/regress"))
                    .addTasks(
                        InferenceTask.newBuilder()
                            .setModelSpec(classify)
                            .setMethodName("tensorflow/serving/classify"))
                    .build());
    assertThat(multi.getResults(0).getRegressionResult().getRegressions(0).getValue())
        .isEqualTo(7.0f);
    assertThat(
            multi
                .getResults(1)
                .getClassificationResult()
                .getClassifications(0)
                .getClasses(0)
                .getScore())
        .isEqualTo(7.0f);
    var meta =
        stub()
            .getModelMetadata(
                GetModelMetadataRequest.newBuilder()
                    .setModelSpec(ModelSpec.newBuilder().setName(MODEL))
                    .addMetadataField("signature_def")
                    .build());
    SignatureDefMap defs = meta.getMetadataMap().get("signature_def").unpack(SignatureDefMap.class);
    assertThat(defs.getSignatureDefMap()).containsKeys("serving_default", "regress_x_to_y");
    assertThat(meta.getModelSpec().getVersion().getValue()).isEqualTo(123);
  }

  @Test
  void errorsCarryTfServingsCodes() {
    assertThatThrownBy(
            () ->
                stub()
                    .predict(
                        PredictRequest.newBuilder()
                            .setModelSpec(ModelSpec.newBuilder().setName("foo"))
                            .putInputs("x", floats(1.0f))
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("Servable not found for request: Latest(foo)");
            });
    assertThatThrownBy(
            () ->
                stub()
                    .predict(
                        PredictRequest.newBuilder()
                            .setModelSpec(ModelSpec.newBuilder().setName(MODEL))
                            .putInputs("nope", floats(1.0f))
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    TensorProto wrongType =
        TensorProto.newBuilder()
            .setDtype(DataType.DT_STRING)
            .setTensorShape(
                TensorShapeProto.newBuilder().addDim(TensorShapeProto.Dim.newBuilder().setSize(1)))
            .addStringVal(com.google.protobuf.ByteString.copyFromUtf8("a"))
            .build();
    assertThatThrownBy(
            () ->
                stub()
                    .predict(
                        PredictRequest.newBuilder()
                            .setModelSpec(ModelSpec.newBuilder().setName(MODEL))
                            .putInputs("x", wrongType)
                            .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    // still serving
    assertThat(
            stub()
                .predict(
                    PredictRequest.newBuilder()
                        .setModelSpec(ModelSpec.newBuilder().setName(MODEL))
                        .putInputs("x", floats(1.0f))
                        .build())
                .getOutputsMap()
                .get("y")
                .getFloatVal(0))
        .isEqualTo(2.5f);
  }
}
