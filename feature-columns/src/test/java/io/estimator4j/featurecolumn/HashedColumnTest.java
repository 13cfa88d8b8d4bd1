package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.featurecolumn.parsing.VarLenFeature;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

class HashedColumnTest {

  @Test
  void stringIdsMatchPython() {
    try (Harness h = new Harness()) {
      // feature_column_v2_test.test_strings_should_be_hashed: values ('omar', 'stringer',
      // 'marlo') at [0,0], [1,0], [1,1], hash_bucket_size 10 -> expected_values = [6, 4, 1]
      h.strings("wire", new String[][] {{"omar", ""}, {"stringer", "marlo"}});
      HashedColumn c = FeatureColumns.categoricalColumnWithHashBucket("wire", 10);
      Harness.Sparse ids = h.sparse(c.sparseIds(h.ctx()).ids());
      assertThat(ids.values()).containsExactly(6, 4, 1);
      assertThat(ids.indices()).containsExactly(0, 0, 1, 0, 1, 1);
      assertThat(ids.denseShape()).containsExactly(2, 2);
      assertThat(c.parseSpec()).isEqualTo(Map.of("wire", new VarLenFeature(TString.class)));
    }
  }

  @Test
  void integersAreHashedAsStrings() {
    try (Harness h = new Harness()) {
      // feature_column_test.test_ints_should_be_hashed: values (101, 201, 301), size 10
      // -> expected_values = [3, 7, 5]; -1 is a missing value and is dropped
      h.feature("wire", h.tf.constant(new int[][] {{101, -1}, {201, 301}}));
      HashedColumn c = FeatureColumns.categoricalColumnWithHashBucket("wire", 10, TInt64.class);
      assertThat(h.sparse(c.sparseIds(h.ctx()).ids()).values()).containsExactly(3, 7, 5);
      assertThat(c.parseSpec()).isEqualTo(Map.of("wire", new VarLenFeature(TInt64.class)));
    }
  }

  @Test
  void invalidSizeIsRejected() {
    assertThatThrownBy(() -> FeatureColumns.categoricalColumnWithHashBucket("a", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("hash_bucket_size must be at least 1");
  }
}
