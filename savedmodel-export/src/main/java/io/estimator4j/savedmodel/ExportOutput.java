package io.estimator4j.savedmodel;

import java.util.Map;
import org.tensorflow.Operand;

/**
 * One output of a model for serving, attached by a head to an {@code EstimatorSpec} under a
 * signature key; Java counterpart of tf.estimator.export.ExportOutput. Each kind maps to one
 * SignatureDef method: TensorFlow Serving's classify, regress and predict, and the supervised
 * training and eval methods of TRAIN and EVAL graphs.
 */
public sealed interface ExportOutput
    permits ClassificationOutput, RegressionOutput, PredictOutput, SupervisedOutput {

  /** The SignatureDef method name, e.g. {@link SignatureConstants#CLASSIFY_METHOD_NAME}. */
  String methodName();

  /** The tensors the signature returns, keyed by signature output key, in a stable order. */
  Map<String, Operand<?>> outputs();
}
