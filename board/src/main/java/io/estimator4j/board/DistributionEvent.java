package io.estimator4j.board;

import java.util.List;

/**
 * One step of a distribution: a histogram compressed to its values at TensorBoard's basis points
 * ({@link HistogramCompression#NORMAL_HISTOGRAM_BPS}), served as {@code [wall_time, step, [[bp,
 * value], ...]]} as TensorBoard's distributions plugin serves it.
 *
 * @param wallTime seconds since the epoch when the event was written
 * @param step the global step
 * @param values the value at each basis point, smallest first
 */
public record DistributionEvent(double wallTime, long step, List<Double> values) {

  /** Copies the values. */
  public DistributionEvent {
    values = List.copyOf(values);
  }
}
