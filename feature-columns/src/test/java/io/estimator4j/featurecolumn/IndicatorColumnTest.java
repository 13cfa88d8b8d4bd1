package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

class IndicatorColumnTest {

  @Test
  void multiHotWithCounts() {
    try (Harness h = new Harness()) {
      h.strings("aaa", new String[][] {{"marlo", "marlo", ""}, {"omar", "skywalker", "stringer"}});
      IndicatorColumn c =
          FeatureColumns.indicatorColumn(
              FeatureColumns.categoricalColumnWithVocabularyList(
                  "aaa", List.of("omar", "stringer", "marlo")));
      assertThat(c.name()).isEqualTo("aaa_indicator");
      assertThat(c.dimension()).isEqualTo(3);
      Operand<TFloat32> out = c.denseTensor(h.ctx());
      assertThat(out.shape().get(1)).isEqualTo(3);
      // ex0: marlo twice -> [0, 0, 2]; ex1: omar, stringer (skywalker unknown) -> [1, 1, 0]
      assertThat(h.floats(out)).containsExactly(0, 0, 2, 1, 1, 0);
    }
  }

  @Test
  void weightedColumnSumsWeights() {
    try (Harness h = new Harness()) {
      h.feature("ids", h.tf.constant(new long[][] {{0, 2, 2}, {1, -1, -1}}));
      h.feature("w", h.tf.constant(new float[][] {{0.5f, 2, -1}, {3, 9, 9}}));
      IndicatorColumn c =
          FeatureColumns.indicatorColumn(
              FeatureColumns.weightedCategoricalColumn(
                  FeatureColumns.categoricalColumnWithIdentity("ids", 3), "w"));
      // ex0: id 0 -> 0.5, id 2 -> 2 + (-1) = 1; ex1: id 1 -> 3 (the 9s have no id)
      assertThat(h.floats(c.denseTensor(h.ctx()))).containsExactly(0.5f, 0, 1, 0, 3, 0);
    }
  }
}
