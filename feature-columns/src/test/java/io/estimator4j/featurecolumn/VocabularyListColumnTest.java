package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.featurecolumn.parsing.VarLenFeature;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

class VocabularyListColumnTest {
  private static final List<String> WIRE = List.of("omar", "stringer", "marlo");

  @Test
  void unknownValuesAndMissingValuesAreDropped() {
    try (Harness h = new Harness()) {
      // test_get_sparse_tensors_dense_input: (('marlo', ''), ('skywalker', 'omar'))
      // -> raw ids (2, -1, 0) at [0,0], [1,0], [1,1]; the unknown -1 is dropped here.
      h.strings("aaa", new String[][] {{"marlo", ""}, {"skywalker", "omar"}});
      VocabularyListColumn c = FeatureColumns.categoricalColumnWithVocabularyList("aaa", WIRE);
      assertThat(c.numBuckets()).isEqualTo(3);
      assertThat(c.parseSpec()).isEqualTo(Map.of("aaa", new VarLenFeature(TString.class)));
      Harness.Sparse ids = h.sparse(c.sparseIds(h.ctx()).ids());
      assertThat(ids.indices()).containsExactly(0, 0, 1, 1);
      assertThat(ids.values()).containsExactly(2, 0);
      assertThat(ids.denseShape()).containsExactly(2, 2);
      assertThat(h.state.tableInitializers()).hasSize(1);
    }
  }

  @Test
  void defaultValueInVocabulary() {
    try (Harness h = new Harness()) {
      // test_get_sparse_tensors_default_value_in_vocabulary: default_value=2 -> (2, 2, 0)
      h.strings("aaa", new String[][] {{"marlo", ""}, {"skywalker", "omar"}});
      VocabularyListColumn c =
          FeatureColumns.categoricalColumnWithVocabularyList("aaa", WIRE, 2, 0);
      assertThat(h.sparse(c.sparseIds(h.ctx()).ids()).values()).containsExactly(2, 2, 0);
    }
  }

  @Test
  void oovBucketsMatchPython() {
    try (Harness h = new Harness()) {
      // test_get_sparse_tensors_with_oov_buckets: num_oov_buckets=100,
      // ('marlo', 'skywalker', 'omar', 'heisenberg') -> (2, 33, 0, 62)
      // i.e. 3 + hash('skywalker') % 100 = 33 and 3 + hash('heisenberg') % 100 = 62
      h.strings("aaa", new String[][] {{"marlo", "", ""}, {"skywalker", "omar", "heisenberg"}});
      VocabularyListColumn c =
          FeatureColumns.categoricalColumnWithVocabularyList("aaa", WIRE, -1, 100);
      assertThat(c.numBuckets()).isEqualTo(103);
      assertThat(h.sparse(c.sparseIds(h.ctx()).ids()).values()).containsExactly(2, 33, 0, 62);
    }
  }

  @Test
  void integerVocabularyWithOovBuckets() {
    try (Harness h = new Harness()) {
      // test_get_sparse_tensors_int32_with_oov_buckets: vocabulary (30, 35, 11, 23, 22),
      // num_oov_buckets=100, values (11, 100, 30, 22) -> (2, 60, 0, 4)
      h.feature("aaa", h.tf.constant(new int[][] {{11, -1, -1}, {100, 30, -1}, {-1, -1, 22}}));
      VocabularyListColumn c =
          FeatureColumns.categoricalColumnWithVocabularyList(
              "aaa", new long[] {30, 35, 11, 23, 22}, -1, 100);
      assertThat(c.parseSpec()).isEqualTo(Map.of("aaa", new VarLenFeature(TInt64.class)));
      Harness.Sparse ids = h.sparse(c.sparseIds(h.ctx()).ids());
      assertThat(ids.values()).containsExactly(2, 60, 0, 4);
      assertThat(ids.indices()).containsExactly(0, 0, 1, 0, 1, 1, 2, 2);
    }
  }

  @Test
  void invalidArgumentsAreRejected() {
    assertThatThrownBy(() -> FeatureColumns.categoricalColumnWithVocabularyList("aaa", List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("vocabulary_list must be non-empty, column_name: aaa");
    assertThatThrownBy(
            () ->
                FeatureColumns.categoricalColumnWithVocabularyList("aaa", new long[] {12, 24, 12}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Duplicate keys in vocabulary_list");
    assertThatThrownBy(
            () ->
                FeatureColumns.categoricalColumnWithVocabularyList(
                    "aaa", new long[] {12, 24, 36}, -1, -1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid num_oov_buckets");
    assertThatThrownBy(
            () ->
                FeatureColumns.categoricalColumnWithVocabularyList(
                    "aaa", new long[] {12, 24, 36}, 2, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both num_oov_buckets and default_value");
  }

  @Test
  void inputTypeMustMatchVocabulary() {
    try (Harness h = new Harness()) {
      h.feature("aaa", h.tf.constant(new long[][] {{12}}));
      VocabularyListColumn c = FeatureColumns.categoricalColumnWithVocabularyList("aaa", WIRE);
      assertThatThrownBy(() -> c.sparseIds(h.ctx()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("dtype must be compatible");
    }
  }
}
