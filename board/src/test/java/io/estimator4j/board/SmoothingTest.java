package io.estimator4j.board;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SmoothingTest {

  @Test
  void debiasedMovingAverageByHand() {
    // w = 0.5, values 1, 2, 3:
    //   last = 0.5*0 + 0.5*1 = 0.5,   / (1 - 0.5^1) = 0.5   -> 1
    //   last = 0.5*0.5 + 0.5*2 = 1.25, / (1 - 0.5^2) = 0.75  -> 1.666667
    //   last = 0.5*1.25 + 0.5*3 = 2.125, / (1 - 0.5^3) = 0.875 -> 2.428571
    assertThat(Smoothing.smooth(new double[] {1, 2, 3}, 0.5))
        .containsExactly(new double[] {1, 5 / 3.0, 2.125 / 0.875}, within(1e-12));
  }

  @Test
  void nonFiniteValuesPassThroughAndAreNotAccumulated() {
    // the NaN is skipped: the 3 is the second accumulated value,
    //   last = 0.5*0.5 + 0.5*3 = 1.75, / (1 - 0.5^2) = 0.75 -> 2.333333
    double[] s = Smoothing.smooth(new double[] {1, Double.NaN, 3, Double.POSITIVE_INFINITY}, 0.5);
    assertThat(s[0]).isEqualTo(1.0);
    assertThat(s[1]).isNaN();
    assertThat(s[2]).isCloseTo(1.75 / 0.75, within(1e-12));
    assertThat(s[3]).isInfinite();
  }

  @Test
  void constantSeriesZeroWeightAndWeightOne() {
    // TensorBoard issue #786: a constant series is drawn as it is
    assertThat(Smoothing.smooth(new double[] {2, 2, 2}, 0.9)).containsExactly(2, 2, 2);
    // weight 0: last = v and the debias factor is 1 - 0^n = 1
    assertThat(Smoothing.smooth(new double[] {3, 1, 4}, 0)).containsExactly(3, 1, 4);
    // weight 1: last stays 0 and the debias divisor is 1
    assertThat(Smoothing.smooth(new double[] {3, 1, 4}, 1)).containsExactly(0, 0, 0);
    // out of range weights are clamped, NaN counts as 0
    assertThat(Smoothing.smooth(new double[] {3, 1, 4}, -2)).containsExactly(3, 1, 4);
    assertThat(Smoothing.smooth(new double[] {3, 1, 4}, Double.NaN)).containsExactly(3, 1, 4);
    assertThat(Smoothing.smooth(new double[0], 0.6)).isEmpty();
  }
}
