package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.head.BinaryClassHead;
import io.estimator4j.estimator.head.Head;
import io.estimator4j.estimator.head.LossReduction;
import io.estimator4j.estimator.head.MultiClassHead;
import io.estimator4j.estimator.head.RegressionHead;
import java.util.List;

/**
 * Which head a canned estimator gets: a classifier's (binary or multi-class by n_classes), a
 * regressor's, or one given by the user (the *Estimator(head, ...) variants).
 */
final class HeadChoice {
  enum Kind {
    CLASSIFIER,
    REGRESSOR,
    CUSTOM
  }

  final Kind kind;
  int nClasses = 2;
  List<String> labelVocabulary;
  int labelDimension = 1;
  String weightColumn;
  LossReduction lossReduction = LossReduction.SUM_OVER_BATCH_SIZE;
  Head custom;

  private HeadChoice(Kind kind) {
    this.kind = kind;
  }

  static HeadChoice classifier() {
    return new HeadChoice(Kind.CLASSIFIER);
  }

  static HeadChoice regressor() {
    return new HeadChoice(Kind.REGRESSOR);
  }

  static HeadChoice custom(Head head) {
    HeadChoice c = new HeadChoice(Kind.CUSTOM);
    c.custom = java.util.Objects.requireNonNull(head, "head");
    return c;
  }

  void requireClassifier(String option) {
    if (kind != Kind.CLASSIFIER) {
      throw new IllegalArgumentException(option + " applies to classifiers only");
    }
  }

  /**
   * Refuses a head option on a *Estimator(head): Python's DNNEstimator, LinearEstimator, ... take
   * no weight_column or loss_reduction, the head owns them.
   */
  void requireOwnHead(String option, String headOption) {
    if (kind == Kind.CUSTOM) {
      throw new IllegalArgumentException(
          option
              + " is owned by the head of a *Estimator(head), which would ignore it here. Fix: set"
              + " it on the head instead, e.g. "
              + headOption
              + ".");
    }
  }

  void requireRegressor(String option) {
    if (kind != Kind.REGRESSOR) {
      throw new IllegalArgumentException(option + " applies to regressors only");
    }
  }

  /** The head, as tf.estimator's canned estimators choose it. */
  Head build() {
    return switch (kind) {
      case CUSTOM -> custom;
      case REGRESSOR ->
          RegressionHead.builder()
              .labelDimension(labelDimension)
              .weightColumn(weightColumn)
              .lossReduction(lossReduction)
              .build();
      case CLASSIFIER -> {
        if (nClasses < 2) {
          throw new IllegalArgumentException("nClasses must be >= 2, got " + nClasses);
        }
        if (labelVocabulary != null && labelVocabulary.size() != nClasses) {
          throw new IllegalArgumentException(
              "labelVocabulary has "
                  + labelVocabulary.size()
                  + " entries but nClasses is "
                  + nClasses
                  + "; they must match");
        }
        yield nClasses == 2
            ? BinaryClassHead.builder()
                .weightColumn(weightColumn)
                .labelVocabulary(labelVocabulary)
                .lossReduction(lossReduction)
                .build()
            : MultiClassHead.builder(nClasses)
                .weightColumn(weightColumn)
                .labelVocabulary(labelVocabulary)
                .lossReduction(lossReduction)
                .build();
      }
    };
  }
}
