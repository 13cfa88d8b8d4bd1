package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.graph.Initializer;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class EmbeddingColumnTest {
  // feature_column_v2_test EmbeddingColumnTest: vocabulary_size = 3,
  // embedding_values = ((1., 2.), (3., 5.), (7., 11.))
  static final Initializer VALUES =
      (tf, shape) -> tf.constant(new float[][] {{1, 2}, {3, 5}, {7, 11}});

  /** ids: example 0 [2], example 1 [0, 1], example 2 [], example 3 [1]. */
  static Harness withIds() {
    Harness h = new Harness();
    h.feature("aaa", h.tf.constant(new long[][] {{2, -1}, {0, 1}, {-1, -1}, {1, -1}}));
    return h;
  }

  static EmbeddingColumn embedding(CategoricalColumn c, String combiner) {
    return FeatureColumns.embeddingColumn(
        c, 2, EmbeddingOptions.builder().combiner(combiner).initializer(VALUES).build());
  }

  static IdentityColumn ids() {
    return FeatureColumns.categoricalColumnWithIdentity("aaa", 3);
  }

  @Test
  void meanCombiner() {
    try (Harness h = withIds()) {
      EmbeddingColumn e = embedding(ids(), "mean");
      assertThat(e.name()).isEqualTo("aaa_embedding");
      assertThat(e.dimension()).isEqualTo(2);
      Operand<TFloat32> out = e.denseTensor(h.ctx());
      assertThat(out.shape().get(1)).isEqualTo(2);
      // example 0: [7, 11]; example 1: mean([1, 2], [3, 5]) = [2, 3.5];
      // example 2: no ids -> [0, 0]; example 3: [3, 5]
      assertThat(h.floats(out)).containsExactly(7, 11, 2, 3.5f, 0, 0, 3, 5);
      assertThat(h.state.trainableVariables()).hasSize(1);
      assertThat(h.state.trainableVariables().get(0).op().name())
          .isEqualTo("aaa_embedding/embedding_weights");
    }
  }

  @Test
  void sqrtnAndSumCombiners() {
    try (Harness h = withIds()) {
      // sqrtn, example 1: ([1, 2] + [3, 5]) / sqrt(2) = [2.828427, 4.949747]
      float[] sqrtn = h.floats(embedding(ids(), "sqrtn").denseTensor(h.ctx()));
      assertThat(sqrtn)
          .containsExactly(
              new float[] {7, 11, 4 / (float) Math.sqrt(2), 7 / (float) Math.sqrt(2), 0, 0, 3, 5},
              within(1e-5f));
    }
    try (Harness h = withIds()) {
      // sum, example 1: [1, 2] + [3, 5] = [4, 7]
      assertThat(h.floats(embedding(ids(), "sum").denseTensor(h.ctx())))
          .containsExactly(7, 11, 4, 7, 0, 0, 3, 5);
    }
  }

  @Test
  void weightedColumnMultipliesAndPrunesNonPositiveWeightsForMean() {
    float[][] w = {{2, 0}, {1, 3}, {0, 0}, {-1, 0}};
    try (Harness h = withIds()) {
      h.feature("w", h.tf.constant(w));
      CategoricalColumn weighted = FeatureColumns.weightedCategoricalColumn(ids(), "w");
      assertThat(weighted.name()).isEqualTo("aaa_weighted_by_w");
      // sum keeps every weight: ex0 2*[7,11] = [14, 22]; ex1 1*[1,2] + 3*[3,5] = [10, 17];
      // ex3 -1*[3, 5] = [-3, -5]
      assertThat(h.floats(embedding(weighted, "sum").denseTensor(h.ctx())))
          .containsExactly(14, 22, 10, 17, 0, 0, -3, -5);
    }
    try (Harness h = withIds()) {
      h.feature("w", h.tf.constant(w));
      CategoricalColumn weighted = FeatureColumns.weightedCategoricalColumn(ids(), "w");
      // mean: ex0 [14, 22] / 2; ex1 [10, 17] / (1 + 3) = [2.5, 4.25]; ex3 weight -1 pruned -> 0
      assertThat(h.floats(embedding(weighted, "mean").denseTensor(h.ctx())))
          .containsExactly(7, 11, 2.5f, 4.25f, 0, 0, 0, 0);
    }
    try (Harness h = withIds()) {
      h.feature("w", h.tf.constant(w));
      CategoricalColumn weighted = FeatureColumns.weightedCategoricalColumn(ids(), "w");
      // sqrtn: ex0 [14, 22] / sqrt(4); ex1 [10, 17] / sqrt(1 + 9)
      float r = (float) Math.sqrt(10);
      assertThat(h.floats(embedding(weighted, "sqrtn").denseTensor(h.ctx())))
          .containsExactly(new float[] {7, 11, 10 / r, 17 / r, 0, 0, 0, 0}, within(1e-5f));
    }
  }

  @Test
  void maxNormClipsEachRowBeforeCombining() {
    try (Harness h = withIds()) {
      EmbeddingColumn e =
          FeatureColumns.embeddingColumn(
              ids(), 2, EmbeddingOptions.builder().initializer(VALUES).maxNorm(5f).build());
      // rows clipped to norm 5: [1, 2] (norm 2.24) unchanged; [3, 5] * 5 / sqrt(34);
      // [7, 11] * 5 / sqrt(170)
      double s34 = 5 / Math.sqrt(34);
      double s170 = 5 / Math.sqrt(170);
      float[] expected = {
        (float) (7 * s170),
        (float) (11 * s170),
        (float) ((1 + 3 * s34) / 2),
        (float) ((2 + 5 * s34) / 2),
        0,
        0,
        (float) (3 * s34),
        (float) (5 * s34)
      };
      assertThat(h.floats(e.denseTensor(h.ctx()))).containsExactly(expected, within(1e-5f));
    }
  }

  @Test
  void gradientsReachTheUsedRows() {
    try (Harness h = withIds()) {
      EmbeddingColumn e = embedding(ids(), "mean");
      TransformContext ctx = h.ctx();
      Operand<TFloat32> out = e.denseTensor(ctx);
      Variable<TFloat32> weights = e.embeddingWeights(ctx);
      Operand<TFloat32> loss = h.tf.reduceSum(out, h.tf.constant(new int[] {0, 1}));
      Output<?>[] grads =
          h.graph.addGradients(loss.asOutput(), new Output<?>[] {weights.asOutput()});
      // d loss / d row: id 2 -> 1 (example 0); id 0 -> 1/2 (example 1);
      // id 1 -> 1/2 (example 1) + 1 (example 3) = 1.5
      assertThat(h.floats(grads[0])).containsExactly(0.5f, 0.5f, 1.5f, 1.5f, 1, 1);
    }
  }

  @Test
  void gradientsFlowThroughMaxNormSqrtnAndWeights() {
    try (Harness h = withIds()) {
      h.feature("w", h.tf.constant(new float[][] {{2, 0}, {1, 3}, {0, 0}, {1, 0}}));
      EmbeddingColumn e =
          FeatureColumns.embeddingColumn(
              FeatureColumns.weightedCategoricalColumn(ids(), "w"),
              2,
              EmbeddingOptions.builder().combiner("sqrtn").initializer(VALUES).maxNorm(5f).build());
      TransformContext ctx = h.ctx();
      Operand<TFloat32> out = e.denseTensor(ctx);
      // (a squared norm would have a zero gradient on clipped rows: their norm is fixed)
      Operand<TFloat32> loss = h.tf.reduceSum(out, h.tf.constant(new int[] {0, 1}));
      Output<?>[] grads =
          h.graph.addGradients(
              loss.asOutput(), new Output<?>[] {e.embeddingWeights(ctx).asOutput()});
      float[] g = h.floats(grads[0]);
      for (float v : g) {
        assertThat(v).isNotNaN().isNotZero();
      }
    }
  }

  @Test
  void untrainableEmbeddingIsNotTrainable() {
    try (Harness h = withIds()) {
      EmbeddingColumn e =
          FeatureColumns.embeddingColumn(
              ids(), 2, EmbeddingOptions.builder().trainable(false).build());
      e.denseTensor(h.ctx());
      assertThat(h.state.trainableVariables()).isEmpty();
      assertThat(h.state.variables()).hasSize(1);
    }
  }

  @Test
  void defaultInitializerIsTruncatedNormalWithStddevOneOverSqrtDimension() {
    try (Harness h = new Harness()) {
      h.feature("aaa", h.tf.constant(new long[] {0}));
      EmbeddingColumn e =
          FeatureColumns.embeddingColumn(
              FeatureColumns.categoricalColumnWithIdentity("aaa", 1000), 4);
      TransformContext ctx = h.ctx();
      e.denseTensor(ctx);
      float[] values = h.floats(e.embeddingWeights(ctx));
      // truncated normal: |x| <= 2 stddev = 2 / sqrt(4) = 1; stddev of the truncated
      // distribution is about 0.88 * 0.5 = 0.44
      double sq = 0;
      for (float v : values) {
        assertThat(Math.abs(v)).isLessThanOrEqualTo(1f);
        sq += v * v;
      }
      assertThat(Math.sqrt(sq / values.length)).isCloseTo(0.44, within(0.03));
    }
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThatThrownBy(() -> FeatureColumns.embeddingColumn(ids(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid dimension 0");
    assertThatThrownBy(() -> EmbeddingOptions.builder().combiner("max").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("combiner must be one of [mean, sqrtn, sum]");
  }
}
