package io.estimator4j.featurecolumn;

import org.tensorflow.Operand;
import org.tensorflow.types.TFloat32;

/**
 * A column that produces a dense float tensor; Java counterpart of tf.feature_column's DenseColumn
 * (numeric, bucketized, embedding and indicator columns).
 */
public interface DenseColumn extends FeatureColumn {
  /** The width of {@link #denseTensor} after flattening to {@code [batch, dimension]}. */
  long dimension();

  /** Builds (once per graph and layer) the column's {@code [batch, dimension()]} output. */
  Operand<TFloat32> denseTensor(TransformContext ctx);
}
