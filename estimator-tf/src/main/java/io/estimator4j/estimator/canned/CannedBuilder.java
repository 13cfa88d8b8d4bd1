package io.estimator4j.estimator.canned;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.config.WarmStartSettings;
import io.estimator4j.estimator.head.Head;
import io.estimator4j.estimator.head.LossReduction;
import io.estimator4j.estimator.modelfn.ModelFn;
import java.nio.file.Path;
import java.util.List;

/**
 * Options every canned estimator shares (config, warm start, weight column, loss reduction and the
 * head's settings); each canned builder adds its network's options and a model function.
 */
public abstract class CannedBuilder<B extends CannedBuilder<B>> {
  final HeadChoice head;
  private RunConfig config;
  private WarmStartSettings warmStart;

  CannedBuilder(HeadChoice head) {
    this.head = head;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }

  public B config(RunConfig config) {
    this.config = config;
    return self();
  }

  public B modelDir(Path modelDir) {
    this.config =
        (config == null ? RunConfig.builder() : config.toBuilder()).modelDir(modelDir).build();
    return self();
  }

  public B warmStartFrom(WarmStartSettings settings) {
    this.warmStart = settings;
    return self();
  }

  public B warmStartFrom(String checkpointOrSavedModel) {
    return warmStartFrom(WarmStartSettings.from(checkpointOrSavedModel));
  }

  /** Classifiers: the number of classes (default 2). */
  public B nClasses(int nClasses) {
    head.requireClassifier("nClasses");
    head.nClasses = nClasses;
    return self();
  }

  /** Classifiers: string labels, mapped to class ids in this order. */
  public B labelVocabulary(List<String> vocabulary) {
    head.requireClassifier("labelVocabulary");
    head.labelVocabulary = List.copyOf(vocabulary);
    return self();
  }

  /** Regressors: the number of regression targets per example (default 1). */
  public B labelDimension(int labelDimension) {
    head.requireRegressor("labelDimension");
    head.labelDimension = labelDimension;
    return self();
  }

  /** A feature whose values weight each example's loss and metrics. */
  public B weightColumn(String featureKey) {
    head.requireOwnHead(
        "weightColumn", "BinaryClassHead.builder().weightColumn(\"" + featureKey + "\")");
    head.weightColumn = featureKey;
    return self();
  }

  /**
   * How the per-example losses reduce to the training loss (default SUM_OVER_BATCH_SIZE); not for
   * *Estimator(head), whose head owns it.
   */
  public B lossReduction(LossReduction reduction) {
    head.requireOwnHead(
        "lossReduction", "RegressionHead.builder().lossReduction(" + reduction + ")");
    head.lossReduction = reduction;
    return self();
  }

  /** The model function of this network over the given head. */
  abstract ModelFn modelFn(Head head);

  /** Validates and builds the Estimator. */
  public Estimator build() {
    Head h = head.build();
    Estimator.Builder b = Estimator.builder(modelFn(h));
    if (config != null) {
      b.config(config);
    }
    if (warmStart != null) {
      b.warmStartFrom(warmStart);
    }
    return b.build();
  }
}
