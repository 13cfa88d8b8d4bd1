package io.estimator4j.estimator.input;

import static io.estimator4j.estimator.input.InputDriver.ints;
import static io.estimator4j.estimator.input.InputDriver.sizes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.estimator.input.InputDriver.Batch;
import io.estimator4j.estimator.modelfn.ModeKeys;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.op.Ops;

/** Runs {@link ArrayInput} (numpy_input_fn) pipelines in real TensorFlow sessions. */
class ArrayInputTest {

  /** ids 0..n-1 as int32. */
  private static int[] ids(int n) {
    return IntStream.range(0, n).toArray();
  }

  /** Row i is {i, 10 * i}, so a row tells which example it came from. */
  private static float[][] rows(int n) {
    float[][] x = new float[n][];
    for (int i = 0; i < n; i++) {
      x[i] = new float[] {i, 10f * i};
    }
    return x;
  }

  @Nested
  class Batching {

    @Test
    void lastBatchIsPartial() {
      InputFn fn =
          ArrayInput.builder()
              .feature("x", rows(5))
              .labels(ids(5))
              .batchSize(2)
              .shuffle(false)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      // 5 rows in batches of 2: 2 + 2 + 1, then end of input (drop_remainder = false).
      assertThat(sizes(batches)).containsExactly(2, 2, 1);
      assertThat((float[][]) batches.get(0).feature("x"))
          .isDeepEqualTo(new float[][] {{0, 0}, {1, 10}});
      assertThat((float[][]) batches.get(2).feature("x")).isDeepEqualTo(new float[][] {{4, 40}});
      assertThat(ints(batches, null)).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void batchLargerThanDataGivesOneBatch() {
      InputFn fn = ArrayInput.builder().feature("id", ids(3)).batchSize(128).build();

      assertThat(sizes(InputDriver.readAll(fn, ModeKeys.EVAL))).containsExactly(3);
    }

    @Test
    void defaultsAreBatch128OneEpochShuffled() {
      // 300 rows with the defaults: one epoch in batches of 128 + 128 + 44.
      InputFn fn = ArrayInput.builder().feature("id", ids(300)).build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      assertThat(ArrayInput.DEFAULT_BATCH_SIZE).isEqualTo(128);
      assertThat(sizes(batches)).containsExactly(128, 128, 44);
      assertThat(ints(batches, "id")).containsExactlyInAnyOrder(ids(300));
    }

    @Test
    void imagesAreRowsOfAnyRank() {
      // 3 images of 2x2 pixels and 1 channel, pixel value = 10 * image + pixel index
      float[][][][] images = new float[3][2][2][1];
      for (int i = 0; i < 3; i++) {
        for (int p = 0; p < 4; p++) {
          images[i][p / 2][p % 2][0] = 10f * i + p;
        }
      }
      InputFn fn =
          ArrayInput.builder()
              .feature("image", images)
              .labels(ids(3))
              .batchSize(2)
              .shuffle(false)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      assertThat(sizes(batches)).containsExactly(2, 1);
      assertThat((float[][][][]) batches.get(0).feature("image"))
          .isDeepEqualTo(new float[][][][] {images[0], images[1]});
      assertThat((float[][][][]) batches.get(1).feature("image"))
          .isDeepEqualTo(new float[][][][] {images[2]});
      assertThatThrownBy(() -> ArrayInput.builder().feature("x", new float[0][2][2][1]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("empty");
    }

    @Test
    void rowsReportsTheNumberOfExamples() {
      assertThat(ArrayInput.builder().feature("id", ids(7)).build().rows()).isEqualTo(7);
    }
  }

  @Nested
  class Epochs {

    @Test
    void oneEpochYieldsEachRowOnceThenEnds() {
      InputFn fn =
          ArrayInput.builder()
              .feature("id", ids(5))
              .batchSize(3)
              .numEpochs(1)
              .shuffle(false)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      assertThat(sizes(batches)).containsExactly(3, 2);
      assertThat(ints(batches, "id")).containsExactly(0, 1, 2, 3, 4);
    }

    @Test
    void twoEpochsYieldTwiceTheRowsThenEnd() {
      InputFn fn =
          ArrayInput.builder()
              .feature("id", ids(5))
              .labels(ids(5))
              .batchSize(3)
              .numEpochs(2)
              .shuffle(false)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.TRAIN);

      // repeat comes before batch (as in numpy_input_fn), so a batch may span two epochs:
      // 10 rows = 3 + 3 + 3 + 1.
      assertThat(sizes(batches)).containsExactly(3, 3, 3, 1);
      assertThat(ints(batches, "id")).containsExactly(0, 1, 2, 3, 4, 0, 1, 2, 3, 4);
      assertThat(ints(batches, null)).containsExactly(0, 1, 2, 3, 4, 0, 1, 2, 3, 4);
    }

    @Test
    void nullEpochsRepeatForever() {
      InputFn fn =
          ArrayInput.builder()
              .feature("id", ids(3))
              .batchSize(2)
              .numEpochs(null)
              .shuffle(false)
              .build();

      List<Batch> batches = InputDriver.readFirst(fn, ModeKeys.TRAIN, 5);

      // 5 full batches of 2 out of 3 rows: the data has been cycled 3+ times and never ran out.
      assertThat(sizes(batches)).containsExactly(2, 2, 2, 2, 2);
      assertThat(ints(batches, "id")).containsExactly(0, 1, 2, 0, 1, 2, 0, 1, 2, 0);
    }

    @Test
    void iteratorIsNotAGraphInitializer() {
      // Regression: tensorflow-framework's makeInitializeableIterator() put MakeIterator in the
      // init scope, so Session.initialize() (which the Estimator calls) ran it without the array
      // feeds and failed with "You must feed a value for placeholder tensor".
      try (Graph g = new Graph()) {
        InputContext ctx = new InputContext(Ops.create(g), ModeKeys.TRAIN, null);
        ArrayInput.builder().feature("id", ids(3)).build().build(ctx);

        List<String> graphInitializers = new ArrayList<>();
        g.operations()
            .forEachRemaining(
                op -> {
                  if (g.isInitializer(op)) {
                    graphInitializers.add(op.name());
                  }
                });
        assertThat(graphInitializers).isEmpty();
        assertThat(ctx.initializers()).hasSize(1);
        assertThat(ctx.initializers().get(0).op().op().type()).isEqualTo("MakeIterator");
        assertThat(ctx.initializers().get(0).feeds()).hasSize(1);
      }
    }

    @Test
    void eachSessionStartsTheDataAgain() {
      InputFn fn = ArrayInput.builder().feature("id", ids(4)).shuffle(false).build();

      // The arrays are fed when the iterator initialises, so two runs see the same data.
      assertThat(ints(InputDriver.readAll(fn, ModeKeys.TRAIN), "id")).containsExactly(0, 1, 2, 3);
      assertThat(ints(InputDriver.readAll(fn, ModeKeys.TRAIN), "id")).containsExactly(0, 1, 2, 3);
    }
  }

  @Nested
  class Shuffling {

    private static final int N = 20;

    private InputFn shuffled(Long seed, int epochs) {
      ArrayInput.Builder b =
          ArrayInput.builder()
              .feature("x", rows(N))
              .feature("id", ids(N))
              .labels(ids(N))
              .batchSize(7)
              .numEpochs(epochs)
              .shuffle(true);
      if (seed != null) {
        b.seed(seed);
      }
      return b.build();
    }

    @Test
    void noShuffleKeepsOrder() {
      InputFn fn = ArrayInput.builder().feature("id", ids(N)).batchSize(7).shuffle(false).build();

      assertThat(ints(InputDriver.readAll(fn, ModeKeys.TRAIN), "id")).containsExactly(ids(N));
    }

    @Test
    void sameSeedGivesSameOrderTwice() {
      int[] first = ints(InputDriver.readAll(shuffled(42L, 2), ModeKeys.TRAIN), "id");
      int[] second = ints(InputDriver.readAll(shuffled(42L, 2), ModeKeys.TRAIN), "id");

      assertThat(first).hasSize(2 * N).containsExactly(second);
    }

    @Test
    void eachEpochIsAPermutationOfTheData() {
      List<Batch> batches = InputDriver.readAll(shuffled(42L, 2), ModeKeys.TRAIN);
      int[] all = ints(batches, "id");

      // 40 examples in batches of 7: 5 * 7 + 5.
      assertThat(sizes(batches)).containsExactly(7, 7, 7, 7, 7, 5);
      int[] epoch1 = Arrays.copyOfRange(all, 0, N);
      int[] epoch2 = Arrays.copyOfRange(all, N, 2 * N);
      // The shuffle buffer (1000) holds the whole epoch, so every row appears once per epoch.
      assertThat(epoch1).containsExactlyInAnyOrder(ids(N));
      assertThat(epoch2).containsExactlyInAnyOrder(ids(N));
      // ... in a shuffled order (the identity has probability 1/20!), reshuffled each epoch.
      assertThat(epoch1).isNotEqualTo(ids(N));
      assertThat(epoch2).isNotEqualTo(epoch1);
    }

    @Test
    void featuresAndLabelsStayAligned() {
      List<Batch> batches = InputDriver.readAll(shuffled(7L, 1), ModeKeys.TRAIN);

      for (Batch b : batches) {
        float[][] x = (float[][]) b.feature("x");
        int[] id = (int[]) b.feature("id");
        int[] label = (int[]) b.label();
        for (int i = 0; i < id.length; i++) {
          assertThat(x[i]).containsExactly(id[i], 10f * id[i]);
          assertThat(label[i]).isEqualTo(id[i]);
        }
      }
    }

    @Test
    void differentSeedsGiveDifferentOrders() {
      int[] a = ints(InputDriver.readAll(shuffled(1L, 1), ModeKeys.TRAIN), "id");
      int[] b = ints(InputDriver.readAll(shuffled(2L, 1), ModeKeys.TRAIN), "id");

      assertThat(a).containsExactlyInAnyOrder(b).isNotEqualTo(b);
    }

    @Test
    void withoutItsOwnSeedUsesTheRunSeed() {
      InputFn fn = shuffled(null, 1);

      int[] a = ints(InputDriver.readAll(fn, ModeKeys.TRAIN, 123L), "id");
      int[] b = ints(InputDriver.readAll(fn, ModeKeys.TRAIN, 123L), "id");

      assertThat(a).containsExactly(b).containsExactlyInAnyOrder(ids(N));
    }

    @Test
    void smallShuffleBufferStillYieldsEveryRowOnce() {
      InputFn fn =
          ArrayInput.builder().feature("id", ids(50)).shuffleBuffer(4).seed(3).batchSize(8).build();

      assertThat(ints(InputDriver.readAll(fn, ModeKeys.TRAIN), "id"))
          .containsExactlyInAnyOrder(ids(50));
    }
  }

  @Nested
  class Dtypes {

    @Test
    void featuresKeepValuesAndDtypes() {
      InputFn fn =
          ArrayInput.builder()
              .feature("matrix", new float[][] {{1.5f, -2f, 3f}, {0f, 1e-3f, 7f}})
              .feature("f32", new float[] {0.25f, -8.5f})
              .feature("f64", new double[] {Math.PI, -1e300})
              .feature("i32", new int[] {Integer.MAX_VALUE, -3})
              .feature("i64", new long[] {1L << 40, Long.MIN_VALUE})
              .feature("str", new String[] {"héllo", ""})
              .shuffle(false)
              .build();

      List<Batch> batches = InputDriver.readAll(fn, ModeKeys.PREDICT);

      assertThat(batches).hasSize(1);
      Batch b = batches.get(0);
      assertThat(b.features()).containsOnlyKeys("matrix", "f32", "f64", "i32", "i64", "str");
      assertThat(b.labels()).isEmpty();
      // The Java array class is the dtype: float[][] = float32 [batch, 3], double[] = float64, ...
      assertThat((float[][]) b.feature("matrix"))
          .isDeepEqualTo(new float[][] {{1.5f, -2f, 3f}, {0f, 1e-3f, 7f}});
      assertThat((float[]) b.feature("f32")).containsExactly(0.25f, -8.5f);
      assertThat((double[]) b.feature("f64")).containsExactly(Math.PI, -1e300);
      assertThat((int[]) b.feature("i32")).containsExactly(Integer.MAX_VALUE, -3);
      assertThat((long[]) b.feature("i64")).containsExactly(1L << 40, Long.MIN_VALUE);
      assertThat((String[]) b.feature("str")).containsExactly("héllo", "");
    }

    @Test
    void featureOrderIsTheOrderGiven() {
      InputFn fn =
          ArrayInput.builder()
              .feature("z", ids(2))
              .feature("a", ids(2))
              .feature("m", ids(2))
              .build();

      assertThat(InputDriver.readAll(fn, ModeKeys.PREDICT).get(0).features().keySet())
          .containsExactly("z", "a", "m");
    }

    @Test
    void intLabels() {
      Batch b = single(ArrayInput.builder().feature("x", ids(2)).labels(new int[] {3, -1}));
      assertThat((int[]) b.label()).containsExactly(3, -1);
    }

    @Test
    void longLabels() {
      Batch b = single(ArrayInput.builder().feature("x", ids(2)).labels(new long[] {5L, 1L << 35}));
      assertThat((long[]) b.label()).containsExactly(5L, 1L << 35);
    }

    @Test
    void floatLabels() {
      Batch b = single(ArrayInput.builder().feature("x", ids(2)).labels(new float[] {0.5f, 2f}));
      assertThat((float[]) b.label()).containsExactly(0.5f, 2f);
    }

    @Test
    void floatMatrixLabels() {
      Batch b =
          single(
              ArrayInput.builder().feature("x", ids(2)).labels(new float[][] {{1f, 0f}, {0f, 1f}}));
      assertThat((float[][]) b.label()).isDeepEqualTo(new float[][] {{1f, 0f}, {0f, 1f}});
    }

    @Test
    void stringLabels() {
      Batch b =
          single(ArrayInput.builder().feature("x", ids(2)).labels(new String[] {"cat", "dog"}));
      assertThat((String[]) b.label()).containsExactly("cat", "dog");
    }

    @Test
    void labelsAreKeyedByLabelsKey() {
      Batch b = single(ArrayInput.builder().feature("x", ids(2)).labels(ids(2)));
      assertThat(b.labels()).containsOnlyKeys(Input.LABELS_KEY);
      assertThat(b.features()).containsOnlyKeys("x");
    }

    private Batch single(ArrayInput.Builder builder) {
      List<Batch> batches = InputDriver.readAll(builder.shuffle(false).build(), ModeKeys.TRAIN);
      assertThat(batches).hasSize(1);
      return batches.get(0);
    }
  }

  @Nested
  class Errors {

    @Test
    void featuresWithDifferentRowCounts() {
      ArrayInput.Builder b = ArrayInput.builder().feature("a", ids(4));

      assertThatThrownBy(() -> b.feature("b", new float[3]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("same number of rows")
          .hasMessageContaining("feature 'b' has 3, others 4");
    }

    @Test
    void labelsWithADifferentRowCount() {
      ArrayInput.Builder b = ArrayInput.builder().feature("a", ids(4));

      assertThatThrownBy(() -> b.labels(new int[5]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("labels has 5, others 4");
    }

    @Test
    void featureAfterLabelsWithADifferentRowCount() {
      ArrayInput.Builder b = ArrayInput.builder().labels(new float[2]);

      assertThatThrownBy(() -> b.feature("x", new String[] {"a", "b", "c"}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("feature 'x' has 3, others 2");
    }

    @Test
    void raggedFeatureRows() {
      float[][] ragged = {{1f, 2f}, {3f, 4f}, {5f}};

      assertThatThrownBy(() -> ArrayInput.builder().feature("x", ragged))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Array for x is ragged")
          .hasMessageContaining("row 0 has 2 values, row 2 has 1");
    }

    @Test
    void raggedLabelRows() {
      float[][] ragged = {{1f}, {2f, 3f}};

      assertThatThrownBy(() -> ArrayInput.builder().labels(ragged))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("labels is ragged");
    }

    @Test
    void emptyArrays() {
      assertThatThrownBy(() -> ArrayInput.builder().feature("x", new float[0]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Array for x is empty");
      assertThatThrownBy(() -> ArrayInput.builder().feature("m", new float[0][]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Array for m is empty");
      assertThatThrownBy(() -> ArrayInput.builder().feature("s", new String[0]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Array for s is empty");
      assertThatThrownBy(() -> ArrayInput.builder().labels(new long[0]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Array for labels is empty");
    }

    @Test
    void duplicateFeatureName() {
      ArrayInput.Builder b = ArrayInput.builder().feature("x", ids(2));

      assertThatThrownBy(() -> b.feature("x", new long[2]))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Feature 'x' was given twice");
    }

    @Test
    void noFeatures() {
      assertThatThrownBy(() -> ArrayInput.builder().labels(ids(2)).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("at least one feature");
    }

    @Test
    void badBatchSizeEpochsAndBuffer() {
      assertThatThrownBy(() -> ArrayInput.builder().feature("x", ids(2)).batchSize(0).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("batchSize must be > 0, got 0");
      assertThatThrownBy(() -> ArrayInput.builder().feature("x", ids(2)).numEpochs(0).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("numEpochs must be > 0 or null, got 0");
      assertThatThrownBy(() -> ArrayInput.builder().feature("x", ids(2)).shuffleBuffer(-1).build())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("shuffleBuffer must be >= 0 (0 disables shuffling), got -1");
    }
  }
}
