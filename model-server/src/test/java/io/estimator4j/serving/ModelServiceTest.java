package io.estimator4j.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Any;
import com.google.protobuf.Int64Value;
import com.google.protobuf.TextFormat;
import io.estimator4j.testing.TestData;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.tensorflow.proto.error.Code;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusResponse;
import tensorflow.serving.GetModelStatus.ModelVersionStatus;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.ModelManagement.ReloadConfigRequest;
import tensorflow.serving.ModelManagement.ReloadConfigResponse;
import tensorflow.serving.ModelServerConfigOuterClass.ModelServerConfig;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.PredictionServiceGrpc;

/**
 * TF Serving's gRPC ModelService (GetModelStatus, HandleReloadConfigRequest) through grpc-java
 * stubs generated from TF Serving's model_service.proto, against a real server on real SavedModels.
 */
class ModelServiceTest {
  static final String MODEL = "saved_model_half_plus_two_2_versions";
  static final Path BASE =
      TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_2_versions");

  static ReloadConfigRequest reload(String textConfig) throws TextFormat.ParseException {
    ModelServerConfig.Builder b = ModelServerConfig.newBuilder();
    TextFormat.merge(textConfig, b);
    return ReloadConfigRequest.newBuilder().setConfig(b).build();
  }

  static GetModelStatusRequest status(String name) {
    return GetModelStatusRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName(name))
        .build();
  }

  @Test
  void statusAndReloadSwapTheServedModels() throws Exception {
    try (ModelServer server =
        ModelServer.builder()
            .model(new ModelConfig(MODEL, BASE, VersionPolicy.specific(123L), Map.of()))
            .host("127.0.0.1")
            .restApiPort(0)
            .grpcPort(0)
            .fileSystemPollWaitSeconds(0)
            .start()) {
      ManagedChannel channel =
          NettyChannelBuilder.forAddress("127.0.0.1", server.grpcPort()).usePlaintext().build();
      try {
        ModelServiceGrpc.ModelServiceBlockingStub models =
            ModelServiceGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
        PredictionServiceGrpc.PredictionServiceBlockingStub predict =
            PredictionServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);

        GetModelStatusResponse st = models.getModelStatus(status(MODEL));
        assertThat(st.getModelVersionStatusList()).hasSize(1);
        ModelVersionStatus v = st.getModelVersionStatus(0);
        assertThat(v.getVersion()).isEqualTo(123);
        assertThat(v.getState()).isEqualTo(ModelVersionStatus.State.AVAILABLE);
        assertThat(v.getStatus().getErrorCode()).isEqualTo(Code.OK);
        // The REST status is the same proto, as JSON
        assertThat(server.restApi().handle("GET", "/v1/models/" + MODEL, "").body())
            .contains("\"state\": \"AVAILABLE\"");

        assertThatThrownBy(
                () ->
                    models.getModelStatus(
                        GetModelStatusRequest.newBuilder()
                            .setModelSpec(
                                ModelSpec.newBuilder().setName(MODEL).setVersion(Int64Value.of(9)))
                            .build()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> {
                  assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
                  assertThat(e.getStatus().getDescription())
                      .isEqualTo("Could not find version 9 of model " + MODEL);
                });
        assertThatThrownBy(() -> models.getModelStatus(GetModelStatusRequest.getDefaultInstance()))
            .hasMessage("INVALID_ARGUMENT: Missing ModelSpec");

        // Reload: the old model leaves, "hp2" serves both versions with labels.
        ReloadConfigResponse r =
            models.handleReloadConfigRequest(
                reload(
                    "model_config_list { config { name: 'hp2' base_path: '"
                        + BASE
                        + "' model_platform: 'tensorflow' model_version_policy { all {} }"
                        + " version_labels { key: 'stable' value: 123 }"
                        + " version_labels { key: 'canary' value: 124 } } }"));
        assertThat(r.getStatus().getErrorCode()).isEqualTo(Code.OK);
        assertThat(
                models.getModelStatus(status("hp2")).getModelVersionStatusList().stream()
                    .map(s -> s.getVersion() + ":" + s.getState()))
            .containsExactlyInAnyOrder("123:AVAILABLE", "124:AVAILABLE");
        assertThatThrownBy(() -> models.getModelStatus(status(MODEL)))
            .hasMessage("NOT_FOUND: Could not find any versions of model " + MODEL);
        PredictRequest.Builder req =
            PredictRequest.newBuilder().putInputs("x", GrpcApiTest.floats(1f, 2f, 5f));
        req.getModelSpecBuilder().setName("hp2").setVersionLabel("canary");
        var out = predict.predict(req.build());
        assertThat(out.getModelSpec().getVersion().getValue()).isEqualTo(124);
        // y = x / 2 + 2
        assertThat(out.getOutputsOrThrow("y").getFloatValList()).containsExactly(2.5f, 3f, 4.5f);
        req.getModelSpecBuilder().setName(MODEL).clearVersionLabel();
        assertThatThrownBy(() -> predict.predict(req.build()))
            .hasMessage("NOT_FOUND: Servable not found for request: Latest(" + MODEL + ")");

        // TF Serving's refusals
        assertThatThrownBy(
                () ->
                    models.handleReloadConfigRequest(
                        reload(
                            "model_config_list { config { name: 'hp2' base_path: '"
                                + BASE
                                + "' model_version_policy { specific { versions: 123 } }"
                                + " version_labels { key: 'canary' value: 125 } } }")))
            .hasMessage(
                "FAILED_PRECONDITION: Request to assign label to version 125 of model hp2,"
                    + " which is not currently available for inference");
        assertThatThrownBy(
                () ->
                    models.handleReloadConfigRequest(
                        ReloadConfigRequest.newBuilder()
                            .setConfig(
                                ModelServerConfig.newBuilder()
                                    .setCustomModelConfig(Any.getDefaultInstance()))
                            .build()))
            .hasMessage(
                "INVALID_ARGUMENT: ServerModelConfig type not supported by"
                    + " HandleReloadConfigRequest. Only ModelConfigList is currently supported");
        assertThatThrownBy(
                () ->
                    models.handleReloadConfigRequest(
                        reload(
                            "model_config_list { config { name: 'a' base_path: '/x' }"
                                + " config { name: 'a' base_path: '/y' } }")))
            .hasMessage("INVALID_ARGUMENT: Illegal to list model a multiple times in config list");
      } finally {
        channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
      }
    }
  }
}
