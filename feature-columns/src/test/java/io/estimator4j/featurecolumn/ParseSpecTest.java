package io.estimator4j.featurecolumn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import io.estimator4j.featurecolumn.parsing.FixedLenFeature;
import io.estimator4j.featurecolumn.parsing.VarLenFeature;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

class ParseSpecTest {

  @Test
  void specOfAColumnSet() {
    NumericColumn age = FeatureColumns.numericColumn("age", new long[] {1}, 30f, null);
    List<FeatureColumn> columns =
        List.of(
            age,
            FeatureColumns.bucketizedColumn(age, new float[] {18, 65}),
            FeatureColumns.embeddingColumn(
                FeatureColumns.categoricalColumnWithHashBucket("occupation", 100), 8),
            FeatureColumns.indicatorColumn(
                FeatureColumns.weightedCategoricalColumn(
                    FeatureColumns.categoricalColumnWithIdentity("ids", 10), "ids_weight")),
            FeatureColumns.crossedColumn(List.of("occupation", "education"), 1000));
    Map<String, FeatureSpec> spec = FeatureColumns.makeParseExampleSpec(columns);
    assertThat(spec)
        .containsExactly(
            Map.entry("age", new FixedLenFeature(TFloat32.class, new long[] {1}, 30f)),
            Map.entry("education", new VarLenFeature(TString.class)),
            Map.entry("ids", new VarLenFeature(TInt64.class)),
            Map.entry("ids_weight", new VarLenFeature(TFloat32.class)),
            Map.entry("occupation", new VarLenFeature(TString.class)));
  }

  @Test
  void conflictingSpecsAreRejected() {
    List<FeatureColumn> columns =
        List.of(
            FeatureColumns.numericColumn("x"),
            FeatureColumns.categoricalColumnWithHashBucket("x", 10));
    assertThatThrownBy(() -> FeatureColumns.makeParseExampleSpec(columns))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("feature_columns contain different parse_spec for key x");
  }

  @Test
  void weightKeyMustDifferFromTheIdKey() {
    assertThatThrownBy(
            () ->
                FeatureColumns.weightedCategoricalColumn(
                    FeatureColumns.categoricalColumnWithIdentity("ids", 3), "ids"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already exists for ids");
  }
}
