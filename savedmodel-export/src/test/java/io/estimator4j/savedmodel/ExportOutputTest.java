package io.estimator4j.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

class ExportOutputTest {

  @Test
  void classificationOutputKeysAndMethod() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> scores = tf.constant(new float[][] {{0.2f, 0.8f}});
      Operand<TString> classes =
          tf.constant(org.tensorflow.ndarray.StdArrays.ndCopyOf(new String[][] {{"0", "1"}}));
      ExportOutput both = new ClassificationOutput(scores, classes);
      assertThat(both.methodName()).isEqualTo("tensorflow/serving/classify");
      assertThat(both.outputs())
          .containsExactly(Map.entry("classes", classes), Map.entry("scores", scores));
      assertThat(new ClassificationOutput(scores, null).outputs()).containsOnlyKeys("scores");
      assertThatThrownBy(() -> new ClassificationOutput(null, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("needs scores or classes");
    }
  }

  @Test
  void regressionAndPredictOutputs() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> value = tf.constant(new float[] {1.5f});
      assertThat(new RegressionOutput(value).outputs())
          .containsExactly(Map.entry("outputs", value));
      assertThat(new RegressionOutput(value).methodName()).isEqualTo("tensorflow/serving/regress");

      Map<String, Operand<?>> predictions = new LinkedHashMap<>();
      predictions.put("b", value);
      predictions.put("a", tf.constant(3L));
      PredictOutput predict = new PredictOutput(predictions);
      predictions.clear(); // copied
      assertThat(predict.outputs()).containsOnlyKeys("b", "a");
      assertThat(predict.outputs().keySet()).containsExactly("b", "a");
      assertThat(predict.methodName()).isEqualTo("tensorflow/serving/predict");
      assertThatThrownBy(() -> new PredictOutput(Map.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("at least one output");
    }
  }

  @Test
  void constantsAreTensorFlowsStrings() {
    assertThat(SignatureConstants.DEFAULT_SERVING_SIGNATURE_DEF_KEY).isEqualTo("serving_default");
    assertThat(SignatureConstants.CLASSIFY_METHOD_NAME).isEqualTo("tensorflow/serving/classify");
    assertThat(SignatureConstants.REGRESS_METHOD_NAME).isEqualTo("tensorflow/serving/regress");
    assertThat(SignatureConstants.PREDICT_METHOD_NAME).isEqualTo("tensorflow/serving/predict");
    assertThat(SignatureConstants.SERVING_TAG).isEqualTo("serve");
  }
}
