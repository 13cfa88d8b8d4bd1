package io.estimator4j.estimator.head;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MetricKeysTest {
  @Test
  void thresholdKeysFormatLikePythonPercentG() {
    // Python: 'accuracy/positive_threshold_%g' % t
    assertThat(MetricKeys.atThreshold(MetricKeys.ACCURACY_AT_THRESHOLD, 0.5))
        .isEqualTo("accuracy/positive_threshold_0.5");
    assertThat(MetricKeys.atThreshold(MetricKeys.PRECISION_AT_THRESHOLD, 0.1))
        .isEqualTo("precision/positive_threshold_0.1");
    assertThat(MetricKeys.atThreshold(MetricKeys.RECALL_AT_THRESHOLD, 0.123456789))
        .isEqualTo("recall/positive_threshold_0.123457");
    assertThat(MetricKeys.atThreshold(MetricKeys.RECALL_AT_THRESHOLD, 0.00001))
        .isEqualTo("recall/positive_threshold_1e-05");
    assertThat(MetricKeys.atThreshold(MetricKeys.RECALL_AT_THRESHOLD, (float) 0.3))
        .isEqualTo("recall/positive_threshold_0.3");
  }
}
