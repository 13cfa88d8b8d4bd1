package io.estimator4j.estimator.head;

import io.estimator4j.savedmodel.ExportOutput;
import java.util.List;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * What the classification heads (BinaryClassHead, MultiClassHead, MultiLabelHead) share: the label
 * vocabulary, the class predictions of a softmax over the classes and the classifier export
 * outputs.
 */
abstract class ClassifierHead extends BaseHead {
  /** The class strings by class id, or null when labels are numbers. */
  final List<String> labelVocabulary;

  /** Checks the builder's label vocabulary: {@code nClasses} distinct strings, or none. */
  ClassifierHead(HeadBuilder.Classifier<?> b, int nClasses) {
    super(b);
    this.labelVocabulary = HeadSupport.checkVocabulary(b.labelVocabulary, nClasses);
  }

  /**
   * The class strings by class id (for BinaryClassHead class 0 and class 1), or an empty list when
   * labels are numbers (class ids or indicators).
   */
  public List<String> labelVocabulary() {
    return labelVocabulary == null ? List.of() : labelVocabulary;
  }

  /**
   * Puts the predictions of a softmax over {@code classLogits} {@code [batch, nClasses]}: {@code
   * probabilities}, {@code class_ids} (the arg max), {@code classes} and, tiled to the batch of
   * {@code logits}, {@code all_class_ids} and {@code all_classes}.
   */
  final void putClassPredictions(
      Ops tf,
      Map<String, Operand<?>> p,
      Operand<TFloat32> classLogits,
      Operand<TFloat32> logits,
      int nClasses) {
    p.put(
        PredictionKeys.PROBABILITIES,
        tf.withName(PredictionKeys.PROBABILITIES).nn.softmax(classLogits));
    Operand<TInt64> classIds =
        tf.withName(PredictionKeys.CLASS_IDS)
            .expandDims(tf.math.argMax(classLogits, tf.constant(-1)), tf.constant(-1));
    p.put(PredictionKeys.CLASS_IDS, classIds);
    p.put(PredictionKeys.CLASSES, HeadSupport.classStrings(tf, classIds, labelVocabulary));
    p.put(PredictionKeys.ALL_CLASS_IDS, HeadSupport.allClassIds(tf, logits, nClasses));
    p.put(
        PredictionKeys.ALL_CLASSES, HeadSupport.allClasses(tf, logits, nClasses, labelVocabulary));
  }

  /** The classifier outputs of {@link HeadSupport#classifierExports}, without a regression one. */
  @Override
  Map<String, ExportOutput> exportOutputs(Map<String, Operand<?>> p) {
    return HeadSupport.classifierExports(p, null);
  }
}
