package io.estimator4j.savedmodel;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

/**
 * The output of a classifier for the {@code tensorflow/serving/classify} method: per-class scores
 * and the matching class names; Java counterpart of tf.estimator.export.ClassificationOutput.
 *
 * @param scores float32 scores, e.g. probabilities {@code [batch, n_classes]}; may be null
 * @param classes string class names {@code [batch, n_classes]}; may be null
 */
public record ClassificationOutput(Operand<TFloat32> scores, Operand<TString> classes)
    implements ExportOutput {

  /** Checks that at least one part is given and that the dtypes are right. */
  public ClassificationOutput {
    if (scores == null && classes == null) {
      throw new IllegalArgumentException(
          "ClassificationOutput needs scores or classes (or both); both were null.");
    }
    if (scores != null && scores.type() != TFloat32.class) {
      throw new IllegalArgumentException(
          "ClassificationOutput scores must be float32, found "
              + scores.type().getSimpleName()
              + ". Fix: cast the scores to float32.");
    }
    if (classes != null && classes.type() != TString.class) {
      throw new IllegalArgumentException(
          "ClassificationOutput classes must be strings, found "
              + classes.type().getSimpleName()
              + ". Fix: convert class ids with tf.dtypes.asString or a vocabulary lookup.");
    }
  }

  @Override
  public String methodName() {
    return SignatureConstants.CLASSIFY_METHOD_NAME;
  }

  /** {@code classes} and {@code scores}, whichever are present. */
  @Override
  public Map<String, Operand<?>> outputs() {
    Map<String, Operand<?>> out = new LinkedHashMap<>();
    if (classes != null) {
      out.put(SignatureConstants.CLASSIFY_OUTPUT_CLASSES, classes);
    }
    if (scores != null) {
      out.put(SignatureConstants.CLASSIFY_OUTPUT_SCORES, scores);
    }
    return Collections.unmodifiableMap(out);
  }
}
