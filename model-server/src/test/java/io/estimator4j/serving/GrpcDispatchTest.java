package io.estimator4j.serving;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.testing.TestData;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import tensorflow.serving.GetModelStatus.GetModelStatusRequest;
import tensorflow.serving.GetModelStatus.GetModelStatusResponse;
import tensorflow.serving.Inference.InferenceTask;
import tensorflow.serving.Inference.MultiInferenceRequest;
import tensorflow.serving.Inference.MultiInferenceResponse;
import tensorflow.serving.Model.ModelSpec;
import tensorflow.serving.Predict.PredictRequest;
import tensorflow.serving.Predict.PredictResponse;
import tensorflow.serving.RegressionOuterClass.RegressionRequest;
import tensorflow.serving.RegressionOuterClass.RegressionResponse;

/**
 * Where a gRPC call runs ({@link GrpcApi#dispatch}): on the transport thread that received it only
 * when its session run is known to be quick, or when it only queues its request for a batch;
 * MultiInference and ModelService calls on the call pool; and where a session run is made ({@link
 * RunCost}). The handlers are called directly here, with a pool that counts the calls handed to it
 * and runs them.
 */
class GrpcDispatchTest {

  /** Runs each call at once, in the caller, counting them. */
  static final class CountingPool implements Executor {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public void execute(Runnable r) {
      calls.incrementAndGet();
      r.run();
    }
  }

  /** Collects one unary answer, which may come from another thread (a batch thread). */
  static final class Answer<T> implements StreamObserver<T> {
    final List<T> values = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile Throwable error;
    volatile boolean completed;
    final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

    @Override
    public void onNext(T v) {
      values.add(v);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
      done.countDown();
    }

    @Override
    public void onCompleted() {
      completed = true;
      done.countDown();
    }

    Answer<T> await() throws InterruptedException {
      assertThat(done.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      return this;
    }
  }

  static ModelManager halfPlusTwo(BatchScheduler.Options batching) {
    ModelManager m =
        new ModelManager(
            List.of(
                new ModelConfig(
                    GrpcApiTest.MODEL,
                    TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_2_versions"),
                    VersionPolicy.specific(123L),
                    Map.of())),
            1,
            1000,
            batching,
            null);
    m.start(0);
    return m;
  }

  static PredictRequest predict(float x) {
    return PredictRequest.newBuilder()
        .setModelSpec(ModelSpec.newBuilder().setName(GrpcApiTest.MODEL))
        .putInputs("x", GrpcApiTest.floats(x))
        .build();
  }

