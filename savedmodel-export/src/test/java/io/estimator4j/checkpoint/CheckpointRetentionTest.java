package io.estimator4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.estimator4j.checkpoint.RetentionPolicy.Decision;
import io.estimator4j.checkpoint.RetentionPolicy.Entry;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointRetentionTest {

  private static final double HOUR = 3600;

  private static Entry ckpt(int step, double hours) {
    return new Entry("model.ckpt-" + step, hours * HOUR);
  }

  @Test
  void keepsTheMostRecentMaxToKeepAndDeletesTheOldest() {
    RetentionPolicy policy = new RetentionPolicy(2, 0);
    Decision d = policy.apply(List.of(ckpt(1, 1), ckpt(2, 2)), ckpt(3, 3), 0);

    assertThat(d.kept()).containsExactly(ckpt(2, 2), ckpt(3, 3));
    assertThat(d.deleted()).containsExactly(ckpt(1, 1));
    assertThat(d.preserved()).isEmpty();
    assertThat(d.state().toText())
        .isEqualTo(
            "model_checkpoint_path: \"model.ckpt-3\"\n"
                + "all_model_checkpoint_paths: \"model.ckpt-2\"\n"
                + "all_model_checkpoint_paths: \"model.ckpt-3\"\n"
                + "all_model_checkpoint_timestamps: 7200.0\n"
                + "all_model_checkpoint_timestamps: 10800.0\n");
  }

  @Test
  void zeroOrNullMaxToKeepKeepsEverything() {
    assertThat(RetentionPolicy.of(null, null)).isEqualTo(RetentionPolicy.KEEP_ALL);
    Decision d = RetentionPolicy.of(0, 1.0).apply(List.of(ckpt(1, 1), ckpt(2, 2)), ckpt(3, 9), 0);
    assertThat(d.kept()).containsExactly(ckpt(1, 1), ckpt(2, 2), ckpt(3, 9));
    assertThat(d.deleted()).isEmpty();
    assertThat(d.preserved()).isEmpty();
  }

  @Test
  void preservesOneCheckpointPerNHoursForever() {
    // max 1, every 2 hours, training started at hour 0 (lastPreserved = 0). Saves at hours
    // 1, 2, 2.5, 4.5, 5:
    //   save@2   -> @1 leaves: 1 - 2 = -1 < 0         -> deleted
    //   save@2.5 -> @2 leaves: 2 - 2 = 0 >= 0         -> preserved, lastPreserved = 2h
    //   save@4.5 -> @2.5 leaves: 2.5 - 2 = 0.5 < 2    -> deleted
    //   save@5   -> @4.5 leaves: 4.5 - 2 = 2.5 >= 2   -> preserved, lastPreserved = 4.5h
    RetentionPolicy policy = new RetentionPolicy(1, 2);
    Decision d = policy.apply(List.of(ckpt(1, 1)), ckpt(2, 2), 0);
    assertThat(d.deleted()).containsExactly(ckpt(1, 1));
    assertThat(d.lastPreservedTimestamp()).isZero();

    d = policy.apply(d.kept(), ckpt(3, 2.5), d.lastPreservedTimestamp());
    assertThat(d.preserved()).containsExactly(ckpt(2, 2));
    assertThat(d.deleted()).isEmpty();
    assertThat(d.lastPreservedTimestamp()).isEqualTo(2 * HOUR);

    d = policy.apply(d.kept(), ckpt(4, 4.5), d.lastPreservedTimestamp());
    assertThat(d.deleted()).containsExactly(ckpt(3, 2.5));
    assertThat(d.lastPreservedTimestamp()).isEqualTo(2 * HOUR);

    d = policy.apply(d.kept(), ckpt(5, 5), d.lastPreservedTimestamp());
    assertThat(d.preserved()).containsExactly(ckpt(4, 4.5));
    assertThat(d.kept()).containsExactly(ckpt(5, 5));
    assertThat(d.state().lastPreservedTimestamp()).isEqualTo(4.5 * HOUR);
  }

  @Test
  void resavingTheSamePrefixReplacesIt() {
    Decision d = new RetentionPolicy(3, 0).apply(List.of(ckpt(1, 1), ckpt(2, 2)), ckpt(1, 3), 0);
    assertThat(d.kept()).containsExactly(ckpt(2, 2), ckpt(1, 3));
    assertThat(d.deleted()).isEmpty();
  }

  @Test
  void rejectsNegativeSettings() {
    assertThatThrownBy(() -> new RetentionPolicy(-1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxToKeep must be >= 0");
    assertThatThrownBy(() -> new RetentionPolicy(5, Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("keepCheckpointEveryNHours must be >= 0");
  }
}
