package io.estimator4j.estimator.canned;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TType;

/**
 * The kernel probe agrees with the runtime: where it finds no kernel, running the op fails with
 * TensorFlow's "No OpKernel was registered", and {@code checkAvailable} says so clearly.
 */
class BoostedTreesKernelsTest {

  @Test
  void theProbeAgreesWithRunningTheOp() {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Operand<TType> handle = BoostedTreesOps.ensembleHandle(Ops.create(g), "probe");
      if (BoostedTreesKernels.missing().contains("BoostedTreesEnsembleResourceHandleOp")) {
        assertThatThrownBy(() -> s.runner().addTarget(handle).run())
            .hasMessageContaining("No OpKernel was registered")
            .hasMessageContaining("BoostedTreesEnsembleResourceHandleOp");
      } else {
        assertThatCode(() -> s.runner().addTarget(handle).run()).doesNotThrowAnyException();
      }
    }
  }

  @Test
  void checkAvailableNamesTheMissingKernelsAndTheFix() {
    if (BoostedTreesKernels.available()) {
      assertThatCode(BoostedTreesKernels::checkAvailable).doesNotThrowAnyException();
      return;
    }
    assertThatThrownBy(BoostedTreesKernels::checkAvailable)
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("registers no kernel for")
        .hasMessageContaining(BoostedTreesKernels.missing().get(0))
        .hasMessageContaining("Fix:");
    // tensorflow-java 1.1.0 (TensorFlow 2.18.0): none of them has a kernel
    assertThat(BoostedTreesKernels.missing()).isNotEmpty();
  }
}
