package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.featurecolumn.parsing.FixedLenFeature;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

class NumericColumnTest {

  @Test
  void defaultsAndParseSpec() {
    NumericColumn c = FeatureColumns.numericColumn("price");
    assertThat(c.name()).isEqualTo("price");
    assertThat(c.dimension()).isEqualTo(1);
    assertThat(c.parseSpec())
        .isEqualTo(Map.of("price", new FixedLenFeature(TFloat32.class, new long[] {1}, null)));

    NumericColumn d = FeatureColumns.numericColumn("v", new long[] {2, 3}, 0.5f, null);
    assertThat(d.dimension()).isEqualTo(6);
    assertThat(d.parseSpec().get("v"))
        .isEqualTo(new FixedLenFeature(TFloat32.class, new long[] {2, 3}, 0.5f));
  }

  @Test
  void rankOneInputIsAColumnAndIntsAreCast() {
    try (Harness h = new Harness()) {
      h.feature("age", h.tf.constant(new long[] {20, 35}));
      Operand<TFloat32> out = FeatureColumns.numericColumn("age").denseTensor(h.ctx());
      assertThat(out.shape().asArray()).containsExactly(2L, 1L);
      assertThat(h.floats(out)).containsExactly(20f, 35f);
    }
  }

  @Test
  void normalizerRunsOnTheFloatValuesAndShapeIsFlattened() {
    try (Harness h = new Harness()) {
      h.feature("v", h.tf.constant(new float[][][] {{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}));
      NumericColumn c =
          FeatureColumns.numericColumn(
              "v", new long[] {2, 2}, null, (tf, x) -> tf.math.sub(x, tf.constant(1f)));
      Operand<TFloat32> out = c.denseTensor(h.ctx());
      // (x - 1) flattened per example to [batch, 4]
      assertThat(out.shape().asArray()).containsExactly(2L, 4L);
      assertThat(h.floats(out)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    }
  }

  @Test
  void invalidShapesAreRejected() {
    assertThatThrownBy(() -> FeatureColumns.numericColumn("x", new long[] {0}, null, null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shape dimensions of numeric_column 'x' must be greater than 0");
    assertThatThrownBy(() -> FeatureColumns.numericColumn(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("key must be a non-empty string");
  }

  @Test
  void stringInputAndMissingFeatureHaveClearErrors() {
    try (Harness h = new Harness()) {
      h.strings("name", new String[][] {{"a"}});
      TransformContext ctx = h.ctx();
      assertThatThrownBy(() -> FeatureColumns.numericColumn("name").denseTensor(ctx))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("numeric_column 'name' needs a numeric feature");
      assertThatThrownBy(
              () ->
                  FeatureColumns.bucketizedColumn(
                          FeatureColumns.numericColumn("age"), new float[] {1})
                      .denseTensor(ctx))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Feature 'age' is missing")
          .hasMessageContaining("column 'age'")
          .hasMessageContaining("Features present: [name]");
    }
  }

  @Test
  void scalarFeatureIsRejected() {
    try (Harness h = new Harness()) {
      h.feature("x", h.tf.constant(1f));
      assertThatThrownBy(() -> FeatureColumns.numericColumn("x").denseTensor(h.ctx()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot have rank 0");
    }
  }
}
