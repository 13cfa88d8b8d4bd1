/**
 * Implementation of the Keras loader: HDF5 reading, the network wiring of Sequential and Functional
 * configs, and one mapper family per Keras layer family, each mapping a Keras config onto a builder
 * of io.estimator4j.estimator.layers. Not part of the API.
 */
package io.estimator4j.keras.impl;
