package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class SharedEmbeddingsTest {

  @Test
  void oneVariableIsSharedByTheGroup() {
    try (Harness h = new Harness()) {
      h.feature("bbb", h.tf.constant(new long[][] {{2, -1}, {0, 1}}));
      h.feature("aaa", h.tf.constant(new long[][] {{1, -1}, {-1, -1}}));
      IdentityColumn b = FeatureColumns.categoricalColumnWithIdentity("bbb", 3);
      IdentityColumn a = FeatureColumns.categoricalColumnWithIdentity("aaa", 3);
      List<DenseColumn> shared =
          FeatureColumns.sharedEmbeddings(
              List.of(b, a),
              2,
              EmbeddingOptions.builder().initializer(EmbeddingColumnTest.VALUES).build(),
              null);
      // returned in input order; collection name from the sorted names
      assertThat(shared)
          .extracting(FeatureColumn::name)
          .containsExactly("bbb_shared_embedding", "aaa_shared_embedding");
      InputLayerOutput out = InputLayer.build(h.tf.withSubScope("input_layer"), h.ctx(), shared);
      assertThat(h.state.trainableVariables()).hasSize(1);
      assertThat(h.state.trainableVariables().get(0).op().name())
          .isEqualTo("input_layer/aaa_bbb_shared_embedding/embedding_weights");
      assertThat(out.variables()).hasSize(1);
      // sorted: aaa (ex0: [3, 5], ex1: none -> 0) then bbb (ex0: [7, 11], ex1: mean = [2, 3.5])
      assertThat(h.floats(out.output())).containsExactly(3, 5, 7, 11, 0, 0, 2, 3.5f);
    }
  }

  @Test
  void columnsMustHaveTheSameTypeAndBuckets() {
    IdentityColumn a = FeatureColumns.categoricalColumnWithIdentity("aaa", 3);
    IdentityColumn b4 = FeatureColumns.categoricalColumnWithIdentity("bbb", 4);
    HashedColumn h3 = FeatureColumns.categoricalColumnWithHashBucket("ccc", 3);
    assertThatThrownBy(() -> FeatureColumns.sharedEmbeddings(List.of(a, b4), 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must have the same number of buckets");
    assertThatThrownBy(() -> FeatureColumns.sharedEmbeddings(List.of(a, h3), 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must have the same type");
    // a weighted column counts as its base type
    assertThat(
            FeatureColumns.sharedEmbeddings(
                List.of(
                    a,
                    FeatureColumns.weightedCategoricalColumn(
                        FeatureColumns.categoricalColumnWithIdentity("ddd", 3), "w")),
                2))
        .hasSize(2);
  }
}
