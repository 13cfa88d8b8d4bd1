package io.estimator4j.savedmodel;

import java.util.Map;
import org.tensorflow.Operand;

/**
 * The outputs of an evaluation graph, for the {@code tensorflow/supervised/eval} method; Java
 * counterpart of tf.estimator's export_output.EvalOutput.
 */
public final class EvalOutput extends SupervisedOutput {
  /** Outputs under the keys {@link SupervisedOutput} describes; each part may be null. */
  public EvalOutput(
      Operand<?> loss,
      Map<String, ? extends Operand<?>> predictions,
      Map<String, MetricTensors> metrics) {
    super(SignatureConstants.SUPERVISED_EVAL_METHOD_NAME, loss, predictions, metrics);
  }
}
