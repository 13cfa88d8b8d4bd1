package io.estimator4j.board;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * A bounded sample of a stream, in stream order, that always ends with the latest item; Java
 * counterpart of TensorBoard's {@code _ReservoirBucket} (reservoir.py), which downsamples each tag
 * of a run to a fixed number of points (1000 scalars, 500 histograms by default).
 *
 * <p>Until {@code maxSize} items have been seen every item is kept. After that, the n-th item seen
 * (counting from 0) replaces a random kept item with probability {@code maxSize / (n + 1)} and
 * otherwise replaces the last kept item, so that the newest item is always shown. Seeded, so that
 * the same stream gives the same sample. Not thread-safe.
 *
 * @param <T> the item type
 */
final class Reservoir<T> {

  private final int maxSize;
  private final Random random;
  private final ArrayList<T> items = new ArrayList<>();
  private long seen;

  /**
   * @param maxSize most items kept; 0 keeps every item
   * @param seed seed of the random choices (TensorBoard uses 0)
   */
  Reservoir(int maxSize, long seed) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must be >= 0 (0 = keep all), got " + maxSize);
    }
    this.maxSize = maxSize;
    this.random = new Random(seed);
  }

  /** Adds the newest item of the stream. */
  void add(T item) {
    if (maxSize == 0 || items.size() < maxSize) {
      items.add(item);
    } else {
      // Python's random.randint(0, seen) is inclusive of both ends.
      long r = random.nextLong(seen + 1);
      if (r < maxSize) {
        items.remove((int) r);
        items.add(item);
      } else {
        items.set(items.size() - 1, item);
      }
    }
    seen++;
  }

  /**
   * Keeps only the items {@code keep} accepts, and scales the count of items seen by the fraction
   * kept (TensorBoard's {@code FilterItems}); returns how many were removed.
   */
  int filter(Predicate<? super T> keep) {
    int before = items.size();
    items.removeIf(keep.negate());
    int removed = before - items.size();
    if (removed > 0) {
      double remaining = before > 0 ? items.size() / (double) before : 0;
      seen = Math.round(seen * remaining);
    }
    return removed;
  }

  /** The kept items, oldest first; a copy. */
  List<T> items() {
    return List.copyOf(items);
  }

  /** The last item kept, or null when empty. */
  T last() {
    return items.isEmpty() ? null : items.get(items.size() - 1);
  }

  /** How many items the stream has had (scaled down by {@link #filter}). */
  long seen() {
    return seen;
  }

  boolean isEmpty() {
    return items.isEmpty();
  }
}
