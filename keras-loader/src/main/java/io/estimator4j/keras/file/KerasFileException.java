package io.estimator4j.keras.file;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A Keras model file that cannot be read: not HDF5, truncated, missing its model_config, or holding
 * data of an unsupported type. The message names the file and says what was expected.
 */
public final class KerasFileException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;

  public KerasFileException(Path file, String message) {
    super(file + ": " + message);
    this.file = file;
  }

  public KerasFileException(Path file, String message, Throwable cause) {
    super(file + ": " + message, cause);
    this.file = file;
  }

  /** The file that could not be read. */
  public Path file() {
    return file;
  }
}
