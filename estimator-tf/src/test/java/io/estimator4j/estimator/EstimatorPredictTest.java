package io.estimator4j.estimator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.savedmodel.TensorSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

class EstimatorPredictTest {
  @TempDir Path dir;
  Estimator est;

  @BeforeEach
  void train() {
    est = TestModels.linear(dir, TestModels.quietConfig());
    est.train(TestModels.trainInput(null), StepLimit.steps(300));
  }

  @Test
  void predictYieldsOneExampleAtATimeInInputOrder() {
    List<Prediction> all = est.predict(TestModels.predictInput()).toList();
    assertThat(all).hasSize(64);
    for (int i = 0; i < 64; i++) {
      // trained on y = 2x + 1
      assertThat(all.get(i).scalar("y")).isCloseTo(2 * TestModels.X[i] + 1, within(0.02));
    }
  }

  @Test
  void predictionHooksOfTheSpecRunDuringPredict() {
    List<String> calls = new ArrayList<>();
    List<Float> fetched = new ArrayList<>();
    io.estimator4j.estimator.hook.SessionRunHook hook =
        new io.estimator4j.estimator.hook.SessionRunHook() {
          org.tensorflow.Operand<?> kernel;

          @Override
          public void begin(io.estimator4j.estimator.hook.HookContext context) {
            calls.add("begin");
            kernel = context.graph().operationOrThrow("linear/kernel").output(0);
          }

          @Override
          public void afterCreateSession(org.tensorflow.Session session) {
            calls.add("afterCreateSession");
          }

          @Override
          public io.estimator4j.estimator.hook.SessionRunArgs beforeRun(
              io.estimator4j.estimator.hook.SessionRunContext context) {
            calls.add("beforeRun");
            return io.estimator4j.estimator.hook.SessionRunArgs.fetch("kernel", kernel);
          }

          @Override
          public void afterRun(
              io.estimator4j.estimator.hook.SessionRunContext context,
              io.estimator4j.estimator.hook.SessionRunValues values) {
            calls.add("afterRun@" + values.globalStep());
            fetched.add(((TFloat32) values.get("kernel")).getFloat(0, 0));
          }

          @Override
          public void end(org.tensorflow.Session session) {
            calls.add("end");
          }
        };
    io.estimator4j.estimator.modelfn.ModelFn withHook =
        ctx ->
            ctx.mode() == io.estimator4j.estimator.modelfn.ModeKeys.PREDICT
                ? io.estimator4j.estimator.modelfn.EstimatorSpec.builder(ctx.mode())
                    .predictions(TestModels.LINEAR.apply(ctx).predictions())
                    .predictionHooks(List.of(hook))
                    .build()
                : TestModels.LINEAR.apply(ctx);
    Estimator hooked =
        Estimator.builder(withHook).config(TestModels.quietConfig().modelDir(dir).build()).build();
    assertThat(hooked.predict(TestModels.predictInput()).toList()).hasSize(64);
    // 64 rows in batches of 16: four runs, then a fifth beforeRun that meets the input's end
    assertThat(calls)
        .containsExactly(
            "begin",
            "afterCreateSession",
            "beforeRun",
            "afterRun@300",
            "beforeRun",
            "afterRun@300",
            "beforeRun",
            "afterRun@300",
            "beforeRun",
            "afterRun@300",
            "beforeRun",
            "end");
    // the hook's fetch ran with the restored weights: y = 2x + 1, kernel close to 2
    assertThat(fetched).hasSize(4).allSatisfy(k -> assertThat(k).isCloseTo(2f, within(0.02f)));
  }

  @Test
  void predictBatchesWhenAsked() {
    List<Prediction> batches =
        est.predict(TestModels.predictInput(), PredictOptions.defaults().batches()).toList();
    // 64 rows in batches of 16
    assertThat(batches).hasSize(4);
    assertThat(batches.get(0).floats("y")).hasSize(16);
  }

  @Test
  void iteratorClosedEarlyReleasesItsSession() {
    PredictionIterator it = est.predict(TestModels.predictInput());
    assertThat(it.next().values()).containsKey("y");
    it.next();
    it.close();
    assertThat(it.hasNext()).isFalse();
    it.close();
    // the estimator still predicts afterwards
    try (PredictionIterator again = est.predict(TestModels.predictInput())) {
      assertThat(again.hasNext()).isTrue();
    }
  }

  @Test
  void unknownPredictKeyListsTheKeys() {
    assertThatThrownBy(
            () ->
                est.predict(TestModels.predictInput(), PredictOptions.defaults().withKeys("nope")))
        .hasMessageContaining("Unknown predict key 'nope'")
        .hasMessageContaining("[y]");
  }

  @Test
  void predictorAnswersRepeatedCallsFromManyThreads() throws Exception {
    try (Predictor p = est.predictor(Map.of("x", TensorSpec.of(TFloat32.class, -1)))) {
      List<Prediction> expected = est.predict(TestModels.predictInput()).toList();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<Boolean>> results = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          results.add(
              pool.submit(
                  () -> {
                    for (int round = 0; round < 50; round++) {
                      try (TFloat32 x = TFloat32.vectorOf(TestModels.X)) {
                        float[] y = p.predict(Map.of("x", x)).floats("y");
                        for (int i = 0; i < y.length; i++) {
                          if (Math.abs(y[i] - expected.get(i).scalar("y")) > 1e-6) {
                            return false;
                          }
                        }
                      }
                    }
                    return true;
                  }));
        }
        for (Future<Boolean> f : results) {
          assertThat(f.get()).isTrue();
        }
      } finally {
        pool.shutdown();
      }
    }
  }

  @Test
  void predictorTensorsAreTheCopiedValuesWithoutACopy() {
    try (Predictor p = est.predictor(Map.of("x", TensorSpec.of(TFloat32.class, -1)));
        TFloat32 x = TFloat32.vectorOf(TestModels.X)) {
      float[] copied = p.predict(Map.of("x", x)).floats("y");
      assertThat(p.predict(Map.of("x", x), List.of("y", "y")).floats("y")).isEqualTo(copied);
      for (int round = 0; round < 3; round++) {
        Map<String, org.tensorflow.Tensor> out = p.predictTensors(Map.of("x", x), null);
        assertThat(out).containsOnlyKeys("y");
        try (TFloat32 y = (TFloat32) out.get("y")) {
          float[] got = new float[copied.length];
          y.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(got, false, false));
          assertThat(got).isEqualTo(copied);
        }
      }
      assertThatThrownBy(() -> p.predict(Map.of("x", x), List.of("z")))
          .hasMessageContaining("Unknown prediction 'z'")
          .hasMessageContaining("[y]");
    }
  }

  @Test
  void predictorRejectsBadInputsClearly() {
    try (Predictor p = est.predictor(Map.of("x", TensorSpec.of(TFloat32.class, -1)))) {
      try (TInt32 ints = TInt32.vectorOf(1, 2);
          TFloat32 matrix = TFloat32.tensorOf(org.tensorflow.ndarray.Shape.of(2, 2))) {
        assertThatThrownBy(() -> p.predict(Map.of())).hasMessageContaining("Missing feature 'x'");
        assertThatThrownBy(() -> p.predict(Map.of("x", ints)))
            .hasMessageContaining("Feature 'x' must be TFloat32");
        assertThatThrownBy(() -> p.predict(Map.of("x", matrix)))
            .hasMessageContaining("must have shape [-1]");
      }
      p.close();
      try (TFloat32 x = TFloat32.vectorOf(1f)) {
        assertThatThrownBy(() -> p.predict(Map.of("x", x))).hasMessageContaining("closed");
      }
    }
  }
}
