package io.estimator4j.checkpoint;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;

/**
 * Which checkpoints to keep after a save; the {@code max_to_keep} / {@code
 * keep_checkpoint_every_n_hours} rule of TensorFlow's {@code tf.train.CheckpointManager} (and of
 * RunConfig's {@code keep_checkpoint_max} / {@code keep_checkpoint_every_n_hours}). Pure: it
 * touches no file.
 *
 * <p>While more than {@code maxToKeep} checkpoints are kept, the oldest leaves the list. It is
 * preserved forever (its files stay, it is no longer listed) if it was saved at least {@code
 * keepCheckpointEveryNHours} after the last preserved one, which it then becomes; otherwise its
 * files are deleted.
 *
 * @param maxToKeep how many recent checkpoints to list and keep; 0 keeps all
 * @param keepCheckpointEveryNHours preserve one checkpoint per this many hours; 0 disables it
 */
public record RetentionPolicy(int maxToKeep, double keepCheckpointEveryNHours) {

  /** Keeps every checkpoint, like {@code max_to_keep=None}. */
  public static final RetentionPolicy KEEP_ALL = new RetentionPolicy(0, 0);

  /** A checkpoint prefix (as the state file records it) and its save time in epoch seconds. */
  public record Entry(String prefix, double timestamp) {
    /** Validates the fields. */
    public Entry {
      Objects.requireNonNull(prefix, "prefix");
    }
  }

  /**
   * The outcome of {@link #apply}: what to list, what to leave on disk unlisted, what to delete.
   *
   * @param kept the checkpoints to list in the state file, oldest first, the new one last
   * @param preserved checkpoints dropped from the list whose files are kept forever
   * @param deleted checkpoints whose files should be deleted
   * @param lastPreservedTimestamp the new {@code last_preserved_timestamp}
   */
  public record Decision(
      List<Entry> kept, List<Entry> preserved, List<Entry> deleted, double lastPreservedTimestamp) {

    /** Copies the lists. */
    public Decision {
      kept = List.copyOf(kept);
      preserved = List.copyOf(preserved);
      deleted = List.copyOf(deleted);
    }

    /** Returns the state file content for this decision, naming the newest checkpoint. */
    public CheckpointState state() {
      return new CheckpointState(
          kept.get(kept.size() - 1).prefix(),
          kept.stream().map(Entry::prefix).toList(),
          kept.stream().map(Entry::timestamp).toList(),
          lastPreservedTimestamp);
    }
  }

  /** Validates the policy. */
  public RetentionPolicy {
    if (maxToKeep < 0) {
      throw new IllegalArgumentException(
          "maxToKeep must be >= 0 (0 keeps every checkpoint), got " + maxToKeep);
    }
    if (!(keepCheckpointEveryNHours >= 0)) {
      throw new IllegalArgumentException(
          "keepCheckpointEveryNHours must be >= 0 (0 disables it), got "
              + keepCheckpointEveryNHours);
    }
  }

  /**
   * Returns the policy for RunConfig-style nullable settings: {@code null} or 0 {@code maxToKeep}
   * keeps all; {@code null} or 0 hours disables preservation.
   */
  public static RetentionPolicy of(Integer maxToKeep, Double keepCheckpointEveryNHours) {
    return new RetentionPolicy(
        maxToKeep == null ? 0 : maxToKeep,
        keepCheckpointEveryNHours == null ? 0 : keepCheckpointEveryNHours);
  }

  /**
   * Applies the policy after saving {@code newest}.
   *
   * @param kept the checkpoints listed before this save, oldest first (an entry with the same
   *     prefix as {@code newest} is replaced by it)
   * @param newest the checkpoint just saved
   * @param lastPreservedTimestamp the state's {@code last_preserved_timestamp}; where the state has
   *     none, pass the time training started, as {@code CheckpointManager} does
   */
  public Decision apply(List<Entry> kept, Entry newest, double lastPreservedTimestamp) {
    Objects.requireNonNull(newest, "newest");
    Deque<Entry> active = new ArrayDeque<>();
    for (Entry entry : kept) {
      if (!entry.prefix().equals(newest.prefix())) {
        active.addLast(entry);
      }
    }
    active.addLast(newest);
    List<Entry> preserved = new ArrayList<>();
    List<Entry> deleted = new ArrayList<>();
    double lastPreserved = lastPreservedTimestamp;
    while (maxToKeep > 0 && active.size() > maxToKeep) {
      Entry oldest = active.removeFirst();
      if (keepCheckpointEveryNHours > 0
          && oldest.timestamp() - keepCheckpointEveryNHours * 3600 >= lastPreserved) {
        preserved.add(oldest);
        lastPreserved = oldest.timestamp();
      } else {
        deleted.add(oldest);
      }
    }
    return new Decision(new ArrayList<>(active), preserved, deleted, lastPreserved);
  }
}
