package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.ndarray.NdArrays;

class TransformContextTest {

  @Test
  void eachColumnIsTransformedOnce() {
    try (Harness h = new Harness()) {
      h.strings("wire", new String[][] {{"omar"}});
      h.strings("other", new String[][] {{"x"}});
      VocabularyListColumn c =
          FeatureColumns.categoricalColumnWithVocabularyList("wire", List.of("omar"));
      TransformContext ctx = h.ctx();
      SparseIds first = c.sparseIds(ctx);
      assertThat(c.sparseIds(ctx)).isSameAs(first);
      FeatureColumns.indicatorColumn(c).denseTensor(ctx);
      FeatureColumns.crossedColumn(List.of(c, "other"), 10).sparseIds(ctx);
      FeatureColumns.embeddingColumn(c, 2).denseTensor(ctx);
      // one table for the column, however many users
      assertThat(h.state.tableInitializers()).hasSize(1);
      Object cached = ctx.cached(c, () -> "computed");
      assertThat(ctx.cached(c, () -> "again")).isSameAs(cached);
    }
  }

  @Test
  void sparseFeaturesAreUsedAsGiven() {
    try (Harness h = new Harness()) {
      // tf.io.parse_example's VarLen output: indices [[0,0],[1,0],[1,1]], values, shape [2, 2]
      SparseTensor<?> wire =
          new SparseTensor<>(
              h.tf.constant(new long[][] {{0, 0}, {1, 0}, {1, 1}}),
              h.tf.constant(NdArrays.vectorOfObjects("omar", "stringer", "marlo")),
              h.tf.constant(new long[] {2, 2}));
      TransformContext ctx = new TransformContext(h.tf, Map.of(), Map.of("wire", wire), h.state);
      HashedColumn c = FeatureColumns.categoricalColumnWithHashBucket("wire", 10);
      Harness.Sparse ids = h.sparse(c.sparseIds(ctx).ids());
      assertThat(ids.values()).containsExactly(6, 4, 1);
      assertThat(ids.indices()).containsExactly(0, 0, 1, 0, 1, 1);
      assertThatThrownBy(() -> FeatureColumns.numericColumn("wire").denseTensor(ctx))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Feature 'wire' is sparse");
    }
  }

  @Test
  void missingFeatureNamesKeyColumnAndPresentKeys() {
    try (Harness h = new Harness()) {
      h.feature("b", h.tf.constant(new long[] {1}));
      h.feature("a", h.tf.constant(new long[] {1}));
      EmbeddingColumn e =
          FeatureColumns.embeddingColumn(
              FeatureColumns.categoricalColumnWithIdentity("occupation", 3), 2);
      assertThatThrownBy(() -> InputLayer.build(h.tf, h.ctx(), List.of(e)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "Feature 'occupation' is missing: column 'occupation' needs it (building"
                  + " column 'occupation_embedding'). Features present: [a, b]. Check the keys the"
                  + " input function returns.");
    }
  }
}
