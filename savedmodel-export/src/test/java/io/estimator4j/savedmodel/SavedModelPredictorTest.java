package io.estimator4j.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.testing.TestData;
import io.estimator4j.tfrecord.Examples;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

class SavedModelPredictorTest {

  static final Path HALF_PLUS_TWO =
      TestData.path("savedmodels/tf-serving-saved_model_half_plus_two_cpu/00000123");

  private static TFloat32 column(float... xs) {
    TFloat32 t = TFloat32.tensorOf(Shape.of(xs.length, 1));
    for (int i = 0; i < xs.length; i++) {
      t.setFloat(xs[i], i, 0);
    }
    return t;
  }

  @Test
  void eightThreadsPredictConcurrentlyFromOneModel() throws Exception {
    int threads = 8;
    int callsPerThread = 40;
    try (SavedModelPredictor p = SavedModelPredictor.load(HALF_PLUS_TWO, Set.of("serve"))) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> results = new ArrayList<>();
      try {
        for (int t = 0; t < threads; t++) {
          int thread = t;
          results.add(
              pool.submit(
                  () -> {
                    start.await();
                    int checked = 0;
                    for (int call = 0; call < callsPerThread; call++) {
                      // a batch of 1..5 rows, values distinct per thread and call
                      int rows = 1 + call % 5;
                      float[] xs = new float[rows];
                      for (int r = 0; r < rows; r++) {
                        xs[r] = thread * 1000 + call * 10 + r;
                      }
                      try (TFloat32 x = column(xs)) {
                        Map<String, Tensor> out = p.predict("serving_default", Map.of("x", x));
                        try (TFloat32 y = (TFloat32) out.get("y")) {
                          assertThat(y.shape()).isEqualTo(Shape.of(rows, 1));
                          for (int r = 0; r < rows; r++) {
                            // y = 0.5 x + 2, exact in float for these values
                            assertThat(y.getFloat(r, 0)).isEqualTo(0.5f * xs[r] + 2f);
                            checked++;
                          }
                        }
                      }
                    }
                    return checked;
                  }));
        }
        start.countDown();
        int checked = 0;
        for (Future<Integer> f : results) {
          checked += f.get(2, TimeUnit.MINUTES);
        }
        // per thread: 8 rounds of 1+2+3+4+5 = 15 rows = 120 rows
        assertThat(checked).isEqualTo(threads * 120);
      } finally {
        pool.shutdownNow();
      }
    }
  }

  @Test
  void closeWaitsForCallsInFlightAndLaterCallsFailClearly() throws Exception {
    SavedModelPredictor p = SavedModelPredictor.load(HALF_PLUS_TWO, Set.of("serve"));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    AtomicInteger succeeded = new AtomicInteger();
    CountDownLatch running = new CountDownLatch(8);
    List<Future<String>> outcomes = new ArrayList<>();
    try {
      for (int t = 0; t < 8; t++) {
        outcomes.add(
            pool.submit(
                () -> {
                  running.countDown();
                  float[] xs = new float[256];
                  for (int i = 0; i < xs.length; i++) {
                    xs[i] = i;
                  }
                  try (TFloat32 x = column(xs)) {
                    while (true) {
                      try {
                        JavaArray y = p.predictArrays("serving_default", Map.of("x", x)).get("y");
                        assertThat(y.floats()[255]).isEqualTo(129.5f); // 0.5 * 255 + 2
                        succeeded.incrementAndGet();
                      } catch (IllegalStateException e) {
                        return e.getMessage();
                      }
                    }
                  }
                }));
      }
      running.await();
      while (succeeded.get() < 50) {
        Thread.sleep(1);
      }
      p.close();
      // Every thread ends on the closed-predictor error, none on a native or session error.
      for (Future<String> f : outcomes) {
        assertThat(f.get(1, TimeUnit.MINUTES))
            .contains("SavedModelPredictor for")
            .contains("is closed");
      }
    } finally {
      pool.shutdownNow();
      p.close();
    }
    assertThat(p.isClosed()).isTrue();
    try (TFloat32 x = column(1f)) {
      assertThatThrownBy(() -> p.predict("serving_default", Map.of("x", x)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is closed; load the model again to predict");
    }
  }

  @Test
  void regressSignatureOnTfExamplesGivesHalfXPlusTwo() throws Exception {
    try (SavedModelPredictor p = SavedModelPredictor.load(HALF_PLUS_TWO, Set.of("serve"));
        TString examples =
            Examples.tensor(
                Examples.fromJson("[{\"x\": [1.0]}, {\"x\": [2.0]}, {\"x\": [-3.0]}]"))) {
      JavaArray y = p.predictArrays("regress_x_to_y", Map.of("inputs", examples)).get("outputs");
      assertThat(y.shape()).containsExactly(3, 1);
      // 0.5 * 1 + 2 = 2.5, 0.5 * 2 + 2 = 3, 0.5 * -3 + 2 = 0.5
      assertThat(y.floats()).containsExactly(2.5f, 3f, 0.5f);
      // classify_x_to_y reads the same feature and returns it as "scores"
      JavaArray s = p.predictArrays("classify_x_to_y", Map.of("inputs", examples)).get("scores");
      assertThat(s.floats()).containsExactly(2.5f, 3f, 0.5f);
    }
  }

  @Test
  void runOptionsReachTensorFlowAndTheCallerThreadGivesTheSameAnswers() throws Exception {
    try (SavedModelPredictor p = SavedModelPredictor.load(HALF_PLUS_TWO, Set.of("serve"));
        TFloat32 x = column(1f, 2f, -3f)) {
      Map<String, Tensor> inline =
          p.predictAsServing(
              "serving_default", Map.of("x", x), null, SavedModelPredictor.IN_CALLER_THREAD);
      try {
        // 0.5 * 1 + 2 = 2.5, 0.5 * 2 + 2 = 3, 0.5 * -3 + 2 = 0.5
        assertThat(JavaArray.of(inline.get("y")).floats()).containsExactly(2.5f, 3f, 0.5f);
      } finally {
        SavedModelPredictor.closeAll(inline.values());
      }
      // the options reach the session: it has one inter-op pool (0), and DirectSession refuses
      // pool 1 with its own message
      assertThatThrownBy(
              () ->
                  p.predictAsServing(
                      "serving_default",
                      Map.of("x", x),
                      null,
                      org.tensorflow.proto.RunOptions.newBuilder().setInterOpThreadPool(1).build()))
          .hasMessageContaining("Invalid inter_op_thread_pool: 1");
    }
  }

  @Test
  void badCallsAreExplained() throws Exception {
    try (SavedModelPredictor p = SavedModelPredictor.load(HALF_PLUS_TWO, Set.of("serve"));
        TFloat32 x = column(1f);
        TFloat32 wrongShape = TFloat32.vectorOf(1f)) {
      assertThat(p.signatures()).containsKeys("serving_default", "regress_x_to_y");
      assertThatThrownBy(() -> p.predict("nope", Map.of("x", x)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("No signature 'nope'")
          .hasMessageContaining("serving_default");
      assertThatThrownBy(() -> p.predict("serving_default", Map.of("z", x)))
          .hasMessageContaining("has no input 'z'. Its inputs are [x]");
      assertThatThrownBy(() -> p.predict("serving_default", Map.of("x", wrongShape)))
          .hasMessageContaining("must have shape (-1, 1)");
    }
  }
}
