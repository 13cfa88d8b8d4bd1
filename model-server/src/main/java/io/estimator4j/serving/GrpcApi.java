package io.estimator4j.serving;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int64Value;
import com.google.protobuf.MessageLite;
import io.estimator4j.savedmodel.JavaArray;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.proto.TensorShapeProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.TUint8;
import tensorflow.serving.Classification.ClassificationRequest;
import tensorflow.serving.Classification.ClassificationResponse;
import tensorflow.serving.Classification.ClassificationResult;
import tensorflow.serving.Classification.Classifications;
import tensorflow.serving.GetModelMetadata.GetModelMetadataRequest;
import tensorflow.serving.GetModelMetadata.GetModelMetadataResponse;
import tensorflow.serving.GetModelMetadata.SignatureDefMap;
import tensorflow.serving.Inference.InferenceResult;
import tensorflow.serving.Inference.InferenceTask;
import tensorflow.serving.Inference.MultiInferenceRequest;
import tensorflow.serving.Inference.MultiInferenceResponse;
import tensorflow.serving.InputOuterClass.Input;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.PredictionServiceGrpc;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;
import tensorflow.serving.RegressionOuterClass.RegressionResponse;
import tensorflow.serving.RegressionOuterClass.RegressionResult;

/**
 * TF Serving's gRPC {@code tensorflow.serving.PredictionService} (Predict, Classify, Regress,
 * MultiInference, GetModelMetadata) over a {@link ModelManager}, on the classes generated from TF
 * Serving's own .proto files. Errors carry TF Serving's status codes and messages.
 */
final class GrpcApi extends PredictionServiceGrpc.PredictionServiceImplBase {
  private final ModelManager manager;
  private final ServingMetrics metrics;
  private final Executor pool;

  /**
   * The server runs with grpc-java's direct executor: each call arrives on its transport (Netty)
   * thread, which hands it to {@code pool} unless the call is quick (see {@link #dispatch}).
   */
  GrpcApi(ModelManager manager, ServingMetrics metrics, Executor pool) {
    this.manager = manager;
    this.metrics = metrics;
    this.pool = pool;
  }

  /** The largest request (serialized bytes) a call may be served from on the transport thread. */
  static final int TRANSPORT_THREAD_MAX_BYTES = 64 * 1024;

  /**
   * Runs {@code call} here, on the transport thread that received it, when {@code here}, or else on
   * {@code pool}: a call that may block (a slow or batched session run, a model load) must not hold
   * the transport thread, which serves every other call of its connections. Running a quick call
   * here saves the two thread hand-offs of the pool, about 100 µs a call on a 2-core machine
   * (BENCHMARKS.md, issue 15 point 7). A pool that no longer takes calls answers UNAVAILABLE.
   */
  static void dispatch(Executor pool, boolean here, StreamObserver<?> out, Runnable call) {
    if (here) {
      call.run();
      return;
    }
    try {
      pool.execute(call);
    } catch (RejectedExecutionException e) {
      out.onError(Status.UNAVAILABLE.withDescription("Server is shutting down.").asException());
    }
  }

  /** Runs {@code work} and answers its result, or its error with TF Serving's status code. */
  static <T> void answer(StreamObserver<T> out, Supplier<T> work) {
    T result;
    try {
      result = work.get();
    } catch (RuntimeException | Error e) {
      answer(out, null, e);
      return;
    }
    answer(out, result, null);
  }

