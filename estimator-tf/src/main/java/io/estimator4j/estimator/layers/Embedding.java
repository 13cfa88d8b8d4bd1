package io.estimator4j.estimator.layers;

import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Initializers;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * Looks up dense vectors by integer id; Java counterpart of tf.keras.layers.Embedding. Ids of
 * another type are cast to int32 first, as Keras does; the weight is {@code embeddings} {@code
 * [input_dim, output_dim]} (Keras's default initializer: uniform in [-0.05, 0.05]).
 */
public final class Embedding {
  /** Keras's default {@code embeddings_initializer}: RandomUniform(-0.05, 0.05). */
  public static final Initializer DEFAULT_INITIALIZER =
      Initializers.randomUniform(-0.05f, 0.05f, null);

  private Embedding() {}

  /** {@code [batch, ...]} ids to {@code [batch, ..., output_dim]} vectors. */
  public static Operand<TFloat32> apply(
      Ops scope,
      Operand<? extends TNumber> ids,
      int inputDim,
      int outputDim,
      Weights weights,
      Initializer initializer) {
    Operand<TFloat32> embeddings =
        weights.get(scope, "embeddings", Shape.of(inputDim, outputDim), initializer, true);
    return lookup(scope, embeddings, ids);
  }

  /** Gathers rows of {@code embeddings}. */
  public static Operand<TFloat32> lookup(
      Ops tf, Operand<TFloat32> embeddings, Operand<? extends TNumber> ids) {
    Operand<? extends TNumber> index = ids;
    if (ids.type() != TInt32.class && ids.type() != TInt64.class) {
      index = tf.dtypes.cast(ids, TInt32.class);
    }
    return tf.gather(embeddings, index, tf.constant(0));
  }

  /** The mask {@code mask_zero} gives: true where the id is not 0. */
  public static Operand<TBool> maskZero(Ops tf, Operand<? extends TNumber> ids) {
    Operand<TInt32> index = tf.dtypes.cast(ids, TInt32.class);
    return tf.math.notEqual(index, tf.constant(0));
  }
}
