package io.estimator4j.estimator.canned;

import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * TensorFlow's boosted-trees kernels as graph ops (tensorflow-java has no wrappers for them): the
 * ensemble resource, prediction, statistics, split finding, growing, bias centering and the
 * quantile stream; Java counterpart of tensorflow/python/ops/boosted_trees_ops.py and
 * gen_boosted_trees_ops. Each method adds one raw operation with the inputs and attributes of
 * tensorflow/core/ops/boosted_trees_ops.cc; nothing is computed in Java.
 */
final class BoostedTreesOps {
  private BoostedTreesOps() {}

  /** An op without outputs (Create, Deserialize, UpdateEnsembleV2 ...). */
  record Effect(Operation op) implements Op {}

  /** BoostedTreesSerializeEnsemble's outputs. */
  record Serialized(Operand<TInt64> stampToken, Operand<TString> serialized) {}

  /** BoostedTreesGetEnsembleStates's outputs. */
  record States(
      Operand<TInt64> stampToken,
      Operand<TInt32> numTrees,
      Operand<TInt32> numFinalizedTrees,
      Operand<TInt32> numAttemptedLayers,
      Operand<TInt32> lastLayerNodesRange) {}

  /** BoostedTreesTrainingPredict's outputs. */
  record TrainingPrediction(
      Operand<TFloat32> partialLogits, Operand<TInt32> treeIds, Operand<TInt32> nodeIds) {}

  /** BoostedTreesCalculateBestFeatureSplitV2's outputs for one group of candidate features. */
  record BestSplits(
      Operand<TInt32> nodeIds,
      Operand<TFloat32> gains,
      Operand<TInt32> featureIds,
      Operand<TInt32> featureDimensions,
      Operand<TInt32> thresholds,
      Operand<TFloat32> leftNodeContribs,
      Operand<TFloat32> rightNodeContribs,
      Operand<TString> splitTypes) {}

  private static OperationBuilder builder(Ops tf, String type) {
    return tf.scope().opBuilder(type, type);
  }

  /** A builder of {@code type} with {@code inputs} added in order. */
  private static OperationBuilder builder(Ops tf, String type, Operand<?>... inputs) {
    OperationBuilder b = builder(tf, type);
    for (Operand<?> input : inputs) {
      b.addInput(input.asOutput());
    }
    return b;
  }

  /** A stateful op of {@code type} run for its effect on its inputs. */
  private static Op effect(Ops tf, String type, Operand<?>... inputs) {
    return new Effect(builder(tf, type, inputs).build());
  }

  /** A {@code *ResourceHandleOp} of {@code type} naming the resource {@code sharedName}. */
  private static Operand<TType> resourceHandle(Ops tf, String type, String sharedName) {
    Operation op =
        builder(tf, type).setAttr("container", "").setAttr("shared_name", sharedName).build();
    return out(op, 0);
  }

  private static <T extends TType> Output<T> out(Operation op, int i) {
    return op.output(i);
  }

  @SuppressWarnings("unchecked")
  private static <T extends TType> List<Operand<T>> list(Operation op, String name, int start) {
    int n = op.outputListLength(name);
    List<Operand<T>> l = new ArrayList<>(n);
    for (Output<?> o : op.outputList(start, n)) {
      l.add((Operand<T>) o);
    }
    return l;
  }

  private static Output<?>[] outputs(List<? extends Operand<?>> operands) {
    Output<?>[] a = new Output<?>[operands.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = operands.get(i).asOutput();
    }
    return a;
  }

  // ---- the tree ensemble resource ----

  /** BoostedTreesEnsembleResourceHandleOp: the handle of the ensemble {@code sharedName}. */
  static Operand<TType> ensembleHandle(Ops tf, String sharedName) {
    return resourceHandle(tf, "BoostedTreesEnsembleResourceHandleOp", sharedName);
  }

  /** BoostedTreesCreateEnsemble; a no-op when the ensemble exists already. */
  static Op createEnsemble(
      Ops tf, Operand<?> handle, Operand<TInt64> stampToken, Operand<TString> serialized) {
    return effect(tf, "BoostedTreesCreateEnsemble", handle, stampToken, serialized);
  }

  /** BoostedTreesDeserializeEnsemble: replaces the ensemble with a serialized TreeEnsemble. */
  static Op deserializeEnsemble(
      Ops tf, Operand<?> handle, Operand<TInt64> stampToken, Operand<TString> serialized) {
    return effect(tf, "BoostedTreesDeserializeEnsemble", handle, stampToken, serialized);
  }

  /** BoostedTreesSerializeEnsemble: the stamp token and the serialized TreeEnsemble proto. */
  static Serialized serializeEnsemble(Ops tf, Operand<?> handle) {
    Operation op = builder(tf, "BoostedTreesSerializeEnsemble", handle).build();
    return new Serialized(out(op, 0), out(op, 1));
  }

