package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import io.estimator4j.estimator.layers.Attention;
import io.estimator4j.estimator.layers.MultiHeadAttention;
import io.estimator4j.graph.Initializers;
import io.estimator4j.io.Dims;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * Keras's attention layers: Attention (dot or concat scores), AdditiveAttention and
 * MultiHeadAttention, with their masks ({@code use_causal_mask}, Keras 2's {@code causal}, the
 * inputs' masks, MultiHeadAttention's {@code attention_mask}) and {@code return_attention_scores}.
 */
final class AttentionMappers {
  private AttentionMappers() {}

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    m.put("Attention", ctx -> dense(ctx, false));
    m.put("AdditiveAttention", ctx -> dense(ctx, true));
    m.put("MultiHeadAttention", AttentionMappers::multiHead);
  }

  private static KerasLayer dense(LayerContext ctx, boolean additive) {
    LayerConfig c = ctx.config();
    Attention.Score score;
    if (additive) {
      score = Attention.Score.ADDITIVE;
    } else {
      String mode = c.string("score_mode", "dot");
      score =
          switch (mode) {
            case "dot" -> Attention.Score.DOT;
            case "concat" -> Attention.Score.CONCAT;
            default ->
                throw c.unsupported(
                    "score_mode '" + mode + "' is not supported; Keras knows 'dot' and 'concat'.");
          };
    }
    Attention layer =
        Attention.of(score, c.bool("use_scale", additive), c.number("dropout", 0), seed(c));
    boolean causalConfig = c.bool("causal", false);
    return (scope, in, kw) -> {
      if (in.size() < 2 || in.size() > 3) {
        throw new IllegalArgumentException(
            c.describe()
                + " takes [query, value] or [query,"
                + " value, key]; it was called with "
                + in.size()
                + " tensors.");
      }
      KTensor q = in.get(0);
      KTensor v = in.get(1);
      Operand<TFloat32> k = in.size() > 2 ? Mappers.floats(scope, in.get(2)) : null;
      boolean causal = causalConfig || kw.path("use_causal_mask").asBoolean(false);
      Attention.Result r =
          layer.apply(
              scope,
              Mappers.floats(scope, q),
              Mappers.floats(scope, v),
              k,
              q.mask(),
              v.mask(),
              causal,
              ctx.weights(),
              ctx.build().training());
      KTensor out = new KTensor(r.output(), q.mask());
      return kw.path("return_attention_scores").asBoolean(false)
          ? List.of(out, KTensor.of(r.weights()))
          : List.of(out);
    };
  }

  private static KerasLayer multiHead(LayerContext ctx) {
    LayerConfig c = ctx.config();
    int numHeads = c.count("num_heads", 1);
    int keyDim = c.count("key_dim", 1);
    MultiHeadAttention.Builder b =
        MultiHeadAttention.builder(numHeads, keyDim)
            .useBias(c.bool("use_bias", true))
            .dropout(c.number("dropout", 0), seed(c))
            .kernelInitializer(c.initializer("kernel_initializer", Initializers.glorotUniform()))
            .biasInitializer(c.initializer("bias_initializer", Initializers.zeros()));
    if (c.has("value_dim")) {
      b.valueDim(c.count("value_dim", 1, keyDim));
    }
    JsonNode outputShape = c.get("output_shape");
    if (outputShape != null && !outputShape.isNull()) {
      b.outputShape(
          outputShape.isArray()
              ? Arrays.stream(c.intList("output_shape")).asLongStream().toArray()
              : new long[] {c.count("output_shape", 1)});
    }
    MultiHeadAttention layer = b.build();
    return (scope, in, kw) -> {
      // the call signatures: Keras 3 has the three masks before attention_mask
      Map<String, KTensor> args =
          c.keras3()
              ? Mappers.callArguments(
                  c,
                  in,
                  kw,
                  "query",
                  "value",
                  "key",
                  "query_mask",
                  "value_mask",
                  "key_mask",
                  "attention_mask")
              : Mappers.callArguments(c, in, kw, "query", "value", "key", "attention_mask");
      KTensor query = args.get("query");
      KTensor value = args.get("value");
      if (query == null || value == null) {
        throw new IllegalArgumentException(
            c.describe()
                + " needs a query and a value; it was"
                + " called with "
                + args.keySet()
                + ".");
      }
      checkAttentionAxes(c, query.value().shape().numDimensions());
      KTensor key = args.get("key");
      MultiHeadAttention.Masks masks =
          new MultiHeadAttention.Masks(
              mask(scope, args.get("query_mask"), query.mask()),
              mask(scope, args.get("value_mask"), value.mask()),
              key == null ? null : mask(scope, args.get("key_mask"), key.mask()),
              args.containsKey("attention_mask")
                  ? bool(scope, args.get("attention_mask").value())
                  : null);
      MultiHeadAttention.Result r =
          layer.apply(
              scope,
              Mappers.floats(scope, query),
              Mappers.floats(scope, value),
              key == null ? null : Mappers.floats(scope, key),
              masks,
              kw.path("use_causal_mask").asBoolean(false),
              ctx.weights(),
              ctx.build().training());
      KTensor out = new KTensor(r.output(), query.mask());
      return kw.path("return_attention_scores").asBoolean(false)
          ? List.of(out, KTensor.of(r.scores()))
          : List.of(out);
    };
  }

  /** Keras's attention over all axes between batch and features is the only one built. */
  private static void checkAttentionAxes(LayerConfig c, int queryRank) {
    int[] axes = c.intOrList("attention_axes");
    if (axes == null) {
      return;
    }
    // Keras numbers them in the projected [batch, <dims>, heads, size] tensor
    int projectedRank = queryRank + 1;
    int[] normalised =
        Arrays.stream(axes).map(x -> x < 0 ? x + projectedRank : x).sorted().toArray();
    int[] all = new int[queryRank - 2];
    for (int i = 0; i < all.length; i++) {
      all[i] = i + 1;
    }
    if (!Arrays.equals(normalised, all)) {
      throw c.unsupported(
          "attention_axes "
              + Arrays.toString(axes)
              + " is not supported for an"
              + " input of rank "
              + queryRank
              + ": only attention over every axis between the batch"
              + " and the features "
              + Arrays.toString(all)
              + " (Keras's default) is built.");
    }
  }

  /** An explicit mask argument wins over the tensor's own mask (Keras 3's query_mask etc.). */
  private static Operand<TBool> mask(Ops tf, KTensor explicit, Operand<TBool> own) {
    return explicit != null ? bool(tf, explicit.value()) : own;
  }

  @SuppressWarnings("unchecked")
  private static Operand<TBool> bool(Ops tf, Operand<?> v) {
    if (v.type() == TBool.class) {
      return (Operand<TBool>) v;
    }
    Operand<? extends TType> t = (Operand<? extends TType>) v;
    return tf.math.notEqual((Operand<TType>) t, (Operand<TType>) tf.zerosLike((Operand<TType>) t));
  }

  private static Long seed(LayerConfig c) {
    JsonNode s = c.get("seed");
    return s != null && s.isNumber()
        ? Dims.integer(s, "setting 'seed' of " + c.describe(), LayerConfig.FIX)
        : null;
  }
}
