package io.estimator4j.board;

/**
 * One point of a scalar series: TensorBoard's {@code ScalarEvent}, served as the triple {@code
 * [wall_time, step, value]}.
 *
 * @param wallTime seconds since the epoch when the event was written
 * @param step the global step
 * @param value the scalar (NaN and infinities are kept)
 */
public record ScalarEvent(double wallTime, long step, double value) {}
