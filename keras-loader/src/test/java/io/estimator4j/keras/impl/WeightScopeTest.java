package io.estimator4j.keras.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How Keras 3 sub-object keys are ordered when the loader does not know them by role. */
class WeightScopeTest {
  @Test
  void numberedKeysFollowKerasNumberingNotStringOrder() {
    // StackedRNNCells of eleven LSTMCells: Keras 3 keys lstm_cell, lstm_cell_1, ..., lstm_cell_10
    List<String> keys =
        List.of("lstm_cell_10", "lstm_cell_2", "lstm_cell", "lstm_cell_1", "lstm_cell_9");
    assertThat(keys.stream().sorted(WeightScope.NATURAL_ORDER).toList())
        .containsExactly("lstm_cell", "lstm_cell_1", "lstm_cell_2", "lstm_cell_9", "lstm_cell_10");
  }
}
