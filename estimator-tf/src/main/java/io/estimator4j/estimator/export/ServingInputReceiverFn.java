package io.estimator4j.estimator.export;

import org.tensorflow.op.Ops;

/**
 * Builds the serving inputs of an exported graph; Java counterpart of a serving_input_receiver_fn.
 */
@FunctionalInterface
public interface ServingInputReceiverFn {
  ServingInputReceiver build(Ops tf);
}