  /** One predict call of x; checks the answer (0.5 x + 2). */
  static void call(GrpcApi api, float x) {
    Answer<PredictResponse> a = new Answer<>();
    api.predict(predict(x), a);
    try {
      a.await();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertThat(a.error).isNull();
    assertThat(a.completed).isTrue();
    assertThat(a.values.get(0).getOutputsMap().get("y").getFloatVal(0)).isEqualTo(0.5f * x + 2f);
  }

  /** half_plus_two's regression signature (y = 0.5 x + 2 on tf.Examples). */
  static ModelSpec regressXToY() {
    return ModelSpec.newBuilder()
        .setName(GrpcApiTest.MODEL)
        .setSignatureName("regress_x_to_y")
        .build();
  }

  static ServableVersion version123(ModelManager m) {
    ServableVersion sv = m.acquire(GrpcApiTest.MODEL, 123L, null);
    sv.release();
    return sv;
  }

  @Test
  void firstCallOnThePoolThenQuickCallsStayOnTheTransportThreadUntilRunsGetSlow() throws Exception {
    try (ModelManager m = halfPlusTwo(null)) {
      CountingPool pool = new CountingPool();
      GrpcApi api = new GrpcApi(m, null, pool);
      // before any run its cost is unknown: the pool
      call(api, 1f);
      assertThat(pool.calls).hasValue(1);
      // measured runs of 1 µs (half_plus_two's take ~10 µs in the caller): quick
      ServableVersion sv = version123(m);
      for (int i = 0; i < 8; i++) {
        sv.cost.record(1_000);
      }
      call(api, 2f);
      call(api, 3f);
      assertThat(pool.calls).hasValue(1);
      // a request over 64 KiB goes to the pool all the same: 20,000 rows of 4 bytes = 80,000 B
      float[] many = new float[20_000];
      for (int i = 0; i < many.length; i++) {
        many[i] = i;
      }
      Answer<PredictResponse> big = new Answer<>();
      PredictRequest bigRequest =
          PredictRequest.newBuilder()
              .setModelSpec(ModelSpec.newBuilder().setName(GrpcApiTest.MODEL))
              .putInputs("x", GrpcApiTest.floats(many))
              .build();
      assertThat(bigRequest.getSerializedSize()).isGreaterThan(GrpcApi.TRANSPORT_THREAD_MAX_BYTES);
      api.predict(bigRequest, big);
      assertThat(big.await().error).isNull();
      assertThat(big.values.get(0).getOutputsMap().get("y").getFloatVal(19_999))
          .isEqualTo(0.5f * 19_999 + 2f);
      assertThat(pool.calls).hasValue(2);
      // runs of 1 ms, a median above 100 µs: back to the pool
      for (int i = 0; i < 8; i++) {
        sv.cost.record(1_000_000);
      }
      call(api, 4f);
      assertThat(pool.calls).hasValue(3);
    }
  }

  @Test
  void batchedCallsAreQueuedFromTheTransportThreadAndMultiInferenceAndModelServiceUseThePool()
      throws Exception {
    try (ModelManager m = halfPlusTwo(BatchScheduler.Options.defaults())) {
      CountingPool pool = new CountingPool();
      GrpcApi api = new GrpcApi(m, null, pool);
      // Predict and Regress only queue their requests: they stay on the transport thread and a
      // batch thread answers (no pool thread waits for the batch)
      call(api, 1f);
      call(api, 2f);
      Answer<RegressionResponse> r = new Answer<>();
      api.regress(
          RegressionRequest.newBuilder()
              .setModelSpec(regressXToY())
              .setInput(GrpcApiTest.examples(4f))
              .build(),
          r);
      r.await();
      assertThat(r.error).isNull();
      assertThat(r.values.get(0).getResult().getRegressions(0).getValue()).isEqualTo(4f); // 0.5x+2
      assertThat(pool.calls).hasValue(0);
      assertThat(m.batcher().requestsRun).hasValue(3);
      // MultiInference waits for its tasks' batches inside the call: the pool
      Answer<MultiInferenceResponse> mi = new Answer<>();
      api.multiInference(
          MultiInferenceRequest.newBuilder()
              .addTasks(
                  InferenceTask.newBuilder()
                      .setModelSpec(regressXToY())
                      .setMethodName("tensorflow/serving/regress"))
              .setInput(GrpcApiTest.examples(6f))
              .build(),
          mi);
      mi.await();
      assertThat(mi.error).isNull();
      assertThat(mi.values.get(0).getResults(0).getRegressionResult().getRegressions(0).getValue())
          .isEqualTo(5f); // 0.5 * 6 + 2
      assertThat(pool.calls).hasValue(1);
      // ModelService: always the pool
      Answer<GetModelStatusResponse> status = new Answer<>();
      new ModelServiceApi(m, pool)
          .getModelStatus(
              GetModelStatusRequest.newBuilder()
                  .setModelSpec(ModelSpec.newBuilder().setName(GrpcApiTest.MODEL))
                  .build(),
              status);
      assertThat(pool.calls).hasValue(2);
      assertThat(status.await().values.get(0).getModelVersionStatus(0).getVersion())
          .isEqualTo(123L);
    }
  }

  @Test
  void aBatchedPredictThatCannotBeQueuedFailsWithoutBlockingOrLeakingTheVersion() throws Exception {
    // max_batch_size 1: a request of two rows cannot be queued (TF Serving's message)
    BatchScheduler.Options one = new BatchScheduler.Options(1, 0, 10, 1, List.of());
    try (ModelManager m = halfPlusTwo(one)) {
      GrpcApi api = new GrpcApi(m, null, new CountingPool());
      Answer<PredictResponse> a = new Answer<>();
      api.predict(
          PredictRequest.newBuilder()
              .setModelSpec(ModelSpec.newBuilder().setName(GrpcApiTest.MODEL))
              .putInputs("x", GrpcApiTest.floats(1f, 2f))
              .build(),
          a);
      a.await();
      assertThat(Status.fromThrowable(a.error).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(a.error)
          .hasMessageContaining("Task size 2 is larger than maximum input batch size 1");
      assertThat(version123(m).inFlight()).isZero();
      call(api, 3f); // and the next one is served
      assertThat(version123(m).inFlight()).isZero();
    }
  }

  @Test
  void quickIsTheMedianOfTheLastEightRunsInTheCallerBelow100Micros() {
    RunCost c = new RunCost();
    assertThat(c.quick()).isFalse(); // unknown cost
    c.record(5_000_000); // a first run builds TensorFlow's executors: slow
    assertThat(c.quick()).isFalse();
    c.record(10_000); // lower median of {10 µs, 5 ms}: 10 µs
    assertThat(c.quick()).isTrue();
    for (int i = 0; i < 3; i++) {
      c.record(2_000_000); // one of them pre-empted or not, the median decides
    }
    // {10 µs, 5 ms, 2 ms x 3}: median 2 ms
    assertThat(c.quick()).isFalse();
    for (int i = 0; i < 8; i++) {
      c.record(i == 3 ? 900_000 : 20_000); // the window keeps the last 8: one outlier of 8
    }
    assertThat(c.quick()).isTrue();
    c.record(99_999);
    c.record(100_000);
    for (int i = 0; i < 4; i++) {
      c.record(100_000); // five of the last eight at 100 µs: not below the bound
    }
    assertThat(c.quick()).isFalse();
  }

  @Test
  void runsUnderOneMillisecondAreMadeInTheCallerOnlyWhileNoOtherRequestIsInFlight() {
    RunCost c = new RunCost();
    assertThat(c.inline(true)).isFalse(); // unknown cost, even when idle
    for (int i = 0; i < 8; i++) {
      c.record(190_000); // census's runs in the caller: 180-190 µs
    }
    assertThat(c.quick()).isFalse();
    assertThat(c.inline(false)).isFalse(); // under load: the pool
    assertThat(c.inline(true)).isTrue(); // idle: the caller
    assertThat(c.inCaller(true)).isTrue();
    for (int i = 0; i < 8; i++) {
      c.record(i < 4 ? 999_999 : 1_000_000); // median (lower of the middle two) 999,999 ns
    }
    assertThat(c.inline(true)).isTrue();
    c.record(1_000_000); // now five of eight at 1 ms: not under the bound
    assertThat(c.inline(true)).isFalse();
  }

  @Test
  void aRunUnderOneMillisecondIsMadeInTheCallerWhileTheServerIsIdleButItsGrpcCallsUseThePool()
      throws Exception {
    try (ModelManager m = halfPlusTwo(null)) {
      CountingPool pool = new CountingPool();
      GrpcApi api = new GrpcApi(m, null, pool);
      ServableVersion sv = version123(m);
      for (int i = 0; i < 8; i++) {
        sv.cost.record(500_000); // 500 µs: not quick, under the idle bound
      }
      // idle: the run is made in the caller (measured), the call on the pool
      call(api, 1f);
      assertThat(pool.calls).hasValue(1);
      assertThat(sv.cost.measured()).isEqualTo(9);
      ServableVersion held = m.acquire(GrpcApiTest.MODEL, null, null); // another request in flight
      try {
        // busy: TensorFlow's pool, but for the first run not made in the caller, which measures
        call(api, 2f);
        assertThat(sv.cost.measured()).isEqualTo(10);
        call(api, 3f);
        call(api, 4f);
        assertThat(sv.cost.measured()).isEqualTo(10);
        assertThat(pool.calls).hasValue(4);
      } finally {
        held.release();
      }
      call(api, 5f); // idle again (six of the last eight measured at 500 µs: the median)
      assertThat(sv.cost.measured()).isEqualTo(11);
      assertThat(pool.calls).hasValue(5);
    }
  }

  @Test
  void whileNotQuickOneRunInSixtyFourIsMadeInTheCallerToMeasureIt() {
    RunCost c = new RunCost();
    int inCaller = 0;
    for (int i = 0; i < 640; i++) {
      if (c.inCaller(false)) {
        inCaller++;
        c.record(1_000_000); // 1 ms: stays slow
      }
    }
    assertThat(inCaller).isEqualTo(10); // runs 0, 64, ..., 576
    c.record(1_000);
    for (int i = 0; i < 8; i++) {
      c.record(1_000);
    }
    // quick: every run in the caller
    for (int i = 0; i < 10; i++) {
      assertThat(c.inCaller(false)).isTrue();
    }
  }

  @Test
  void aQuickModelsRunsMoveToTheCallerThreadWithinAFewThousandCalls() {
    try (ModelManager m = halfPlusTwo(null)) {
      GrpcApi api = new GrpcApi(m, null, new CountingPool());
      ServableVersion sv = version123(m);
      // real runs: the first is measured (12 ms while TensorFlow builds its executors), then one
      // in 64 until the median of those measured is below 100 µs. half_plus_two's take ~10 µs in
      // the caller on a 2-core machine once the JIT has compiled the Java side, 120-150 µs in a
      // fresh JVM (measured): allow 40 measured runs, 2,560 calls
      for (int i = 0; i < 40 * RunCost.PROBE_EVERY && !sv.cost.quick(); i++) {
        call(api, i);
      }
      assertThat(sv.cost.quick()).isTrue();
    }
  }

  @Test
  void aPoolThatNoLongerTakesCallsAnswersUnavailable() throws Exception {
    try (ModelManager m = halfPlusTwo(null)) {
      GrpcApi api =
          new GrpcApi(
              m,
              null,
              r -> {
                throw new RejectedExecutionException("shut down");
              });
      Answer<PredictResponse> a = new Answer<>();
      api.predict(predict(1f), a);
      a.await();
      assertThat(Status.fromThrowable(a.error).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(a.error).hasMessageContaining("Server is shutting down.");
    }
  }
}
