package io.estimator4j.savedmodel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TensorNamesTest {

  @Test
  void tensorNamesControlInputsAndOpNamesAllNameTheOp() {
    assertThat(TensorNames.opName("dense/BiasAdd:0")).isEqualTo("dense/BiasAdd");
    assertThat(TensorNames.opName("split:12")).isEqualTo("split");
    assertThat(TensorNames.opName("^save/restore_all")).isEqualTo("save/restore_all");
    assertThat(TensorNames.opName("Init")).isEqualTo("Init");
  }

  @Test
  void onlyANumericSuffixIsAnOutputIndex() {
    assertThat(TensorNames.opName("a:b")).isEqualTo("a:b");
    assertThat(TensorNames.opName(":0")).isEqualTo(":0");
  }
}
