package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

class InputLayerTest {
  private static final List<String> JOBS = List.of("doctor", "lawyer", "teacher");

  private static Ops dnnScope(Harness h) {
    return h.tf
        .withSubScope("dnn")
        .withSubScope("input_from_feature_columns")
        .withSubScope("input_layer");
  }

  @Test
  void columnsAreSortedByNameAndConcatenated() {
    try (Harness h = new Harness()) {
      h.feature("price", h.tf.constant(new float[] {2.5f, -1f}));
      h.feature("age", h.tf.constant(new float[] {20f, 40f}));
      h.strings("occupation", new String[][] {{"lawyer"}, {"pilot"}});
      DenseColumn price = FeatureColumns.numericColumn("price");
      DenseColumn age =
          FeatureColumns.bucketizedColumn(
              FeatureColumns.numericColumn("age"), new float[] {18, 30});
      DenseColumn occupation =
          FeatureColumns.embeddingColumn(
              FeatureColumns.categoricalColumnWithVocabularyList("occupation", JOBS),
              2,
              EmbeddingOptions.builder()
                  .initializer((tf, s) -> tf.constant(new float[][] {{1, 2}, {3, 4}, {5, 6}}))
                  .build());

      InputLayerOutput out =
          InputLayer.build(dnnScope(h), h.ctx(), List.of(price, occupation, age));

      assertThat(out.columns())
          .extracting(FeatureColumn::name)
          .containsExactly("age_bucketized", "occupation_embedding", "price");
      assertThat(out.width()).isEqualTo(6);
      assertThat(out.output().shape().get(1)).isEqualTo(6);
      assertThat(out.output().op().name())
          .isEqualTo("dnn/input_from_feature_columns/input_layer/concat");
      assertThat(out.variables())
          .extracting(v -> v.op().name())
          .containsExactly(
              "dnn/input_from_feature_columns/input_layer/occupation_embedding/embedding_weights");
      // row 0: age 20 -> bucket 1 [0, 1, 0]; lawyer -> [3, 4]; price 2.5
      // row 1: age 40 -> bucket 2 [0, 0, 1]; pilot unknown -> [0, 0]; price -1
      assertThat(h.floats(out.output())).containsExactly(0, 1, 0, 3, 4, 2.5f, 0, 0, 1, 0, 0, -1);
    }
  }

  @Test
  void unknownBatchGivesStaticWidth() {
    try (Harness h = new Harness()) {
      h.feature("x", h.tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1))));
      h.feature("c", h.tf.placeholder(TString.class, Placeholder.shape(Shape.of(-1, 3))));
      InputLayerOutput out =
          InputLayer.build(
              h.tf.withSubScope("input_layer"),
              h.ctx(),
              List.of(
                  FeatureColumns.numericColumn("x"),
                  FeatureColumns.indicatorColumn(
                      FeatureColumns.categoricalColumnWithHashBucket("c", 7)),
                  FeatureColumns.embeddingColumn(
                      FeatureColumns.categoricalColumnWithHashBucket("c", 5), 4)));
      assertThat(out.output().shape().asArray()).containsExactly(-1L, 12L);
    }
  }

  @Test
  void duplicateAndEmptyColumnListsAreRejected() {
    try (Harness h = new Harness()) {
      DenseColumn a = FeatureColumns.numericColumn("a");
      DenseColumn a2 = FeatureColumns.numericColumn("a");
      assertThatThrownBy(() -> InputLayer.build(h.tf, h.ctx(), List.of(a, a2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Duplicate feature column name found");
      assertThatThrownBy(() -> InputLayer.build(h.tf, h.ctx(), List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("feature_columns must not be empty");
    }
  }

  @Test
  void inputLayerAndLinearModelEachGetTheirOwnEmbedding() {
    try (Harness h = new Harness()) {
      h.strings("occupation", new String[][] {{"lawyer"}});
      EmbeddingColumn e =
          FeatureColumns.embeddingColumn(
              FeatureColumns.categoricalColumnWithVocabularyList("occupation", JOBS), 2);
      TransformContext ctx = h.ctx();
      InputLayer.build(dnnScope(h), ctx, List.of(e));
      LinearModel.build(
          h.tf.withSubScope("linear").withSubScope("linear_model"), ctx, List.of(e), 1, "sum");
      // as Python's input_layer and linear_model, each layer creates its own variable
      assertThat(h.state.trainableVariables())
          .extracting(v -> v.op().name())
          .containsExactly(
              "dnn/input_from_feature_columns/input_layer/occupation_embedding/embedding_weights",
              "linear/linear_model/occupation_embedding/embedding_weights",
              "linear/linear_model/occupation_embedding/weights",
              "linear/linear_model/bias_weights");
      assertThat(h.state.tableInitializers()).hasSize(1);
    }
  }
}
