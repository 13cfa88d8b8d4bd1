package io.estimator4j.estimator.layers;

/**
 * Where the channels of an image-like tensor are: last ({@code [batch, ..., channels]}, Keras's
 * default) or first ({@code [batch, channels, ...]}); Java counterpart of Keras's {@code
 * data_format}. TensorFlow's CPU kernels compute channels-last only, so channels-first layers
 * transpose around the op.
 */
public enum DataFormat {
  /** {@code channels_last}: {@code [batch, spatial..., channels]}. */
  CHANNELS_LAST,
  /** {@code channels_first}: {@code [batch, channels, spatial...]}. */
  CHANNELS_FIRST;

  /**
   * Parses Keras's spelling; {@code null} gives {@link #CHANNELS_LAST} (Keras's default image data
   * format).
   *
   * @throws IllegalArgumentException for anything but channels_last or channels_first
   */
  public static DataFormat of(String keras) {
    if (keras == null || keras.equals("channels_last")) {
      return CHANNELS_LAST;
    }
    if (keras.equals("channels_first")) {
      return CHANNELS_FIRST;
    }
    throw new IllegalArgumentException(
        "Unknown data_format '" + keras + "'. Expected channels_last or channels_first.");
  }

  /** The axis of the channels in a tensor of rank {@code rank}. */
  public int channelAxis(int rank) {
    return this == CHANNELS_LAST ? rank - 1 : 1;
  }
}
