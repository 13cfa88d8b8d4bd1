package io.estimator4j.keras.file;

/**
 * A Keras layer this loader cannot build: a class it does not know, a setting it does not
 * implement, or serialized Python code (Lambda layers and other functions are never executed).
 * Names the layer and its class so the model's author can replace it.
 */
public final class UnsupportedKerasLayerException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String layerName;
  private final String className;

  public UnsupportedKerasLayerException(String layerName, String className, String message) {
    super(message);
    this.layerName = layerName;
    this.className = className;
  }

  /** The Keras name of the layer, e.g. {@code lambda_1}. */
  public String layerName() {
    return layerName;
  }

  /** The Keras class of the layer, e.g. {@code Lambda}. */
  public String className() {
    return className;
  }
}