  /** Answers {@code result}, or {@code error} (when not null) with TF Serving's status code. */
  static <T> void answer(StreamObserver<T> out, T result, Throwable error) {
    if (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    if (error == null) {
      out.onNext(result);
      out.onCompleted();
    } else if (error instanceof ServingException e) {
      out.onError(
          Status.fromCodeValue(e.code().ordinal()).withDescription(e.getMessage()).asException());
    } else if (error instanceof IllegalArgumentException) {
      out.onError(Status.INVALID_ARGUMENT.withDescription(error.getMessage()).asException());
    } else {
      out.onError(Status.INTERNAL.withDescription(error.toString()).asException());
    }
  }

  private ServableVersion acquire(ModelSpec spec) {
    if (spec.getName().isEmpty()) {
      throw ServingException.invalid("Missing ModelSpec");
    }
    Long version = spec.hasVersion() ? spec.getVersion().getValue() : null;
    String label = spec.getVersionLabel().isEmpty() ? null : spec.getVersionLabel();
    return manager.acquire(spec.getName(), version, label);
  }

  private static ModelSpec spec(ServableVersion sv, String signature) {
    return ModelSpec.newBuilder()
        .setName(sv.model)
        .setVersion(Int64Value.of(sv.version))
        .setSignatureName(signature.isEmpty() ? RestApi.DEFAULT_SIGNATURE : signature)
        .build();
  }

  /**
   * The one path of every per-model call: acquires the version {@code spec} names, runs {@code
   * work} on it, releases it once {@code work}'s answer is complete, records the request's metrics
   * and answers (or fails with TF Serving's status). {@code work} never waits for a batch: with
   * batching on it queues its request ({@link ServableVersion#runAsync}) and the batch thread
   * completes the answer, so the call stays on the transport thread and no pool thread waits. With
   * batching off, {@code work} runs the session itself: on the transport thread when the model's
   * runs are quick ({@link RunCost}), else on the pool ({@link #dispatch}). A request over {@link
   * #TRANSPORT_THREAD_MAX_BYTES} always goes to the pool: converting it, or running a quick model
   * on many rows, would hold the transport thread.
   */
  private <T> void serve(
      StreamObserver<T> out,
      MessageLite request,
      ModelSpec spec,
      String api,
      Function<ServableVersion, CompletableFuture<T>> work) {
    boolean here =
        request.getSerializedSize() <= TRANSPORT_THREAD_MAX_BYTES
            && (manager.batcher() != null
                || manager.quick(
                    spec.getName(), spec.hasVersion() ? spec.getVersion().getValue() : null));
    dispatch(
        pool,
        here,
        out,
        () ->
            ServingMetrics.recordAsync(
                    metrics,
                    spec.getName(),
                    api,
                    "GRPC",
                    () -> {
                      ServableVersion sv = acquire(spec);
                      try {
                        return work.apply(sv).whenComplete((r, e) -> sv.release());
                      } catch (RuntimeException | Error e) {
                        sv.release();
                        throw e;
                      }
                    })
                .whenComplete((r, e) -> answer(out, r, e)));
  }

  @Override
  public void predict(PredictRequest request, StreamObserver<PredictResponse> out) {
    serve(out, request, request.getModelSpec(), "predict", sv -> predict(sv, request));
  }

  /** Checks and converts the request, runs it (or queues it for a batch): its answer's future. */
  private static CompletableFuture<PredictResponse> predict(
      ServableVersion sv, PredictRequest request) {
    String key = request.getModelSpec().getSignatureName();
    key = key.isEmpty() ? RestApi.DEFAULT_SIGNATURE : key;
    SignatureDef sig = RestApi.signature(sv, key);
    Map<String, Tensor> feeds = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, TensorProto> e : request.getInputsMap().entrySet()) {
        if (!sig.getInputsMap().containsKey(e.getKey())) {
          throw ServingException.invalid(
              "input tensor alias not found in signature: "
                  + e.getKey()
                  + ". Inputs expected to be in the set {"
                  + String.join(",", new TreeMap<>(sig.getInputsMap()).keySet())
                  + "}.");
        }
        feeds.put(e.getKey(), tensor(e.getKey(), e.getValue()));
      }
      for (String k : sig.getInputsMap().keySet()) {
        if (!feeds.containsKey(k)) {
          throw ServingException.invalid(
              "Request inputs do not match required inputs for model `"
                  + sv.model
                  + "`. Send extra: {}. Missing but required: {"
                  + k
                  + "}.");
        }
      }
      List<String> filter =
          request.getOutputFilterCount() == 0
              ? null
              : new ArrayList<>(request.getOutputFilterList());
      if (filter != null) {
        for (String f : filter) {
          if (!sig.getOutputsMap().containsKey(f)) {
            throw ServingException.invalid("output tensor alias not found in signature: " + f);
          }
        }
      }
      ModelSpec answered = spec(sv, key);
      return sv.runAsync(key, feeds, filter)
          .thenApply(
              outputs -> {
                PredictResponse.Builder b = PredictResponse.newBuilder().setModelSpec(answered);
                outputs.forEach((k, a) -> b.putOutputs(k, proto(a)));
                return b.build();
              });
    } finally {
      feeds.values().forEach(Tensor::close);
    }
  }

  @Override
  public void classify(ClassificationRequest request, StreamObserver<ClassificationResponse> out) {
    ModelSpec spec = request.getModelSpec();
    serve(
        out,
        request,
        spec,
        "classify",
        sv ->
            classify(sv, spec.getSignatureName(), examples(request.getInput()))
                .thenApply(
                    r ->
                        ClassificationResponse.newBuilder()
                            .setModelSpec(spec(sv, spec.getSignatureName()))
                            .setResult(r)
                            .build()));
  }

  @Override
  public void regress(RegressionRequest request, StreamObserver<RegressionResponse> out) {
    ModelSpec spec = request.getModelSpec();
    serve(
        out,
        request,
        spec,
        "regress",
        sv ->
            regress(sv, spec.getSignatureName(), examples(request.getInput()))
                .thenApply(
                    r ->
                        RegressionResponse.newBuilder()
                            .setModelSpec(spec(sv, spec.getSignatureName()))
                            .setResult(r)
                            .build()));
  }

  @Override
  public void multiInference(
      MultiInferenceRequest request, StreamObserver<MultiInferenceResponse> out) {
    String model = request.getTasksCount() == 0 ? "" : request.getTasks(0).getModelSpec().getName();
    dispatch(
        pool,
        false,
        out,
        () ->
            answer(
                out,
                () ->
                    ServingMetrics.record(
                        metrics,
                        model,
                        "multi_inference",
                        "GRPC",
                        () -> multiInference(request, model))));
  }

  private MultiInferenceResponse multiInference(MultiInferenceRequest request, String model) {
    if (request.getTasksCount() == 0) {
      throw ServingException.invalid("Expected at least one task");
    }
    List<byte[]> examples = examples(request.getInput());
    MultiInferenceResponse.Builder b = MultiInferenceResponse.newBuilder();
    for (InferenceTask task : request.getTasksList()) {
      if (!task.getModelSpec().getName().equals(model)) {
        throw ServingException.invalid(
            "All ModelSpecs in a MultiInferenceRequest must access the same model name.");
      }
      ServableVersion sv = acquire(task.getModelSpec());
      try {
        b.addResults(infer(sv, task, examples));
      } finally {
        sv.release();
      }
    }
    return b.build();
  }

  private static InferenceResult infer(
      ServableVersion sv, InferenceTask task, List<byte[]> examples) {
    String key = task.getModelSpec().getSignatureName();
    InferenceResult.Builder r = InferenceResult.newBuilder().setModelSpec(spec(sv, key));
    switch (task.getMethodName()) {
      case RestApi.CLASSIFY_METHOD ->
          r.setClassificationResult(BatchScheduler.await(classify(sv, key, examples)));
      case RestApi.REGRESS_METHOD ->
          r.setRegressionResult(BatchScheduler.await(regress(sv, key, examples)));
      default ->
          throw ServingException.invalid(
              "Unsupported signature method_name: " + task.getMethodName());
    }
    return r.build();
  }

  @Override
  public void getModelMetadata(
      GetModelMetadataRequest request, StreamObserver<GetModelMetadataResponse> out) {
    if (request.getMetadataFieldCount() == 0) {
      answer(
          out,
          () -> {
            throw ServingException.invalid(
                "GetModelMetadataRequest must specify at least one field");
          });
      return;
    }
    for (String f : request.getMetadataFieldList()) {
      if (!f.equals("signature_def")) {
        answer(
            out,
            () -> {
              throw ServingException.invalid("Metadata field " + f + " is not supported");
            });
        return;
      }
    }
    serve(
        out,
        request,
        request.getModelSpec(),
        "get_model_metadata",
        sv ->
            CompletableFuture.completedFuture(
                GetModelMetadataResponse.newBuilder()
                    .setModelSpec(
                        ModelSpec.newBuilder()
                            .setName(sv.model)
                            .setVersion(Int64Value.of(sv.version)))
                    .putMetadata(
                        "signature_def",
                        Any.pack(
                            SignatureDefMap.newBuilder()
                                .putAllSignatureDef(sv.metaGraph().getSignatureDefMap())
                                .build()))
                    .build()));
  }

  // ---- classify and regress ----

  private static List<byte[]> examples(Input input) {
    List<byte[]> out = new ArrayList<>();
    switch (input.getKindCase()) {
      case EXAMPLE_LIST ->
          input.getExampleList().getExamplesList().forEach(e -> out.add(e.toByteArray()));
      case EXAMPLE_LIST_WITH_CONTEXT -> {
        Example ctx = input.getExampleListWithContext().getContext();
        for (Example e : input.getExampleListWithContext().getExamplesList()) {
          out.add(ctx.toBuilder().mergeFrom(e).build().toByteArray());
        }
      }
      default -> throw ServingException.invalid("Input is empty");
    }
    if (out.isEmpty()) {
      throw ServingException.invalid("Input is empty");
    }
    return out;
  }

  /** Runs (or queues) the examples through a classification signature. */
  private static CompletableFuture<ClassificationResult> classify(
      ServableVersion sv, String key, List<byte[]> examples) {
    return RestApi.runExamplesAsync(sv, key, RestApi.CLASSIFY_METHOD, "classification", examples)
        .thenApply(GrpcApi::classification);
  }

  /** Runs (or queues) the examples through a regression signature. */
  private static CompletableFuture<RegressionResult> regress(
      ServableVersion sv, String key, List<byte[]> examples) {
    return RestApi.runExamplesAsync(sv, key, RestApi.REGRESS_METHOD, "regression", examples)
        .thenApply(GrpcApi::regression);
  }

  /** A classification signature's outputs as TF Serving's ClassificationResult. */
  private static ClassificationResult classification(Map<String, JavaArray> out) {
    JavaArray classes = out.get("classes");
    JavaArray scores = out.get("scores");
    if (classes == null && scores == null) {
      throw ServingException.invalid(
          "Expected classification signature outputs to contain at least one of 'classes'"
              + " or 'scores'");
    }
    JavaArray ref = scores != null ? scores : classes;
    long n = ref.shape().length == 0 ? 1 : ref.shape()[0];
    long k = ref.shape().length < 2 ? 1 : ref.shape()[1];
    ClassificationResult.Builder r = ClassificationResult.newBuilder();
    for (int i = 0; i < n; i++) {
      Classifications.Builder c = Classifications.newBuilder();
      for (int j = 0; j < k; j++) {
        int idx = (int) (i * k + j);
        tensorflow.serving.Classification.Class.Builder cl =
            tensorflow.serving.Classification.Class.newBuilder();
        if (classes != null) {
          cl.setLabel(new String(classes.strings()[idx], java.nio.charset.StandardCharsets.UTF_8));
        }
        if (scores != null) {
          cl.setScore(scores.floats()[idx]);
        }
        c.addClasses(cl);
      }
      r.addClassifications(c);
    }
    return r.build();
  }

  /** A regression signature's outputs as TF Serving's RegressionResult. */
  private static RegressionResult regression(Map<String, JavaArray> out) {
    JavaArray y = out.get("outputs");
    if (y == null || y.dtype() != DataType.DT_FLOAT) {
      throw ServingException.invalid(
          "Expected regression signature output 'outputs' of type float");
    }
    RegressionResult.Builder r = RegressionResult.newBuilder();
    for (float v : y.floats()) {
      r.addRegressions(tensorflow.serving.RegressionOuterClass.Regression.newBuilder().setValue(v));
    }
    return r.build();
  }

  // ---- TensorProto <-> Tensor ----

  static Tensor tensor(String name, TensorProto p) {
    long[] shape = p.getTensorShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray();
    long count = 1;
    for (long d : shape) {
      if (d < 0) {
        throw ServingException.invalid("Tensor '" + name + "' has a negative dimension: " + d);
      }
      count = Math.multiplyExact(count, d);
    }
    if (count > Integer.MAX_VALUE) {
      throw ServingException.invalid("Tensor '" + name + "' has too many elements: " + count);
    }
    int n = (int) count;
    Shape s = Shape.of(shape);
    ByteBuffer content = p.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    boolean packed = !p.getTensorContent().isEmpty();
    switch (p.getDtype()) {
      case DT_FLOAT -> {
        float[] a = new float[n];
        if (packed) {
          need(name, content.remaining(), 4L * n);
          content.asFloatBuffer().get(a);
        } else {
          fill(name, n, p.getFloatValCount(), i -> a[i] = p.getFloatVal(i), (i, j) -> a[i] = a[j]);
        }
        return TFloat32.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_DOUBLE -> {
        double[] a = new double[n];
        if (packed) {
          need(name, content.remaining(), 8L * n);
          content.asDoubleBuffer().get(a);
        } else {
          fill(
              name, n, p.getDoubleValCount(), i -> a[i] = p.getDoubleVal(i), (i, j) -> a[i] = a[j]);
        }
        return TFloat64.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_INT32 -> {
        int[] a = new int[n];
        if (packed) {
          need(name, content.remaining(), 4L * n);
          content.asIntBuffer().get(a);
        } else {
          fill(name, n, p.getIntValCount(), i -> a[i] = p.getIntVal(i), (i, j) -> a[i] = a[j]);
        }
        return TInt32.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_INT64 -> {
        long[] a = new long[n];
        if (packed) {
          need(name, content.remaining(), 8L * n);
          content.asLongBuffer().get(a);
        } else {
          fill(name, n, p.getInt64ValCount(), i -> a[i] = p.getInt64Val(i), (i, j) -> a[i] = a[j]);
        }
        return TInt64.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_UINT8 -> {
        byte[] a = new byte[n];
        if (packed) {
          need(name, content.remaining(), n);
          content.get(a);
        } else {
          fill(
              name,
              n,
              p.getIntValCount(),
              i -> a[i] = (byte) p.getIntVal(i),
              (i, j) -> a[i] = a[j]);
        }
        return TUint8.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_BOOL -> {
        boolean[] a = new boolean[n];
        if (packed) {
          need(name, content.remaining(), n);
          for (int i = 0; i < n; i++) {
            a[i] = content.get() != 0;
          }
        } else {
          fill(name, n, p.getBoolValCount(), i -> a[i] = p.getBoolVal(i), (i, j) -> a[i] = a[j]);
        }
        return TBool.tensorOf(s, DataBuffers.of(a, true, false));
      }
      case DT_STRING -> {
        byte[][] a = new byte[n][];
        fill(
            name,
            n,
            p.getStringValCount(),
            i -> a[i] = p.getStringVal(i).toByteArray(),
            (i, j) -> a[i] = a[j]);
        for (int i = 0; i < n; i++) {
          if (a[i] == null) {
            a[i] = new byte[0];
          }
        }
        return TString.tensorOfBytes(s, DataBuffers.ofObjects(a));
      }
      default ->
          throw ServingException.invalid(
              "Tensor '" + name + "' has unsupported dtype " + p.getDtype());
    }
  }

  private static void need(String name, long have, long want) {
    if (have != want) {
      throw ServingException.invalid(
          "Tensor '" + name + "': tensor_content has " + have + " bytes, the shape needs " + want);
    }
  }

  /** TensorFlow's rule: n values, or one value repeated, or none (zeros). */
  private static void fill(
      String name,
      int n,
      int count,
      java.util.function.IntConsumer set,
      java.util.function.BiConsumer<Integer, Integer> copy) {
    if (count == n) {
      for (int i = 0; i < n; i++) {
        set.accept(i);
      }
    } else if (count == 1 || (count > 0 && count < n)) {
      for (int i = 0; i < count; i++) {
        set.accept(i);
      }
      for (int i = count; i < n; i++) {
        copy.accept(i, count - 1);
      }
    } else if (count > n) {
      throw ServingException.invalid(
          "Tensor '" + name + "' has " + count + " values, more than its shape's " + n);
    }
  }

  static TensorProto proto(JavaArray a) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (long d : a.shape()) {
      shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
    }
    TensorProto.Builder b = TensorProto.newBuilder().setDtype(a.dtype()).setTensorShape(shape);
    switch (a.dtype()) {
      case DT_FLOAT -> {
        for (float v : a.floats()) {
          b.addFloatVal(v);
        }
      }
      case DT_DOUBLE -> {
        for (double v : a.doubles()) {
          b.addDoubleVal(v);
        }
      }
      case DT_INT32 -> {
        for (int v : a.ints()) {
          b.addIntVal(v);
        }
      }
      case DT_INT64 -> {
        for (long v : a.longs()) {
          b.addInt64Val(v);
        }
      }
      case DT_UINT8 -> {
        for (byte v : a.bytes()) {
          b.addIntVal(v & 0xff);
        }
      }
      case DT_BOOL -> {
        for (boolean v : a.booleans()) {
          b.addBoolVal(v);
        }
      }
      case DT_STRING -> {
        for (byte[] v : a.strings()) {
          b.addStringVal(ByteString.copyFrom(v));
        }
      }
      default -> throw ServingException.invalid("Output dtype " + a.dtype() + " is not supported");
    }
    return b.build();
  }
}
