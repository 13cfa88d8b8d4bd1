package io.estimator4j.featurecolumn.parsing;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;

/**
 * The result of parsing a batch of tf.Examples: dense tensors for FixedLen features and sparse
 * tensors for VarLen features, as tf.io.parse_example returns them.
 *
 * @param dense FixedLen features, shape [batch] + feature shape
 * @param sparse VarLen features (indices [n, 2], values [n], dense_shape [2])
 */
public record ParsedFeatures(
    Map<String, Operand<?>> dense, Map<String, SparseTensor<?>> sparse) {}
