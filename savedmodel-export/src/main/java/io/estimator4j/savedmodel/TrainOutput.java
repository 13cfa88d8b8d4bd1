package io.estimator4j.savedmodel;

import java.util.Map;
import org.tensorflow.Operand;

/**
 * The outputs of a training graph, for the {@code tensorflow/supervised/training} method; Java
 * counterpart of tf.estimator's export_output.TrainOutput.
 */
public final class TrainOutput extends SupervisedOutput {
  /** Outputs under the keys {@link SupervisedOutput} describes; each part may be null. */
  public TrainOutput(
      Operand<?> loss,
      Map<String, ? extends Operand<?>> predictions,
      Map<String, MetricTensors> metrics) {
    super(SignatureConstants.SUPERVISED_TRAIN_METHOD_NAME, loss, predictions, metrics);
  }
}
