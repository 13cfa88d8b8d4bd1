package io.estimator4j.estimator.metrics;

import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.family.TNumber;

/**
 * A streaming metric as a (value, update) pair; Java counterpart of the tuples returned by
 * tf.compat.v1.metrics.
 */
public record Metric(
    Operand<? extends TNumber> value, Op update, Op initializer, List<Variable<?>> localVariables) {}
