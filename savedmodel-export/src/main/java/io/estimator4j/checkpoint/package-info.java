/**
 * Reading, writing and retaining TensorFlow V2 checkpoints in a model directory, compatible with
 * Python's {@code tf.train} checkpoint utilities and tf.estimator's model_dir layout.
 *
 * <ul>
 *   <li>{@link io.estimator4j.checkpoint.CheckpointReader}: list and read the tensors of one
 *       checkpoint ({@code tf.train.load_checkpoint}).
 *   <li>{@link io.estimator4j.checkpoint.CheckpointState}: the {@code checkpoint} state file
 *       ({@code tf.train.get_checkpoint_state}, {@code tf.train.latest_checkpoint}).
 *   <li>{@link io.estimator4j.checkpoint.CheckpointFiles}: crash-safe commit and deletion of
 *       checkpoint files.
 *   <li>{@link io.estimator4j.checkpoint.RetentionPolicy}: {@code max_to_keep} and {@code
 *       keep_checkpoint_every_n_hours}.
 *   <li>{@link io.estimator4j.checkpoint.FaultPoints}: the named steps of a save where
 *       fault-injection tests kill the process.
 * </ul>
 */
package io.estimator4j.checkpoint;
