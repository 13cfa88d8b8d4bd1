package io.estimator4j.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
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
  void trainAndEvalOutputsKeyLossPredictionsAndMetricsAsTensorFlowDoes() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> loss = tf.constant(0.5f);
      Operand<TFloat32> logits = tf.constant(new float[] {0.1f});
      Operand<TFloat32> mean = tf.constant(2f);
      Operand<TFloat32> meanUpdate = tf.constant(3f);
      Map<String, Operand<?>> predictions = new LinkedHashMap<>();
      predictions.put("logits", logits);
      predictions.put("predictions", logits); // a key that already starts with the prefix
      Map<String, SupervisedOutput.MetricTensors> metrics = new LinkedHashMap<>();
      metrics.put("label/mean", new SupervisedOutput.MetricTensors(mean, meanUpdate));
      metrics.put("metrics_auc", new SupervisedOutput.MetricTensors(mean, meanUpdate));

      for (SupervisedOutput out :
          List.of(
              new TrainOutput(loss, predictions, metrics),
              new EvalOutput(loss, predictions, metrics))) {
        // loss; predictions/<key> unless the key starts with "predictions";
        // metrics/<name>/value and .../update_op unless the name starts with "metrics"
        assertThat(out.outputs().keySet())
            .containsExactly(
                "loss",
                "predictions/logits",
                "predictions",
                "metrics/label/mean/value",
                "metrics/label/mean/update_op",
                "metrics_auc/value",
                "metrics_auc/update_op");
        assertThat(out.outputs().get("loss")).isSameAs(loss);
        assertThat(out.outputs().get("metrics/label/mean/value")).isSameAs(mean);
        assertThat(out.outputs().get("metrics/label/mean/update_op")).isSameAs(meanUpdate);
        assertThat(out.loss()).containsOnlyKeys("loss");
        assertThat(out.predictions()).containsOnlyKeys("predictions/logits", "predictions");
        assertThat(out.metrics()).hasSize(4);
      }
      assertThat(new TrainOutput(loss, predictions, metrics).methodName())
          .isEqualTo("tensorflow/supervised/training");
      assertThat(new EvalOutput(loss, predictions, metrics).methodName())
          .isEqualTo("tensorflow/supervised/eval");
      assertThat(new EvalOutput(loss, null, null).outputs()).containsOnlyKeys("loss");
      assertThat(new TrainOutput(null, null, null).outputs()).isEmpty();
      assertThatThrownBy(() -> new EvalOutput(loss, Map.of("", logits), null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("predictions output keys must be non-empty strings");
    }
  }

  @Test
  void supervisedSignaturesTakeEveryReceiverTensor() {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.withName("x").placeholder(TFloat32.class);
      Operand<TFloat32> label = tf.withName("labels").placeholder(TFloat32.class);
      Operand<TFloat32> loss = tf.withName("loss").identity(tf.constant(0.5f));
      Map<String, Operand<?>> receiver = new LinkedHashMap<>();
      receiver.put("x", tf.ensureShape(x, org.tensorflow.ndarray.Shape.of(-1)));
      receiver.put("label", tf.ensureShape(label, org.tensorflow.ndarray.Shape.of(-1)));
      var sig =
          Signatures.build(receiver, new EvalOutput(loss, null, null)).signature().orElseThrow();
      assertThat(sig.getMethodName()).isEqualTo("tensorflow/supervised/eval");
      assertThat(sig.getInputsMap()).containsOnlyKeys("x", "label");
      assertThat(sig.getOutputsMap()).containsOnlyKeys("loss");
      assertThat(sig.getOutputsMap().get("loss").getName()).isEqualTo("loss:0");
    }
  }

  @Test
  void constantsAreTensorFlowsStrings() {
    assertThat(SignatureConstants.DEFAULT_SERVING_SIGNATURE_DEF_KEY).isEqualTo("serving_default");
    assertThat(SignatureConstants.CLASSIFY_METHOD_NAME).isEqualTo("tensorflow/serving/classify");
    assertThat(SignatureConstants.REGRESS_METHOD_NAME).isEqualTo("tensorflow/serving/regress");
    assertThat(SignatureConstants.PREDICT_METHOD_NAME).isEqualTo("tensorflow/serving/predict");
    assertThat(SignatureConstants.SERVING_TAG).isEqualTo("serve");
    assertThat(SignatureConstants.SUPERVISED_TRAIN_METHOD_NAME)
        .isEqualTo("tensorflow/supervised/training");
    assertThat(SignatureConstants.SUPERVISED_EVAL_METHOD_NAME)
        .isEqualTo("tensorflow/supervised/eval");
    assertThat(SignatureConstants.DEFAULT_TRAIN_SIGNATURE_DEF_KEY).isEqualTo("train");
    assertThat(SignatureConstants.DEFAULT_EVAL_SIGNATURE_DEF_KEY).isEqualTo("eval");
  }
}
