package io.estimator4j.serving;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusResponse;
import tensorflow.serving.ModelManagement.ReloadConfigRequest;
import tensorflow.serving.ModelManagement.ReloadConfigResponse;
import tensorflow.serving.ModelServiceGrpc;
import tensorflow.serving.Status.StatusProto;

/**
 * TF Serving's gRPC {@code tensorflow.serving.ModelService}: {@code GetModelStatus} and {@code
 * HandleReloadConfigRequest} (which replaces the served model set, as TF Serving's
 * model_service_impl.cc does through {@code ServerCore::ReloadConfig}).
 */
final class ModelServiceApi extends ModelServiceGrpc.ModelServiceImplBase {
  private final ModelManager manager;
  private final Executor pool;

  /**
   * Every call runs on {@code pool}: a status call waits for the manager, a reload loads models.
   */
  ModelServiceApi(ModelManager manager, Executor pool) {
    this.manager = manager;
    this.pool = pool;
  }

  @Override
  public void getModelStatus(
      GetModelStatusRequest request, StreamObserver<GetModelStatusResponse> out) {
    GrpcApi.dispatch(pool, false, out, () -> status(request, out));
  }

  private void status(GetModelStatusRequest request, StreamObserver<GetModelStatusResponse> out) {
    GrpcApi.answer(
        out,
        () -> {
          if (!request.hasModelSpec()) {
            throw ServingException.invalid("Missing ModelSpec");
          }
          var spec = request.getModelSpec();
          return manager.status(
              spec.getName(),
              spec.hasVersion() ? spec.getVersion().getValue() : null,
              spec.getVersionLabel().isEmpty() ? null : spec.getVersionLabel());
        });
  }

  @Override
  public void handleReloadConfigRequest(
      ReloadConfigRequest request, StreamObserver<ReloadConfigResponse> out) {
    GrpcApi.dispatch(pool, false, out, () -> reload(request, out));
  }

  private void reload(ReloadConfigRequest request, StreamObserver<ReloadConfigResponse> out) {
    GrpcApi.answer(
        out,
        () -> {
          if (request.getConfig().getConfigCase()
              != tensorflow.serving.ModelServerConfigOuterClass.ModelServerConfig.ConfigCase
                  .MODEL_CONFIG_LIST) {
            throw ServingException.invalid(
                "ServerModelConfig type not supported by HandleReloadConfigRequest."
                    + " Only ModelConfigList is currently supported");
          }
          manager.reload(ModelConfigFile.models(request.getConfig(), "ReloadConfigRequest"));
          return ReloadConfigResponse.newBuilder()
              .setStatus(StatusProto.getDefaultInstance())
              .build();
        });
  }
}
