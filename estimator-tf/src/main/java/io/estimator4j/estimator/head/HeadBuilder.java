package io.estimator4j.estimator.head;

import java.util.List;

/**
 * The options every head builder has (Python's head constructor arguments {@code weight_column},
 * {@code loss_reduction} and {@code name}), each with Python's default; a head's own builder adds
 * the rest.
 *
 * @param <B> the head's builder, returned by every setter
 */
abstract class HeadBuilder<B extends HeadBuilder<B>> {
  String weightColumn;
  LossReduction lossReduction = LossReduction.SUM_OVER_BATCH_SIZE;
  String name;

  HeadBuilder() {}

  @SuppressWarnings("unchecked")
  final B self() {
    return (B) this;
  }

  /**
   * The feature holding per-example weights (regression heads also take per-value weights),
   * multiplied into losses and metrics.
   */
  public B weightColumn(String weightColumn) {
    this.weightColumn = weightColumn;
    return self();
  }

  /** The training loss reduction; default SUM_OVER_BATCH_SIZE. */
  public B lossReduction(LossReduction lossReduction) {
    this.lossReduction = lossReduction;
    return self();
  }

  /** Suffix of metric and summary keys, and the head's name scope. */
  public B name(String name) {
    this.name = name;
    return self();
  }

  /** A classifier head's builder: the options above plus {@code label_vocabulary}. */
  abstract static class Classifier<B extends Classifier<B>> extends HeadBuilder<B> {
    List<String> labelVocabulary;

    Classifier() {}

    /**
     * The class strings by class id (one per class; class 0 and class 1 for BinaryClassHead);
     * labels must then be strings.
     */
    public B labelVocabulary(List<String> labelVocabulary) {
      this.labelVocabulary = labelVocabulary;
      return self();
    }
  }
}
