package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

class BucketizedColumnTest {

  @Test
  void bucketsAreLeftClosedRightOpen() {
    try (Harness h = new Harness()) {
      h.feature("x", h.tf.constant(new float[] {-1f, 0f, 9.99f, 10f, 11f}));
      BucketizedColumn b =
          FeatureColumns.bucketizedColumn(FeatureColumns.numericColumn("x"), new float[] {0, 10});
      assertThat(b.name()).isEqualTo("x_bucketized");
      assertThat(b.numBuckets()).isEqualTo(3);
      assertThat(b.dimension()).isEqualTo(3);
      TransformContext ctx = h.ctx();
      // (-inf, 0) -> 0, [0, 10) -> 1, [10, inf) -> 2
      assertThat(h.longs(h.tf.dtypes.cast(b.buckets(ctx), org.tensorflow.types.TInt64.class)))
          .containsExactly(0, 1, 1, 2, 2);
      Operand<TFloat32> dense = b.denseTensor(ctx);
      assertThat(dense.shape().asArray()).containsExactly(5L, 3L);
      assertThat(h.floats(dense)).containsExactly(1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1);
    }
  }

  @Test
  void vectorSourceGivesOffsetIdsAndConcatenatedOneHots() {
    try (Harness h = new Harness()) {
      h.feature("p", h.tf.constant(new float[][] {{-1, 0.5f}, {0.5f, 1}}));
      NumericColumn p = FeatureColumns.numericColumn("p", new long[] {2}, null, null);
      BucketizedColumn b = FeatureColumns.bucketizedColumn(p, new float[] {0, 1});
      assertThat(b.numBuckets()).isEqualTo(6);
      TransformContext ctx = h.ctx();
      Harness.Sparse ids = h.sparse(b.sparseIds(ctx).ids());
      // buckets: row 0 = [0, 1], row 1 = [1, 2]; element i is offset by i * 3
      assertThat(ids.indices()).containsExactly(0, 0, 0, 1, 1, 0, 1, 1);
      assertThat(ids.values()).containsExactly(0, 4, 1, 5);
      assertThat(ids.denseShape()).containsExactly(2, 2);
      assertThat(h.floats(b.denseTensor(ctx))).containsExactly(1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1);
    }
  }

  @Test
  void invalidBoundariesAreRejected() {
    NumericColumn x = FeatureColumns.numericColumn("x");
    assertThatThrownBy(() -> FeatureColumns.bucketizedColumn(x, new float[] {1, 0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("boundaries must be a sorted list");
    assertThatThrownBy(() -> FeatureColumns.bucketizedColumn(x, new float[] {1, 1}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("boundaries must be a sorted list");
    assertThatThrownBy(() -> FeatureColumns.bucketizedColumn(x, new float[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("boundaries must not be empty");
    NumericColumn matrix = FeatureColumns.numericColumn("m", new long[] {2, 2}, null, null);
    assertThatThrownBy(() -> FeatureColumns.bucketizedColumn(matrix, new float[] {0}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("source_column must be one-dimensional column");
  }
}
