package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Output;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

class LinearModelTest {
  private static final List<String> WIRE = List.of("omar", "stringer", "marlo");

  private static Ops linearScope(Harness h) {
    return h.tf.withSubScope("linear").withSubScope("linear_model");
  }

  private static void assign(Harness h, Variable<TFloat32> v, float[][] values) {
    h.session().runner().addTarget(h.tf.assign(v, h.tf.constant(values))).run().close();
  }

  @Test
  void variablesHavePythonNamesAndShapes() {
    try (Harness h = new Harness()) {
      h.feature("age", h.tf.constant(new float[] {20f, 40f}));
      h.strings("wire", new String[][] {{"omar"}, {"marlo"}});
      NumericColumn age = FeatureColumns.numericColumn("age");
      LinearModelOutput out =
          LinearModel.build(
              linearScope(h),
              h.ctx(),
              List.of(
                  FeatureColumns.categoricalColumnWithVocabularyList("wire", WIRE, -1, 1),
                  age,
                  FeatureColumns.bucketizedColumn(age, new float[] {18, 30})),
              3,
              "sum");
      assertThat(out.columnWeights().keySet()).containsExactly("age", "age_bucketized", "wire");
      assertThat(out.columnWeights().get("age").op().name())
          .isEqualTo("linear/linear_model/age/weights");
      assertThat(out.columnWeights().get("age").shape()).isEqualTo(Shape.of(1, 3));
      // bucketized is categorical in a linear model: [num_buckets, units]
      assertThat(out.columnWeights().get("age_bucketized").shape()).isEqualTo(Shape.of(3, 3));
      assertThat(out.columnWeights().get("wire").shape()).isEqualTo(Shape.of(4, 3));
      assertThat(out.bias().op().name()).isEqualTo("linear/linear_model/bias_weights");
      assertThat(out.bias().shape()).isEqualTo(Shape.of(3));
      assertThat(out.variables()).hasSize(4);
      assertThat(h.state.trainableVariables()).hasSize(4);
      assertThat(h.graph.operation("linear/linear_model/age/weights/read").type())
          .isEqualTo("Identity");
      assertThat(h.graph.operation("linear/linear_model/age/weights/Assign").type())
          .isEqualTo("Assign");
      assertThat(out.logits().op().name()).isEqualTo("linear/linear_model/weighted_sum");
      // zero-initialised
      assertThat(h.floats(out.logits())).containsOnly(0f).hasSize(6);
    }
  }

  @Test
  void lookedUpRowsAreTheIdsWithIdZeroForEachEmptyExampleAsSparseFillEmptyRows() {
    try (Harness h = new Harness()) {
      // 'marlo' -> 2; the second example has no value; 'omar' -> 0, 'stringer' -> 1. Python's
      // safe_embedding_lookup_sparse reads sparse_fill_empty_rows(ids, 0): 2, then 0 for the empty
      // example, then 0, 1 (row-major order)
      h.strings("wire", new String[][] {{"marlo", ""}, {"", ""}, {"omar", "stringer"}});
      LinearModelOutput out =
          LinearModel.build(
              linearScope(h),
              h.ctx(),
              List.of(FeatureColumns.categoricalColumnWithVocabularyList("wire", WIRE, -1, 1)),
              1,
              "sum");
      assertThat(h.longs(out.lookedUpRows().get("wire"))).containsExactly(2, 0, 0, 1);
    }
    try (Harness h = new Harness()) {
      // no empty example: the ids alone, no 0 added
      h.strings("wire", new String[][] {{"marlo"}, {"stringer"}});
      LinearModelOutput out =
          LinearModel.build(
              linearScope(h),
              h.ctx(),
              List.of(FeatureColumns.categoricalColumnWithVocabularyList("wire", WIRE, -1, 1)),
              1,
              "sum");
      assertThat(h.longs(out.lookedUpRows().get("wire"))).containsExactly(2, 1);
    }
  }