  /** BoostedTreesGetEnsembleStates. */
  static States ensembleStates(Ops tf, Operand<?> handle) {
    Operation op = builder(tf, "BoostedTreesGetEnsembleStates", handle).build();
    return new States(out(op, 0), out(op, 1), out(op, 2), out(op, 3), out(op, 4));
  }

  /** BoostedTreesPredict: the ensemble's logits {@code [batch, logitsDimension]}. */
  static Operand<TFloat32> predict(
      Ops tf, Operand<?> handle, List<Operand<TInt32>> features, int logitsDimension) {
    Operation op =
        builder(tf, "BoostedTreesPredict", handle)
            .addInputList(outputs(features))
            .setAttr("logits_dimension", logitsDimension)
            .build();
    return out(op, 0);
  }

  /** BoostedTreesTrainingPredict, from the cached tree and node of each example. */
  static TrainingPrediction trainingPredict(
      Ops tf,
      Operand<?> handle,
      Operand<TInt32> cachedTreeIds,
      Operand<TInt32> cachedNodeIds,
      List<Operand<TInt32>> features,
      int logitsDimension) {
    Operation op =
        builder(tf, "BoostedTreesTrainingPredict", handle, cachedTreeIds, cachedNodeIds)
            .addInputList(outputs(features))
            .setAttr("logits_dimension", logitsDimension)
            .build();
    return new TrainingPrediction(out(op, 0), out(op, 1), out(op, 2));
  }

  /** BoostedTreesExampleDebugOutputs: a serialized DebugOutput proto per example. */
  static Operand<TString> exampleDebugOutputs(
      Ops tf, Operand<?> handle, List<Operand<TInt32>> features, int logitsDimension) {
    Operation op =
        builder(tf, "BoostedTreesExampleDebugOutputs", handle)
            .addInputList(outputs(features))
            .setAttr("logits_dimension", logitsDimension)
            .build();
    return out(op, 0);
  }

  /**
   * BoostedTreesAggregateStats: gradients and hessians summed per node and bucket, {@code
   * [maxSplits, featureDimension, numBuckets + 1, logits + hessian dimension]}; the last bucket
   * holds missing values (bucket -1).
   */
  static Operand<TFloat32> aggregateStats(
      Ops tf,
      Operand<TInt32> nodeIds,
      Operand<TFloat32> gradients,
      Operand<TFloat32> hessians,
      Operand<TInt32> feature,
      int maxSplits,
      int numBuckets) {
    Operation op =
        builder(tf, "BoostedTreesAggregateStats", nodeIds, gradients, hessians, feature)
            .setAttr("max_splits", maxSplits)
            .setAttr("num_buckets", numBuckets)
            .build();
    return out(op, 0);
  }

  /** BoostedTreesCalculateBestFeatureSplitV2 over the stats of one group of features. */
  static BestSplits calculateBestFeatureSplitV2(
      Ops tf,
      Operand<TInt32> nodeIdRange,
      List<Operand<TFloat32>> statsSummaries,
      Operand<TString> splitTypes,
      Operand<TInt32> candidateFeatureIds,
      Operand<TFloat32> l1,
      Operand<TFloat32> l2,
      Operand<TFloat32> treeComplexity,
      Operand<TFloat32> minNodeWeight,
      int logitsDimension) {
    Operation op =
        builder(tf, "BoostedTreesCalculateBestFeatureSplitV2", nodeIdRange)
            .addInputList(outputs(statsSummaries))
            .addInput(splitTypes.asOutput())
            .addInput(candidateFeatureIds.asOutput())
            .addInput(l1.asOutput())
            .addInput(l2.asOutput())
            .addInput(treeComplexity.asOutput())
            .addInput(minNodeWeight.asOutput())
            .setAttr("logits_dimension", logitsDimension)
            .build();
    return new BestSplits(
        out(op, 0),
        out(op, 1),
        out(op, 2),
        out(op, 3),
        out(op, 4),
        out(op, 5),
        out(op, 6),
        out(op, 7));
  }

