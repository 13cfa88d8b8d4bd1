package io.estimator4j.estimator.layers;

import io.estimator4j.graph.Initializers;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.BatchMatMul;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Dense (single-head) attention over a query {@code [batch, Tq, dim]} and a value {@code [batch,
 * Tv, dim]} (key = value unless given): Java counterpart of tf.keras.layers.Attention (Luong-style
 * dot or concat scores) and tf.keras.layers.AdditiveAttention (Bahdanau-style scores).
 *
 * <p>As in Keras: the scores {@code [batch, Tq, Tv]} get {@code -1e9} wherever the value mask or
 * the causal mask is false, are normalised by a softmax over {@code Tv}, and weight the values; the
 * result is zeroed where the query mask is false.
 */
public final class Attention {
  /** Large negative bias Keras gives masked scores (float32). */
  static final float MASKED_SCORE = 1e9f;

  /** How query and key are scored. */
  public enum Score {
    /** {@code query · keyᵀ}, times the scalar {@code scale} when {@code use_scale}. */
    DOT,
    /**
     * {@code concat_score_weight * Σ tanh(scale * (query + key))} (Keras's {@code
     * score_mode="concat"}).
     */
    CONCAT,
    /** {@code Σ scale * tanh(query + key)}, {@code scale} a vector over the features. */
    ADDITIVE
  }

  /**
   * The attended values {@code [batch, Tq, dim]} and the attention weights {@code [batch, Tq, Tv]}.
   */
  public record Result(Operand<TFloat32> output, Operand<TFloat32> weights) {}

  private final Score score;
  private final boolean useScale;
  private final Dropout dropout;

  private Attention(Score score, boolean useScale, Dropout dropout) {
    this.score = score;
    this.useScale = useScale;
    this.dropout = dropout;
  }

  /**
   * @param score how queries and keys are scored
   * @param useScale whether to learn the {@code scale} weight
   * @param dropout the rate at which attention weights are dropped while training
   * @param seed the dropout seed, or null
   */
  public static Attention of(Score score, boolean useScale, double dropout, Long seed) {
    return new Attention(score, useScale, Dropout.of(dropout, seed));
  }

  /**
   * Builds the layer, asking {@code weights} for {@code scale} (when {@code use_scale}: a scalar,
   * initialised to one, or for ADDITIVE a {@code [dim]} vector, glorot uniform) then {@code
   * concat_score_weight} (CONCAT: a scalar, one), Keras's order.
   *
   * @param key the keys, or null to use the values
   * @param queryMask {@code [batch, Tq]}, or null
   * @param valueMask {@code [batch, Tv]}, or null
   * @param causal whether position i of the query may only attend to positions j &lt;= i
   * @param training whether dropout applies
   */
  public Result apply(
      Ops scope,
      Operand<TFloat32> query,
      Operand<TFloat32> value,
      Operand<TFloat32> key,
      Operand<TBool> queryMask,
      Operand<TBool> valueMask,
      boolean causal,
      Weights weights,
      boolean training) {
    Ops tf = scope;
    Operand<TFloat32> k = key != null ? key : value;
    Tensors.rank(query, "Attention");
    Tensors.rank(value, "Attention");
    long dim = Tensors.dim(query, -1);
    Operand<TFloat32> scale = null;
    if (useScale) {
      if (score == Score.ADDITIVE) {
        if (dim < 0) {
          throw new IllegalArgumentException(
              "AdditiveAttention needs the last dimension of the query to be known; found shape "
                  + query.shape()
                  + ".");
        }
        scale = weights.get(scope, "scale", Shape.of(dim), Initializers.glorotUniform(), true);
      } else {
        scale = weights.get(scope, "scale", Shape.scalar(), Initializers.ones(), true);
      }
    }
    Operand<TFloat32> scores;
    if (score == Score.DOT) {
      scores = matMul(tf, query, k, false, true);
      if (scale != null) {
        scores = tf.math.mul(scores, scale);
      }
    } else {
      Operand<TFloat32> sum =
          tf.math.add(tf.expandDims(query, tf.constant(-2)), tf.expandDims(k, tf.constant(-3)));
      if (score == Score.CONCAT) {
        Operand<TFloat32> concatWeight =
            weights.get(scope, "concat_score_weight", Shape.scalar(), Initializers.ones(), true);
        Operand<TFloat32> t = tf.math.tanh(scale != null ? tf.math.mul(scale, sum) : sum);
        scores = tf.math.mul(concatWeight, tf.reduceSum(t, tf.constant(-1)));
      } else {
        Operand<TFloat32> t = tf.math.tanh(sum);
        scores = tf.reduceSum(scale != null ? tf.math.mul(scale, t) : t, tf.constant(-1));
      }
    }
    Operand<TBool> mask = valueMask == null ? null : tf.expandDims(valueMask, tf.constant(-2));
    if (causal) {
      Operand<TBool> lower = causalMask(tf, scores);
      mask = mask == null ? lower : tf.math.logicalAnd(mask, lower);
    }
    Operand<TFloat32> weightsOut = tf.nn.softmax(maskScores(tf, scores, mask));
    Operand<TFloat32> output =
        matMul(tf, dropout.apply(tf, weightsOut, training), value, false, false);
    if (queryMask != null) {
      output =
          tf.math.mul(
              output, tf.dtypes.cast(tf.expandDims(queryMask, tf.constant(-1)), TFloat32.class));
    }
    return new Result(output, weightsOut);
  }

  /** {@code scores - 1e9} wherever {@code mask} (broadcast to the scores) is false. */
  static Operand<TFloat32> maskScores(Ops tf, Operand<TFloat32> scores, Operand<TBool> mask) {
    if (mask == null) {
      return scores;
    }
    Operand<TFloat32> padding = tf.dtypes.cast(tf.math.logicalNot(mask), TFloat32.class);
    return tf.math.sub(scores, tf.math.mul(tf.constant(MASKED_SCORE), padding));
  }

  /**
   * The lower-triangular {@code [Tq, Tv]} mask of the last two dimensions of {@code scores}: true
   * where the key position is at most the query position.
   */
  static Operand<TBool> causalMask(Ops tf, Operand<?> scores) {
    int rank = scores.shape().numDimensions();
    Operand<TInt32> lastTwo =
        tf.slice(tf.shape(scores), tf.constant(new int[] {rank - 2}), tf.constant(new int[] {2}));
    Operand<TBool> ones = tf.fill(lastTwo, tf.constant(true));
    return tf.linalg.bandPart(ones, tf.constant(-1), tf.constant(0));
  }

  /** Batched matrix product (BatchMatMul, which has a gradient in the C++ registry). */
  static Operand<TFloat32> matMul(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> y, boolean adjX, boolean adjY) {
    return tf.train.batchMatMul(
        x, y, TFloat32.class, BatchMatMul.adjX(adjX), BatchMatMul.adjY(adjY));
  }

  @Override
  public String toString() {
    return "Attention(score="
        + score
        + ", useScale="
        + useScale
        + ", dropout="
        + dropout.rate()
        + ")";
  }
}