  @Test
  void categoricalColumnSumsItsWeightsLikePython() {
    try (Harness h = new Harness()) {
      // VocabularyListCategoricalColumnTest.test_linear_model: num_oov_buckets=1,
      // ('marlo'), ('skywalker', 'omar'); wire_var = ((1,), (2,), (3,), (4,))
      h.strings("wire", new String[][] {{"marlo", ""}, {"skywalker", "omar"}});
      LinearModelOutput out =
          LinearModel.build(
              linearScope(h),
              h.ctx(),
              List.of(FeatureColumns.categoricalColumnWithVocabularyList("wire", WIRE, -1, 1)),
              1,
              "sum");
      assign(h, out.columnWeights().get("wire"), new float[][] {{1}, {2}, {3}, {4}});
      // 'marlo' -> 2: wire_var[2] = 3; 'skywalker' -> 3, 'omar' -> 0: 4 + 1 = 5
      assertThat(h.floats(out.logits())).containsExactly(3, 5);
    }
  }

  @Test
  void meanCombinerAndDenseColumnAndBias() {
    try (Harness h = new Harness()) {
      h.feature("ids", h.tf.constant(new long[][] {{0, 1}, {2, -1}}));
      h.feature("price", h.tf.constant(new float[] {1f, 2f}));
      LinearModelOutput out =
          LinearModel.build(
              linearScope(h),
              h.ctx(),
              List.of(
                  FeatureColumns.numericColumn("price"),
                  FeatureColumns.categoricalColumnWithIdentity("ids", 3)),
              1,
              "mean");
      assign(h, out.columnWeights().get("ids"), new float[][] {{1}, {2}, {4}});
      assign(h, out.columnWeights().get("price"), new float[][] {{10}});
      h.session()
          .runner()
          .addTarget(h.tf.assign(out.bias(), h.tf.constant(new float[] {5})))
          .run()
          .close();
      // row 0: mean(1, 2) + 10 * 1 + 5 = 16.5; row 1: 4 + 10 * 2 + 5 = 29
      assertThat(h.floats(out.logits())).containsExactly(16.5f, 29f);
    }
  }

  @Test
  void gradientsReachEveryVariable() {
    try (Harness h = new Harness()) {
      h.feature("ids", h.tf.constant(new long[][] {{0, 1}, {2, -1}}));
      h.feature("w", h.tf.constant(new float[][] {{0.5f, 2}, {1, 0}}));
      h.feature("price", h.tf.constant(new float[] {1f, 2f}));
      LinearModelOutput out =
          LinearModel.build(
              linearScope(h),
              h.ctx(),
              List.of(
                  FeatureColumns.numericColumn("price"),
                  FeatureColumns.weightedCategoricalColumn(
                      FeatureColumns.categoricalColumnWithIdentity("ids", 3), "w")),
              2,
              "sqrtn");
      var loss = h.tf.reduceSum(out.logits(), h.tf.constant(new int[] {0, 1}));
      Output<?>[] xs = {
        out.columnWeights().get("ids_weighted_by_w").asOutput(),
        out.columnWeights().get("price").asOutput(),
        out.bias().asOutput()
      };
      Output<?>[] grads = h.graph.addGradients(loss.asOutput(), xs);
      // ids: row 0 sqrtn weights 0.5, 2 over sqrt(0.25 + 4); row 1 id 2 weight 1 over 1
      float n = (float) Math.sqrt(4.25);
      assertThat(h.floats(grads[0]))
          .containsExactly(
              new float[] {0.5f / n, 0.5f / n, 2 / n, 2 / n, 1, 1},
              org.assertj.core.api.Assertions.within(1e-5f));
      // d/d price weights = 1 + 2 = 3 per unit; d/d bias = batch = 2 per unit
      assertThat(h.floats(grads[1])).containsExactly(3, 3);
      assertThat(h.floats(grads[2])).containsExactly(2, 2);
    }
  }

  @Test
  void invalidArgumentsAreRejected() {
    try (Harness h = new Harness()) {
      List<FeatureColumn> cols = List.of(FeatureColumns.numericColumn("a"));
      assertThatThrownBy(() -> LinearModel.build(h.tf, h.ctx(), cols, 0, "sum"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("units must be >= 1");
      assertThatThrownBy(() -> LinearModel.build(h.tf, h.ctx(), cols, 1, "max"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("combiner must be one of");
    }
  }
}
