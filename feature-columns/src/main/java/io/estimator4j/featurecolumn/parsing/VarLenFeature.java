package io.estimator4j.featurecolumn.parsing;

import org.tensorflow.types.family.TType;

/**
 * A feature with any number of values per example; Java counterpart of tf.io.VarLenFeature.
 *
 * @param dtype TFloat32, TInt64 or TString
 */
public record VarLenFeature(Class<? extends TType> dtype) implements FeatureSpec {
  public VarLenFeature {
    ParsingSpecs.checkDtype(dtype);
  }
}
