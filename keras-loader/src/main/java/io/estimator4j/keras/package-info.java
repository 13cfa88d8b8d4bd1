/**
 * Keras models as TensorFlow graphs: {@link io.estimator4j.keras.KerasModelFile} reads Keras 2 HDF5
 * models, architecture-only JSON (with or without a weights file) and Keras 3 {@code .keras}
 * archives; {@link io.estimator4j.keras.KerasModel} builds them with the layer builders of
 * io.estimator4j.estimator.layers and predicts Keras's numbers. Layers holding Python code are
 * refused ({@link io.estimator4j.keras.file.UnsupportedKerasLayerException}), never executed.
 */
package io.estimator4j.keras;
