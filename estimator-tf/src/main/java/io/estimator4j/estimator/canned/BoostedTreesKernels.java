package io.estimator4j.estimator.canned;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteBuffer;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_GetRegisteredKernelsForOp;

import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_Buffer;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.KernelList;

/**
 * Whether the TensorFlow runtime in this process can run the boosted-trees ops: it asks the kernel
 * registry (TF_GetRegisteredKernelsForOp) for each op that BoostedTreesClassifier and
 * BoostedTreesRegressor need.
 *
 * <p>Measured: tensorflow-java 1.1.0 (TensorFlow 2.18) registers the boosted-trees <em>ops</em>
 * (their OpDefs, so graphs build) but links <em>no kernel</em> for any of them, so a session that
 * runs one fails with "No OpKernel was registered to support Op
 * 'BoostedTreesEnsembleResourceHandleOp'".
 */
final class BoostedTreesKernels {
  /** The ops the estimators run (training, prediction, explanations, quantiles, checkpoints). */
  static final List<String> REQUIRED =
      List.of(
          "BoostedTreesEnsembleResourceHandleOp",
          "BoostedTreesCreateEnsemble",
          "BoostedTreesSerializeEnsemble",
          "BoostedTreesDeserializeEnsemble",
          "BoostedTreesGetEnsembleStates",
          "BoostedTreesTrainingPredict",
          "BoostedTreesPredict",
          "BoostedTreesExampleDebugOutputs",
          "BoostedTreesAggregateStats",
          "BoostedTreesCalculateBestFeatureSplitV2",
          "BoostedTreesUpdateEnsembleV2",
          "BoostedTreesCenterBias",
          "BoostedTreesQuantileStreamResourceHandleOp",
          "BoostedTreesCreateQuantileStreamResource",
          "BoostedTreesMakeQuantileSummaries",
          "BoostedTreesQuantileStreamResourceAddSummaries",
          "BoostedTreesQuantileStreamResourceFlush",
          "BoostedTreesQuantileStreamResourceGetBucketBoundaries",
          "BoostedTreesQuantileStreamResourceDeserialize",
          "BoostedTreesBucketize");

  private static volatile List<String> missing;

  private BoostedTreesKernels() {}

  /** The required ops that have no kernel in this runtime, in {@link #REQUIRED}'s order. */
  static List<String> missing() {
    List<String> m = missing;
    if (m == null) {
      TensorFlow.version(); // loads the native library
      List<String> out = new ArrayList<>();
      for (String op : REQUIRED) {
        if (kernelCount(op) == 0) {
          out.add(op);
        }
      }
      m = List.copyOf(out);
      missing = m;
    }
    return m;
  }

  /** True when every required op has a kernel. */
  static boolean available() {
    return missing().isEmpty();
  }

  /**
   * Fails unless every required op has a kernel.
   *
   * @throws UnsupportedOperationException naming the missing kernels, the runtime and the fix
   */
  static void checkAvailable() {
    List<String> m = missing();
    if (!m.isEmpty()) {
      throw new UnsupportedOperationException(
          "Boosted trees need TensorFlow's BoostedTrees kernels, but the TensorFlow runtime of "
              + "tensorflow-java in this process ("
              + TensorFlow.version()
              + ") registers no kernel for "
              + m.size()
              + " of the "
              + REQUIRED.size()
              + " ops they run: "
              + String.join(", ", m)
              + ". Fix: run on a TensorFlow build that links "
              + "tensorflow/core/kernels/boosted_trees (load it with TensorFlow.loadLibrary), "
              + "or train another canned estimator.");
    }
  }

  private static int kernelCount(String op) {
    try (TF_Status status = TF_Status.newStatus()) {
      TF_Buffer buffer = TF_GetRegisteredKernelsForOp(op, status);
      status.throwExceptionIfNotOK();
      try {
        byte[] bytes = new byte[(int) buffer.length()];
        new BytePointer(buffer.data()).capacity(buffer.length()).get(bytes);
        return KernelList.parseFrom(bytes).getKernelCount();
      } finally {
        TF_DeleteBuffer(buffer);
      }
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Unreadable kernel list for " + op, e);
    }
  }
}
