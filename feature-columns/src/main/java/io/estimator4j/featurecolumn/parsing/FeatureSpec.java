package io.estimator4j.featurecolumn.parsing;

import org.tensorflow.types.family.TType;

/**
 * How one tf.Example feature is parsed; Java counterpart of tf.io.FixedLenFeature and
 * tf.io.VarLenFeature.
 */
public sealed interface FeatureSpec permits FixedLenFeature, VarLenFeature {
  /** The dtype of the parsed values: TFloat32, TInt64 or TString (tf.Example's three lists). */
  Class<? extends TType> dtype();
}
