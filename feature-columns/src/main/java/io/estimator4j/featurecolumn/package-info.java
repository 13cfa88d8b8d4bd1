/**
 * Feature columns: Java counterpart of tf.feature_column (feature_column_v2.py), built as
 * tensorflow-java graph ops.
 *
 * <p>Build columns with {@link io.estimator4j.featurecolumn.FeatureColumns}, transform features
 * with a {@link io.estimator4j.featurecolumn.TransformContext}, and turn columns into model input
 * with {@link io.estimator4j.featurecolumn.InputLayer} (DNN) or {@link
 * io.estimator4j.featurecolumn.LinearModel} (linear). Variables and lookup tables are created
 * through a {@link io.estimator4j.featurecolumn.StateManager} under Python's names, so checkpoints
 * use tf.estimator's keys.
 */
package io.estimator4j.featurecolumn;
