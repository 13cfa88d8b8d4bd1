package io.estimator4j.estimator.layers;

import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Initializers;
import java.util.Arrays;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * Multi-head scaled dot-product attention ("Attention is all you need"); Java counterpart of
 * tf.keras.layers.MultiHeadAttention with Keras's weight layouts, so a Keras model's weights load
 * as they are.
 *
 * <p>Query {@code [batch, <attention dims>, dim]} and key/value {@code [batch, <attention dims>,
 * dim']} are projected to {@code num_heads} heads ({@code query/kernel [dim, heads, key_dim]},
 * {@code query/bias [heads, key_dim]}, likewise {@code key} and {@code value} with {@code
 * value_dim}); the query is scaled by {@code 1/sqrt(key_dim)}; the scores {@code [batch, heads, T,
 * S]} get {@code -1e9} where the attention mask is false, a softmax over the key positions, dropout
 * while training; the weighted values are projected back by {@code attention_output/kernel [heads,
 * value_dim, out...]} and {@code attention_output/bias [out...]}. Attention runs over every axis
 * between the batch and the features (Keras's default {@code attention_axes}).
 */
public final class MultiHeadAttention {
  private final int numHeads;
  private final int keyDim;
  private final int valueDim;
  private final boolean useBias;
  private final long[] outputShape;
  private final Dropout dropout;
  private final Initializer kernelInitializer;
  private final Initializer biasInitializer;

  private MultiHeadAttention(Builder b) {
    this.numHeads = b.numHeads;
    this.keyDim = b.keyDim;
    this.valueDim = b.valueDim > 0 ? b.valueDim : b.keyDim;
    this.useBias = b.useBias;
    this.outputShape = b.outputShape;
    this.dropout = Dropout.of(b.dropout, b.seed);
    this.kernelInitializer =
        b.kernelInitializer != null ? b.kernelInitializer : Initializers.glorotUniform(b.seed);
    this.biasInitializer = b.biasInitializer;
  }

  /** Starts a configuration with {@code numHeads} heads of size {@code keyDim} (both positive). */
  public static Builder builder(int numHeads, int keyDim) {
    return new Builder(numHeads, keyDim);
  }

  /** The output and the attention weights {@code [batch, heads, <query dims>, <key dims>]}. */
  public record Result(Operand<TFloat32> output, Operand<TFloat32> scores) {}

  /** Masks of one call; any may be null. */
  public record Masks(
      Operand<TBool> query, Operand<TBool> value, Operand<TBool> key, Operand<TBool> attention) {
    /** No masks. */
    public static Masks none() {
      return new Masks(null, null, null, null);
    }
  }

  /**
   * Builds the layer, asking {@code weights} for {@code query/kernel}, {@code query/bias}, {@code
   * key/...}, {@code value/...}, {@code attention_output/...} in that order (Keras's), each in the
   * sub-scope named like Keras's sub-layer.
   *
   * @param key the keys, or null to use the values
   * @param masks {@code query [batch, T]}, {@code value} and {@code key [batch, S]} as Keras's
   *     automatic masks; {@code attention [batch, T, S]} (or {@code [batch, <T dims>, <S dims>]})
   * @param causal whether query position i may only attend to key positions j &lt;= i
   * @param training whether dropout applies to the attention weights
   * @throws IllegalArgumentException if a rank or feature dimension is unknown, or masks do not fit
   */
  public Result apply(
      Ops scope,
      Operand<TFloat32> query,
      Operand<TFloat32> value,
      Operand<TFloat32> key,
      Masks masks,
      boolean causal,
      Weights weights,
      boolean training) {
    Ops tf = scope;
    Operand<TFloat32> k = key != null ? key : value;
    int rank = Tensors.rank(query, "MultiHeadAttention");
    if (rank < 3
        || Tensors.rank(value, "MultiHeadAttention") != rank
        || Tensors.rank(k, "MultiHeadAttention") != rank) {
      throw new IllegalArgumentException(
          "MultiHeadAttention needs query, value and key of the same rank, at least 3 ([batch,"
              + " positions..., features]); found "
              + query.shape()
              + ", "
              + value.shape()
              + ", "
              + k.shape()
              + ".");
    }
    long[] queryDims = query.shape().asArray();
    long[] keyDims = k.shape().asArray();
    if ((masks.query() != null || masks.value() != null || masks.key() != null || causal)
        && rank != 3) {
      throw new IllegalArgumentException(
          "MultiHeadAttention supports sequence masks and the causal mask on inputs of rank 3"
              + " ([batch, time, features]); found query shape "
              + query.shape()
              + ".");
    }
    long[] out = outputShape != null ? outputShape : new long[] {queryDims[rank - 1]};

    // [batch, T, heads, key_dim] -> [batch, heads, T, key_dim]
    Operand<TFloat32> q = heads(tf, project(tf.withSubScope("query"), query, keyDim, weights));
    Operand<TFloat32> kk = heads(tf, project(tf.withSubScope("key"), k, keyDim, weights));
    Operand<TFloat32> v = heads(tf, project(tf.withSubScope("value"), value, valueDim, weights));

    q = tf.math.mul(q, tf.constant((float) (1.0 / Math.sqrt(keyDim))));
    Operand<TFloat32> scores = Attention.matMul(tf, q, kk, false, true); // [batch, heads, T, S]
    Operand<TBool> mask = attentionMask(tf, masks, causal, scores, rank);
    if (mask != null) {
      scores = Attention.maskScores(tf, scores, tf.expandDims(mask, tf.constant(1)));
    }
    Operand<TFloat32> probabilities = tf.nn.softmax(scores);
    Operand<TFloat32> context =
        Attention.matMul(tf, dropout.apply(tf, probabilities, training), v, false, false);
    // [batch, heads, T, value_dim] -> [batch, T, heads * value_dim]
    Operand<TFloat32> merged =
        Tensors.reshapeKeepBatch(
            tf, Tensors.transpose(tf, context, 0, 2, 1, 3), -1, (long) numHeads * valueDim);

    Ops o = tf.withSubScope("attention_output");
    long outSize = Arrays.stream(out).reduce(1L, (a, b) -> a * b);
    long[] kernelShape = new long[2 + out.length];
    kernelShape[0] = numHeads;
    kernelShape[1] = valueDim;
    System.arraycopy(out, 0, kernelShape, 2, out.length);
    Operand<TFloat32> kernel =
        weights.get(o, "kernel", Shape.of(kernelShape), kernelInitializer, true);
    Operand<TFloat32> y =
        tf.linalg.matMul(
            tf.reshape(merged, tf.constant(new long[] {-1, (long) numHeads * valueDim})),
            tf.reshape(kernel, tf.constant(new long[] {(long) numHeads * valueDim, outSize})));
    if (useBias) {
      Operand<TFloat32> bias = weights.get(o, "bias", Shape.of(out), biasInitializer, true);
      y = tf.nn.biasAdd(y, tf.reshape(bias, tf.constant(new long[] {outSize})));
    }
    long[] outDims = new long[rank - 2 + out.length];
    System.arraycopy(queryDims, 1, outDims, 0, rank - 2);
    System.arraycopy(out, 0, outDims, rank - 2, out.length);
    Operand<TFloat32> output = Tensors.reshapeKeepBatch(tf, y, outDims);

    long[] scoreDims = new long[1 + 2 * (rank - 2)];
    scoreDims[0] = numHeads;
    System.arraycopy(queryDims, 1, scoreDims, 1, rank - 2);
    System.arraycopy(keyDims, 1, scoreDims, rank - 1, rank - 2);
    Operand<TFloat32> scoresOut =
        rank == 3 ? probabilities : Tensors.reshapeKeepBatch(tf, probabilities, scoreDims);
    return new Result(output, scoresOut);
  }

  /** {@code x [batch, dims..., features]} times {@code kernel [features, heads, size]} (+ bias). */
  private Operand<TFloat32> project(Ops tf, Operand<TFloat32> x, int size, Weights weights) {
    int rank = x.shape().numDimensions();
    long features = Tensors.dim(x, -1);
    if (features < 0) {
      throw new IllegalArgumentException(
          "MultiHeadAttention needs the last dimension of its inputs to be known; found shape "
              + x.shape()
              + ".");
    }
    Operand<TFloat32> kernel =
        weights.get(tf, "kernel", Shape.of(features, numHeads, size), kernelInitializer, true);
    Operand<TFloat32> y =
        tf.linalg.matMul(
            tf.reshape(x, tf.constant(new long[] {-1, features})),
            tf.reshape(kernel, tf.constant(new long[] {features, (long) numHeads * size})));
    if (useBias) {
      Operand<TFloat32> bias =
          weights.get(tf, "bias", Shape.of(numHeads, size), biasInitializer, true);
      y = tf.nn.biasAdd(y, tf.reshape(bias, tf.constant(new long[] {(long) numHeads * size})));
    }
    long positions = 1;
    for (int i = 1; i < rank - 1; i++) {
      long d = x.shape().get(i);
      positions = d < 0 || positions < 0 ? -1 : positions * d;
    }
    return Tensors.reshapeKeepBatch(tf, y, positions, numHeads, size);
  }

  /** {@code [batch, T, heads, size]} to {@code [batch, heads, T, size]}. */
  private static Operand<TFloat32> heads(Ops tf, Operand<TFloat32> x) {
    return Tensors.transpose(tf, x, 0, 2, 1, 3);
  }

  /** The {@code [batch, T, S]} mask Keras merges from the call's masks, or null. */
  private static Operand<TBool> attentionMask(
      Ops tf, Masks masks, boolean causal, Operand<TFloat32> scores, int rank) {
    Operand<TBool> mask = null;
    if (masks.query() != null) {
      mask = tf.expandDims(masks.query(), tf.constant(-1));
    }
    for (Operand<TBool> m : new Operand[] {masks.value(), masks.key()}) {
      if (m != null) {
        Operand<TBool> e = tf.expandDims(m, tf.constant(1));
        mask = mask == null ? e : tf.math.logicalAnd(mask, e);
      }
    }
    if (causal) {
      Operand<TBool> lower = tf.expandDims(Attention.causalMask(tf, scores), tf.constant(0));
      mask = mask == null ? lower : tf.math.logicalAnd(mask, lower);
    }
    Operand<TBool> explicit = masks.attention();
    if (explicit != null) {
      int r = explicit.shape().numDimensions();
      if (r == 1 + 2 * (rank - 2) && rank > 3) {
        explicit = Tensors.reshapeKeepBatch(tf, explicit, -1, Tensors.dim(scores, -1));
      } else if (r != 3) {
        throw new IllegalArgumentException(
            "MultiHeadAttention's attention_mask must be [batch, T, S] (or [batch, <query dims>,"
                + " <key dims>]); found shape "
                + explicit.shape()
                + ".");
      }
      mask = mask == null ? explicit : tf.math.logicalAnd(explicit, mask);
    }
    return mask;
  }

  @Override
  public String toString() {
    return "MultiHeadAttention(numHeads="
        + numHeads
        + ", keyDim="
        + keyDim
        + ", valueDim="
        + valueDim
        + ", useBias="
        + useBias
        + ", dropout="
        + dropout.rate()
        + ")";
  }

  /**
   * Builder of {@link MultiHeadAttention}; every setting but the heads and key size has Keras's
   * default.
   */
  public static final class Builder {
    private final int numHeads;
    private final int keyDim;
    private int valueDim;
    private boolean useBias = true;
    private long[] outputShape;
    private double dropout;
    private Long seed;
    private Initializer kernelInitializer;
    private Initializer biasInitializer = Initializers.zeros();

    private Builder(int numHeads, int keyDim) {
      if (numHeads <= 0 || keyDim <= 0) {
        throw new IllegalArgumentException(
            "MultiHeadAttention needs num_heads and key_dim > 0; got "
                + numHeads
                + " and "
                + keyDim
                + ".");
      }
      this.numHeads = numHeads;
      this.keyDim = keyDim;
    }

    /** Size of each value head (default: key_dim). */
    public Builder valueDim(int valueDim) {
      this.valueDim = valueDim;
      return this;
    }

    /** Whether the projections have biases (default true). */
    public Builder useBias(boolean useBias) {
      this.useBias = useBias;
      return this;
    }

    /** The output features after the batch and positions (default: the query's features). */
    public Builder outputShape(long... outputShape) {
      this.outputShape =
          outputShape == null || outputShape.length == 0 ? null : outputShape.clone();
      return this;
    }

    /** Dropout rate of the attention weights while training (default 0). */
    public Builder dropout(double dropout, Long seed) {
      this.dropout = dropout;
      this.seed = seed;
      return this;
    }

    /** Kernel initializer (default glorot_uniform). */
    public Builder kernelInitializer(Initializer init) {
      this.kernelInitializer = Objects.requireNonNull(init, "kernelInitializer");
      return this;
    }

    /** Bias initializer (default zeros). */
    public Builder biasInitializer(Initializer init) {
      this.biasInitializer = Objects.requireNonNull(init, "biasInitializer");
      return this;
    }

    public MultiHeadAttention build() {
      return new MultiHeadAttention(this);
    }
  }
}
