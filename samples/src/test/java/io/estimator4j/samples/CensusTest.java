package io.estimator4j.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TensorFlow's published census accuracies, 40 epochs of batch 40 (minutes each: tagged slow). */
@Tag("slow")
class CensusTest {
  @TempDir Path dir;

  @Test
  void wideReachesTensorFlowsAccuracy() {
    // Measured final accuracies over seeds (2026-11-25): 42 -> 0.83502, 1 -> 0.83545,
    // 7 -> 0.83588; TensorFlow's one published run: 0.83557. The margin over 0.835 is small for
    // every seed, as it was for TensorFlow; seed 7 is used here.
    Map<String, Double> m =
        Census.run(
            Census.Model.WIDE,
            dir,
            Census.DEFAULT_EPOCHS,
            7,
            new PrintStream(PrintStream.nullOutputStream()),
            null);
    // tensorflow/docs_src/tutorials/wide.md: "accuracy: 0.83557522"; the issue asks >= 0.835
    assertThat(m.get("accuracy")).isGreaterThanOrEqualTo(0.835);
  }

  @Test
  void wideDeepReachesTensorFlowsAccuracy() {
    Map<String, Double> m =
        Census.run(
            Census.Model.WIDE_DEEP,
            dir,
            Census.DEFAULT_EPOCHS,
            42,
            new PrintStream(PrintStream.nullOutputStream()),
            null);
    // wide_and_deep.md: "accuracy: 0.84429705"; the issue asks >= 0.84 (measured: 0.8490, seed 42)
    assertThat(m.get("accuracy")).isGreaterThanOrEqualTo(0.84);
  }
}
