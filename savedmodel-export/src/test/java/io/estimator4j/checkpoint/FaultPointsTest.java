package io.estimator4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FaultPointsTest {

  @Test
  void parsesNameAndOccurrence() {
    FaultPoints spec = FaultPoints.parse(FaultPoints.BEFORE_INDEX + "@3");
    assertThat(spec.name()).isEqualTo("checkpoint.before-index");
    assertThat(spec.occurrence()).isEqualTo(3);
    assertThat(FaultPoints.parse("graph.pbtxt.before-rename").occurrence()).isEqualTo(1);
    assertThat(FaultPoints.parse(null)).isNull();
    assertThat(FaultPoints.parse(" ")).isNull();
    assertThatThrownBy(() -> FaultPoints.parse("checkpoint.before-index@0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("estimator4j.faultPoint must be <name> or <name>@<n> with n >= 1");
  }

  @Test
  void stopsOnlyAtTheNthVisitOfItsPoint() {
    FaultPoints spec = FaultPoints.parse(FaultPoints.BEFORE_DATA + "@2");
    assertThat(spec.isTarget(FaultPoints.BEFORE_INDEX)).isFalse();
    assertThat(spec.isTarget(FaultPoints.BEFORE_DATA)).isFalse();
    assertThat(spec.isTarget(FaultPoints.BEFORE_INDEX)).isFalse();
    assertThat(spec.isTarget(FaultPoints.BEFORE_DATA)).isTrue();
    assertThat(spec.isTarget(FaultPoints.BEFORE_DATA)).isFalse();
  }

  @Test
  void isOffWithoutTheSystemProperty() {
    assertThat(FaultPoints.enabled()).isFalse();
    FaultPoints.reach(FaultPoints.BEFORE_DATA); // Returns at once.
  }
}
