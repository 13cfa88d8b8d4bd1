package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.featurecolumn.parsing.FixedLenFeature;
import io.estimator4j.featurecolumn.parsing.VarLenFeature;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

class CrossedColumnTest {

  private static Harness threeFeatures() {
    Harness h = new Harness();
    h.strings("a", new String[][] {{"batch1-FC1-F1"}});
    h.strings("b", new String[][] {{"batch1-FC2-F1"}});
    h.strings("c", new String[][] {{"batch1-FC3-F1"}});
    return h;
  }

  @Test
  void hashedCrossMatchesSparseCrossOpTest() {
    // sparse_cross_op_test.test_hashed_no_hash_key: num_buckets=100 -> [[83]]
    try (Harness h = threeFeatures()) {
      CrossedColumn c = FeatureColumns.crossedColumn(List.of("a", "b", "c"), 100);
      Harness.Sparse ids = h.sparse(c.sparseIds(h.ctx()).ids());
      assertThat(ids.values()).containsExactly(83);
      assertThat(ids.indices()).containsExactly(0, 0);
    }
    // test_hashed_output: num_buckets=100, hash_key=_DEFAULT_HASH_KEY + 1 -> [[31]]
    try (Harness h = threeFeatures()) {
      CrossedColumn c =
          FeatureColumns.crossedColumn(
              List.of("a", "b", "c"), 100, CrossedColumn.DEFAULT_HASH_KEY + 1);
      assertThat(h.sparse(c.sparseIds(h.ctx()).ids()).values()).containsExactly(31);
    }
  }

  @Test
  void nestedCrossWithBucketizedColumnMatchesFeatureColumnTest() {
    // feature_column_v2_test CrossedColumnTest.test_get_sparse_tensors
    try (Harness h = new Harness()) {
      NumericColumn a = FeatureColumns.numericColumn("a", new long[] {2}, null, null);
      BucketizedColumn b = FeatureColumns.bucketizedColumn(a, new float[] {0, 1});
      CrossedColumn crossed1 = FeatureColumns.crossedColumn(List.of("d1", "d2"), 10);
      CrossedColumn crossed2 = FeatureColumns.crossedColumn(List.of(b, "c", crossed1), 15, 5L);
      assertThat(crossed2.name()).isEqualTo("a_bucketized_X_c_X_d1_X_d2");
      h.feature("a", h.tf.constant(new float[][] {{-1f, .5f}, {.5f, 1f}}));
      // the sparse inputs ((0,0), (1,0), (1,1)), as dense with '' for the missing value
      h.strings("c", new String[][] {{"cA", ""}, {"cB", "cC"}});
      h.strings("d1", new String[][] {{"d1A", ""}, {"d1B", "d1C"}});
      h.strings("d2", new String[][] {{"d2A", ""}, {"d2B", "d2C"}});
      Harness.Sparse ids = h.sparse(crossed2.sparseIds(h.ctx()).ids());
      // Expected ids after cross = (1, 0, 1, 3, 4, 2); all values within [0, 15)
      assertThat(ids.values())
          .containsExactly(6, 14, 0, 13, 8, 8, 10, 12, 2, 0, 1, 9, 8, 12, 2, 0, 10, 11);
      assertThat(ids.denseShape()).containsExactly(2, 16);
      assertThat(ids.indices()).startsWith(0, 0, 0, 1, 1, 0, 1, 1);
    }
  }

  @Test
  void parseSpecIsTheUnionOfTheKeys() {
    NumericColumn a = FeatureColumns.numericColumn("a", new long[] {2}, null, null);
    BucketizedColumn b = FeatureColumns.bucketizedColumn(a, new float[] {0, 1});
    CrossedColumn crossed = FeatureColumns.crossedColumn(List.of(b, "c"), 10);
    assertThat(crossed.parseSpec())
        .isEqualTo(
            Map.of(
                "a", new FixedLenFeature(TFloat32.class, new long[] {2}, null),
                "c", new VarLenFeature(TString.class)));
    assertThat(crossed.numBuckets()).isEqualTo(10);
  }

  @Test
  void invalidKeysAreRejected() {
    assertThatThrownBy(() -> FeatureColumns.crossedColumn(List.of("a"), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keys must be a list with length > 1");
    assertThatThrownBy(() -> FeatureColumns.crossedColumn(List.of("a", "b"), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hash_bucket_size must be > 1");
    HashedColumn hashed = FeatureColumns.categoricalColumnWithHashBucket("h", 10);
    assertThatThrownBy(() -> FeatureColumns.crossedColumn(List.of("a", hashed), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("categorical_column_with_hash_bucket is not supported for crossing");
    WeightedCategoricalColumn weighted =
        FeatureColumns.weightedCategoricalColumn(
            FeatureColumns.categoricalColumnWithIdentity("i", 3), "w");
    assertThatThrownBy(() -> FeatureColumns.crossedColumn(List.of("a", weighted), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("crossed_column does not support weight_tensor");
    assertThatThrownBy(() -> FeatureColumns.crossedColumn(List.of("a", 3), 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Unsupported key type");
  }
}