  /** BoostedTreesUpdateEnsembleV2: adds the best split of each node, one group per bucket size. */
  static Op updateEnsembleV2(
      Ops tf,
      Operand<?> handle,
      List<BestSplits> groups,
      Operand<TInt32> maxDepth,
      Operand<TFloat32> learningRate,
      Operand<TInt32> pruningMode,
      int logitsDimension) {
    List<Operand<TInt32>> featureIds = new ArrayList<>();
    List<Operand<TInt32>> dimensionIds = new ArrayList<>();
    List<Operand<TInt32>> nodeIds = new ArrayList<>();
    List<Operand<TFloat32>> gains = new ArrayList<>();
    List<Operand<TInt32>> thresholds = new ArrayList<>();
    List<Operand<TFloat32>> left = new ArrayList<>();
    List<Operand<TFloat32>> right = new ArrayList<>();
    List<Operand<TString>> splitTypes = new ArrayList<>();
    for (BestSplits g : groups) {
      featureIds.add(g.featureIds());
      dimensionIds.add(g.featureDimensions());
      nodeIds.add(g.nodeIds());
      gains.add(g.gains());
      thresholds.add(g.thresholds());
      left.add(g.leftNodeContribs());
      right.add(g.rightNodeContribs());
      splitTypes.add(g.splitTypes());
    }
    return new Effect(
        builder(tf, "BoostedTreesUpdateEnsembleV2", handle)
            .addInputList(outputs(featureIds))
            .addInputList(outputs(dimensionIds))
            .addInputList(outputs(nodeIds))
            .addInputList(outputs(gains))
            .addInputList(outputs(thresholds))
            .addInputList(outputs(left))
            .addInputList(outputs(right))
            .addInputList(outputs(splitTypes))
            .addInput(maxDepth.asOutput())
            .addInput(learningRate.asOutput())
            .addInput(pruningMode.asOutput())
            .setAttr("logits_dimension", logitsDimension)
            .build());
  }

  /** BoostedTreesCenterBias: one Newton step on the bias; true while it has not converged. */
  static Operand<TBool> centerBias(
      Ops tf,
      Operand<?> handle,
      Operand<TFloat32> meanGradients,
      Operand<TFloat32> meanHessians,
      Operand<TFloat32> l1,
      Operand<TFloat32> l2) {
    Operation op =
        builder(tf, "BoostedTreesCenterBias", handle, meanGradients, meanHessians, l1, l2).build();
    return out(op, 0);
  }

  // ---- the quantile stream resource ----

  /** BoostedTreesQuantileStreamResourceHandleOp. */
  static Operand<TType> quantileHandle(Ops tf, String sharedName) {
    return resourceHandle(tf, "BoostedTreesQuantileStreamResourceHandleOp", sharedName);
  }

  /** BoostedTreesCreateQuantileStreamResource; a no-op when it exists already. */
  static Op createQuantileStream(
      Ops tf, Operand<?> handle, Operand<TFloat32> epsilon, Operand<TInt64> numStreams) {
    return effect(tf, "BoostedTreesCreateQuantileStreamResource", handle, epsilon, numStreams);
  }

  /** BoostedTreesMakeQuantileSummaries: one weighted summary {@code [n, 4]} per feature. */
  static List<Operand<TFloat32>> makeQuantileSummaries(
      Ops tf,
      List<Operand<TFloat32>> values,
      Operand<TFloat32> exampleWeights,
      Operand<TFloat32> epsilon) {
    Operation op =
        builder(tf, "BoostedTreesMakeQuantileSummaries")
            .addInputList(outputs(values))
            .addInput(exampleWeights.asOutput())
            .addInput(epsilon.asOutput())
            .build();
    return list(op, "summaries", 0);
  }

  /** BoostedTreesQuantileStreamResourceAddSummaries. */
  static Op quantileAddSummaries(Ops tf, Operand<?> handle, List<Operand<TFloat32>> summaries) {
    return new Effect(
        builder(tf, "BoostedTreesQuantileStreamResourceAddSummaries", handle)
            .addInputList(outputs(summaries))
            .build());
  }

  /** BoostedTreesQuantileStreamResourceFlush: finalizes the streams into bucket boundaries. */
  static Op quantileFlush(Ops tf, Operand<?> handle, Operand<TInt64> numBuckets) {
    return effect(tf, "BoostedTreesQuantileStreamResourceFlush", handle, numBuckets);
  }

  /** BoostedTreesQuantileStreamResourceGetBucketBoundaries: one vector per stream. */
  static List<Operand<TFloat32>> bucketBoundaries(Ops tf, Operand<?> handle, int numStreams) {
    Operation op =
        builder(tf, "BoostedTreesQuantileStreamResourceGetBucketBoundaries", handle)
            .setAttr("num_features", numStreams)
            .build();
    return list(op, "bucket_boundaries", 0);
  }

  /** BoostedTreesQuantileStreamResourceDeserialize: sets the boundaries of every stream. */
  static Op quantileDeserialize(
      Ops tf, Operand<?> handle, List<? extends Operand<TFloat32>> boundaries) {
    return new Effect(
        builder(tf, "BoostedTreesQuantileStreamResourceDeserialize", handle)
            .addInputList(outputs(boundaries))
            .build());
  }

  /** BoostedTreesBucketize: the bucket of each value, {@code [batch]} int32 per feature. */
  static List<Operand<TInt32>> bucketize(
      Ops tf, List<Operand<TFloat32>> values, List<Operand<TFloat32>> boundaries) {
    Operation op =
        builder(tf, "BoostedTreesBucketize")
            .addInputList(outputs(values))
            .addInputList(outputs(boundaries))
            .build();
    return list(op, "buckets", 0);
  }
}
