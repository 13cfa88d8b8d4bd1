package io.estimator4j.estimator.config;

import io.estimator4j.graph.Initializer;
import java.util.Objects;

/**
 * How to warm-start a variable whose rows (axis 0) or columns (axis 1) follow a vocabulary that
 * changed; Java counterpart of tf.estimator.VocabInfo.
 *
 * <p>Each entry of the new vocabulary takes the row of the same entry in the old vocabulary
 * (TensorFlow's GenerateVocabRemapping and LoadAndRemapMatrix); rows of new entries and the OOV
 * rows come from {@code backupInitializer} (zeros when null), as in TensorFlow.
 *
 * @param newVocab the new vocabulary file, one entry per line
 * @param newVocabSize how many of its first lines the variable uses
 * @param numOovBuckets the OOV rows after them (the variable has newVocabSize + numOovBuckets)
 * @param oldVocab the vocabulary file of the checkpoint's variable
 * @param oldVocabSize how many of its first lines that variable used, or -1 for all
 * @param backupInitializer the values of rows without an old row, or null for zeros
 * @param axis 0 when rows follow the vocabulary (embeddings, linear weights), 1 for columns
 */
public record VocabInfo(
    String newVocab,
    long newVocabSize,
    long numOovBuckets,
    String oldVocab,
    long oldVocabSize,
    Initializer backupInitializer,
    int axis) {

  /** Validates the fields. */
  public VocabInfo {
    Objects.requireNonNull(newVocab, "newVocab");
    Objects.requireNonNull(oldVocab, "oldVocab");
    if (newVocabSize <= 0) {
      throw new IllegalArgumentException("new_vocab_size must be > 0, got " + newVocabSize);
    }
    if (numOovBuckets < 0) {
      throw new IllegalArgumentException("num_oov_buckets must be >= 0, got " + numOovBuckets);
    }
    if (oldVocabSize == 0 || oldVocabSize < -1) {
      throw new IllegalArgumentException(
          "old_vocab_size must be > 0, or -1 for the whole file; got " + oldVocabSize);
    }
    if (axis != 0 && axis != 1) {
      throw new IllegalArgumentException("axis must be 0 (rows) or 1 (columns), got " + axis);
    }
  }

  /** Rows follow the vocabulary; the whole old file; zeros for rows without an old row. */
  public static VocabInfo of(
      String newVocab, long newVocabSize, long numOovBuckets, String oldVocab) {
    return new VocabInfo(newVocab, newVocabSize, numOovBuckets, oldVocab, -1, null, 0);
  }

  /** This info with the given old vocabulary size (-1: the whole file). */
  public VocabInfo withOldVocabSize(long size) {
    return new VocabInfo(
        newVocab, newVocabSize, numOovBuckets, oldVocab, size, backupInitializer, axis);
  }

  /** This info with rows without an old row from {@code initializer}. */
  public VocabInfo withBackupInitializer(Initializer initializer) {
    return new VocabInfo(
        newVocab, newVocabSize, numOovBuckets, oldVocab, oldVocabSize, initializer, axis);
  }

  /** This info on {@code axis} (0: rows, 1: columns). */
  public VocabInfo withAxis(int axis) {
    return new VocabInfo(
        newVocab, newVocabSize, numOovBuckets, oldVocab, oldVocabSize, backupInitializer, axis);
  }
}
