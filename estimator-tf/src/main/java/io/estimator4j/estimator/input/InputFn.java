package io.estimator4j.estimator.input;

/**
 * Builds the input pipeline of one loop inside its graph and returns features and labels; Java
 * counterpart of the {@code input_fn} of tf.estimator. End of input (the dataset running out) ends
 * train or evaluate cleanly.
 */
@FunctionalInterface
public interface InputFn {
  /** Adds the input ops to {@code context.tf()}'s graph. */
  Input build(InputContext context);
}
