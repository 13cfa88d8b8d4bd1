package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.featurecolumn.parsing.VarLenFeature;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.types.TInt64;

class IdentityColumnTest {

  @Test
  void valuesAreIdsAndNegativesAreDropped() {
    try (Harness h = new Harness()) {
      h.feature("aaa", h.tf.constant(new int[][] {{0, -1}, {1, 2}, {-3, -1}}));
      IdentityColumn c = FeatureColumns.categoricalColumnWithIdentity("aaa", 3);
      assertThat(c.parseSpec()).isEqualTo(Map.of("aaa", new VarLenFeature(TInt64.class)));
      Harness.Sparse ids = h.sparse(c.sparseIds(h.ctx()).ids());
      // -1 is missing; -3 is negative: both dropped
      assertThat(ids.indices()).containsExactly(0, 0, 1, 0, 1, 1);
      assertThat(ids.values()).containsExactly(0, 1, 2);
      assertThat(ids.denseShape()).containsExactly(3, 2);
    }
  }

  @Test
  void outOfRangeFailsAtRunTimeNamingTheColumn() {
    try (Harness h = new Harness()) {
      h.feature("user_id", h.tf.constant(new long[] {1, 5}));
      IdentityColumn c = FeatureColumns.categoricalColumnWithIdentity("user_id", 3);
      var ids = c.sparseIds(h.ctx()).ids();
      assertThatThrownBy(() -> h.longs(ids.getValues()))
          .isInstanceOf(TFInvalidArgumentException.class)
          .hasMessageContaining("Column user_id (categorical_column_with_identity)")
          .hasMessageContaining("num_buckets = 3");
    }
  }

  @Test
  void defaultValueReplacesOutOfRangeValues() {
    try (Harness h = new Harness()) {
      // default_value=1: 5 >= num_buckets -> 1, -3 < 0 -> 1; -1 is missing and dropped
      h.feature("aaa", h.tf.constant(new long[][] {{5, -1}, {-3, 2}}));
      IdentityColumn c = FeatureColumns.categoricalColumnWithIdentity("aaa", 3, 1L);
      Harness.Sparse ids = h.sparse(c.sparseIds(h.ctx()).ids());
      assertThat(ids.indices()).containsExactly(0, 0, 1, 0, 1, 1);
      assertThat(ids.values()).containsExactly(1, 1, 2);
    }
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThatThrownBy(() -> FeatureColumns.categoricalColumnWithIdentity("aaa", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("num_buckets 0 < 1, column_name aaa");
    assertThatThrownBy(() -> FeatureColumns.categoricalColumnWithIdentity("aaa", 3, 3L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("default_value 3 not in range [0, 3)");
  }

  @Test
  void stringInputIsRejected() {
    try (Harness h = new Harness()) {
      h.strings("aaa", new String[][] {{"x"}});
      assertThatThrownBy(
              () -> FeatureColumns.categoricalColumnWithIdentity("aaa", 3).sparseIds(h.ctx()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid input, not integer. key: aaa");
    }
  }
}
