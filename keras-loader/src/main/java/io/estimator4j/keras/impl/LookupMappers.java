package io.estimator4j.keras.impl;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.HashTable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TNumber;

/**
 * Keras's stateful lookup layers, StringLookup and IntegerLookup, and Hashing, as {@code
 * index_lookup.py} and {@code hashing.py} compute them (tf-keras 2.x and Keras 3 alike).
 *
 * <p>Lookup ids: the {@code mask_token} (when set) is 0, then {@code num_oov_indices} ids for
 * tokens not in the vocabulary, then the vocabulary in order. An unknown token takes the first OOV
 * id, or with several OOV ids {@code oov_start + hash_bucket(token)} (strings: {@code
 * to_hash_bucket_fast}; integers: {@code floormod}). The table is a HashTable initialised in the
 * graph's init scope, so a session's initialisation (and a converted SavedModel's main op) fills
 * it. The vocabulary is the config's list, or Keras 3's {@code assets/.../vocabulary.txt}.
 */
final class LookupMappers {
  private LookupMappers() {}

  static void register(Map<String, Function<LayerContext, KerasLayer>> m) {
    m.put("StringLookup", ctx -> lookup(ctx, true));
    m.put("IntegerLookup", ctx -> lookup(ctx, false));
    m.put("Hashing", LookupMappers::hashing);
    m.put("TextVectorization", LookupMappers::textVectorization);
  }

  /** Keras's DEFAULT_STRIP_REGEX: ASCII punctuation, removed by "strip_punctuation". */
  static final String STRIP_PUNCTUATION = "[!\"#$%&()\\*\\+,-\\./:;<=>?@\\[\\\\\\]^_`{|}~\\']";

  /**
   * TextVectorization in output_mode "int" (text_vectorization.py): standardize ({@code
   * lower_and_strip_punctuation}: {@code tf.strings.lower}, then the punctuation removed; {@code
   * lower}; {@code strip_punctuation}; none), split on whitespace runs, look each token up (0 is
   * the padding/mask "", 1 the OOV "[UNK]", the vocabulary from 2), and pad with 0 or truncate to
   * {@code output_sequence_length} (else to the longest text of the batch).
   */
  private static KerasLayer textVectorization(LayerContext ctx) {
    LayerConfig c = ctx.config();
    String mode = c.string("output_mode", "int");
    if (!mode.equals("int")) {
      throw c.unsupported("output_mode '" + mode + "' is not supported (int is).");
    }
    String standardize = c.string("standardize", "lower_and_strip_punctuation");
    if (standardize != null
        && !List.of("lower_and_strip_punctuation", "lower", "strip_punctuation")
            .contains(standardize)) {
      throw c.unsupported(
          "standardize '" + standardize + "' is not supported (a callable is Python code).");
    }
    String split = c.string("split", "whitespace");
    if (split != null && !split.equals("whitespace")) {
      throw c.unsupported("split '" + split + "' is not supported (whitespace and None are).");
    }
    JsonNode ngrams = c.get("ngrams");
    if (ngrams != null && !ngrams.isNull()) {
      throw c.unsupported("ngrams are not supported.");
    }
    if (c.bool("ragged", false) || c.bool("sparse", false)) {
      throw c.unsupported("ragged or sparse output is not supported.");
    }
    List<String> vocabulary = vocabulary(ctx, true);
    if (vocabulary.size() >= 2
        && vocabulary.get(0).isEmpty()
        && vocabulary.get(1).equals("[UNK]")) {
      vocabulary = vocabulary.subList(2, vocabulary.size()); // get_vocabulary()'s special tokens
    }
    List<String> tokens = List.copyOf(vocabulary);
    JsonNode lengthNode = c.get("output_sequence_length");
    int length = lengthNode == null || lengthNode.isNull() ? -1 : lengthNode.asInt();
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      if (x.value().type() != TString.class) {
        throw c.unsupported(
            "its input must be a string tensor; found " + x.value().type().getSimpleName() + ".");
      }
      @SuppressWarnings("unchecked")
      Operand<TString> text =
          scope.reshape((Operand<TString>) x.value(), scope.constant(new long[] {-1}));
      if (standardize != null && standardize.contains("lower")) {
        text = scope.strings.lower(text);
      }
      if (standardize != null && standardize.contains("strip_punctuation")) {
        text = scope.strings.staticRegexReplace(text, STRIP_PUNCTUATION, "");
      }
      if (split == null) {
        Operand<TInt64> ids = lookupStrings(scope, text, tokens, 1, 2, "");
        return Mappers.noMask(scope.expandDims(ids, scope.constant(-1)));
      }
      var parts = scope.strings.stringSplit(text, scope.constant(""));
      Operand<TInt64> ids = lookupStrings(scope, parts.values(), tokens, 1, 2, "");
      Operand<TInt64> shape = parts.shape();
      Operand<TInt64> dense;
      if (length < 0) {
        dense = scope.sparse.sparseToDense(parts.indices(), shape, ids, scope.constant(0L));
      } else {
        Operand<TInt64> rows =
            scope.slice(shape, scope.constant(new long[] {0}), scope.constant(new long[] {1}));
        Operand<TInt64> width =
            scope.math.maximum(
                scope.slice(shape, scope.constant(new long[] {1}), scope.constant(new long[] {1})),
                scope.constant(new long[] {length}));
        Operand<TInt64> full =
            scope.sparse.sparseToDense(
                parts.indices(),
                scope.concat(List.of(rows, width), scope.constant(0)),
                ids,
                scope.constant(0L));
        dense =
            scope.ensureShape(
                scope.slice(
                    full,
                    scope.constant(new long[] {0, 0}),
                    scope.constant(new long[] {-1, length})),
                org.tensorflow.ndarray.Shape.of(-1, length));
      }
      return Mappers.noMask(dense);
    };
  }

  /**
   * Ids of strings: the vocabulary from {@code tokenStart}, {@code mask} (if not null) 0, anything
   * else {@code oovStart}; the table is initialised in the init scope.
   */
  private static Operand<TInt64> lookupStrings(
      Ops scope,
      Operand<TString> s,
      List<String> tokens,
      int oovStart,
      int tokenStart,
      String mask) {
    Ops init = scope.withInitScope();
    long[] ids = new long[tokens.size()];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = tokenStart + i;
    }
    HashTable table = init.withName("hash_table").hashTable(TString.class, TInt64.class);
    init.withName("table_init")
        .initializeTable(
            table,
            init.constant(NdArrays.vectorOfObjects(tokens.toArray(new String[0]))),
            init.constant(ids));
    Operand<TInt64> found =
        scope.ensureShape(scope.lookupTableFind(table, s, scope.constant(-1L)), s.shape());
    Operand<TInt64> out =
        scope.select(
            scope.math.less(found, scope.constant(0L)),
            scope.fill(scope.shape(found, TInt64.class), scope.constant((long) oovStart)),
            found);
    if (mask != null) {
      out = scope.select(scope.math.equal(s, scope.constant(mask)), scope.zerosLike(out), out);
    }
    return out;
  }

  private static KerasLayer lookup(LayerContext ctx, boolean strings) {
    LayerConfig c = ctx.config();
    if (c.bool("invert", false)) {
      throw c.unsupported("invert=True (ids back to tokens) is not supported.");
    }
    if (c.bool("sparse", false) || c.bool("ragged", false)) {
      throw c.unsupported("sparse or ragged output is not supported.");
    }
    String mode = c.string("output_mode", "int");
    if (!List.of("int", "one_hot", "multi_hot", "count").contains(mode)) {
      throw c.unsupported(
          "output_mode '" + mode + "' is not supported (int, one_hot, multi_hot and count are).");
    }
    int numOov = c.integer("num_oov_indices", 1);
    if (numOov < 1) {
      throw c.unsupported(
          "num_oov_indices="
              + numOov
              + ": Keras fails on every token outside the vocabulary at run time; this loader"
              + " needs at least one OOV index.");
    }
    JsonNode maskNode = c.get("mask_token");
    boolean masked = maskNode != null && !maskNode.isNull();
    if (masked && !mode.equals("int")) {
      throw c.unsupported("a mask_token with output_mode '" + mode + "' is not supported.");
    }
    List<String> vocabulary = vocabulary(ctx, strings);
    // Keras 3's vocabulary.txt starts with the special tokens (include_special_tokens=True)
    List<String> specials = new ArrayList<>();
    if (masked) {
      specials.add(maskNode.asText());
    }
    JsonNode oovNode = c.get("oov_token");
    String oov =
        oovNode == null || oovNode.isNull() ? (strings ? "[UNK]" : "-1") : oovNode.asText();
    for (int i = 0; i < numOov; i++) {
      specials.add(oov);
    }
    if (vocabulary.size() >= specials.size()
        && vocabulary.subList(0, specials.size()).equals(specials)) {
      vocabulary = vocabulary.subList(specials.size(), vocabulary.size());
    }
    int oovStart = masked ? 1 : 0;
    int tokenStart = oovStart + numOov;
    int size = tokenStart + vocabulary.size();
    int depth = c.bool("pad_to_max_tokens", false) ? c.integer("max_tokens", size) : size;
    List<String> tokens = List.copyOf(vocabulary);
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      Operand<?> v = x.value();
      Ops init = scope.withInitScope();
      long[] ids = new long[tokens.size()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = tokenStart + i;
      }
      HashTable table;
      Operand<TInt64> found;
      Operand<TInt64> hashed;
      Operand<TBool> isMask = null;
      if (strings) {
        if (v.type() != TString.class) {
          throw c.unsupported(
              "its input must be a string tensor; found " + v.type().getSimpleName() + ".");
        }
        @SuppressWarnings("unchecked")
        Operand<TString> s = (Operand<TString>) v;
        table = init.withName("hash_table").hashTable(TString.class, TInt64.class);
        init.withName("table_init")
            .initializeTable(
                table,
                init.constant(NdArrays.vectorOfObjects(tokens.toArray(new String[0]))),
                init.constant(ids));
        found = scope.ensureShape(scope.lookupTableFind(table, s, scope.constant(-1L)), s.shape());
        hashed = scope.strings.toHashBucketFast(s, (long) numOov);
        if (masked) {
          isMask = scope.math.equal(s, scope.constant(maskNode.asText()));
        }
      } else {
        @SuppressWarnings("unchecked")
        Operand<TInt64> n = scope.dtypes.cast((Operand<? extends TNumber>) v, TInt64.class);
        long[] keys = new long[tokens.size()];
        for (int i = 0; i < keys.length; i++) {
          keys[i] = Long.parseLong(tokens.get(i).trim());
        }
        table = init.withName("hash_table").hashTable(TInt64.class, TInt64.class);
        init.withName("table_init").initializeTable(table, init.constant(keys), init.constant(ids));
        found = scope.ensureShape(scope.lookupTableFind(table, n, scope.constant(-1L)), n.shape());
        hashed = scope.math.floorMod(n, scope.constant((long) numOov));
        if (masked) {
          isMask = scope.math.equal(n, scope.constant(maskNode.asLong()));
        }
      }
      Operand<TInt64> unknown =
          numOov == 1
              ? scope.fill(scope.shape(found, TInt64.class), scope.constant((long) oovStart))
              : scope.math.add(hashed, scope.constant((long) oovStart));
      Operand<TInt64> out =
          scope.select(scope.math.less(found, scope.constant(0L)), unknown, found);
      if (isMask != null) {
        out = scope.select(isMask, scope.zerosLike(out), out);
      }
      if (mode.equals("int")) {
        return Mappers.noMask(out);
      }
      return PreprocessingMappers.encode(c, scope, out, depth, mode);
    };
  }

  /** The vocabulary: the config's list, else Keras 3's asset file; refused when neither. */
  private static List<String> vocabulary(LayerContext ctx, boolean strings) {
    LayerConfig c = ctx.config();
    JsonNode v = c.get("vocabulary");
    if (v != null && v.isArray()) {
      List<String> out = new ArrayList<>();
      v.forEach(t -> out.add(t.asText()));
      return out;
    }
    if (v != null && v.isTextual()) {
      throw c.unsupported(
          "its vocabulary is the file path '"
              + v.asText()
              + "', which is not part of the Keras file (Keras fails to load it elsewhere too)."
              + " Fix: pass the vocabulary as a list, or save as .keras after adapt().");
    }
    java.util.Optional<String> asset = ctx.build().asset(ctx.keras3Key(), "vocabulary.txt");
    if (asset.isPresent()) {
      List<String> out = new ArrayList<>(List.of(asset.get().split("\n", -1)));
      while (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
        out.remove(out.size() - 1);
      }
      return out;
    }
    throw c.unsupported(
        "its vocabulary was adapted and is not stored in "
            + (ctx.build().keras3() ? "this archive's assets" : "HDF5 files")
            + " (Keras keeps an adapted vocabulary in a lookup table, not in the weights). Fix:"
            + " save the model as .keras, or pass vocabulary= to the layer before saving.");
  }

  /**
   * Hashing: {@code to_hash_bucket_fast} (FarmHash) or, with a salt, {@code to_hash_bucket_strong}
   * (SipHash with the salt as key) of the input as strings (integers through {@code as_string}),
   * into {@code num_bins} bins; with a {@code mask_value}, bin 0 is the mask and the others shift
   * by one.
   */
  private static KerasLayer hashing(LayerContext ctx) {
    LayerConfig c = ctx.config();
    int numBins = c.integer("num_bins", -1);
    if (numBins < 1) {
      throw c.unsupported("num_bins must be positive; found " + c.get("num_bins") + ".");
    }
    String mode = c.string("output_mode", "int");
    if (!List.of("int", "one_hot", "multi_hot", "count").contains(mode)) {
      throw c.unsupported(
          "output_mode '" + mode + "' is not supported (int, one_hot, multi_hot and count are).");
    }
    JsonNode maskValue = c.get("mask_value");
    boolean masked = maskValue != null && !maskValue.isNull() && numBins > 1;
    long bins = masked ? numBins - 1 : numBins;
    JsonNode salt = c.get("salt");
    long[] key = null;
    if (salt != null && !salt.isNull()) {
      key =
          salt.isArray()
              ? new long[] {salt.get(0).asLong(), salt.get(1).asLong()}
              : new long[] {salt.asLong(), salt.asLong()};
    }
    long[] saltKey = key;
    return (scope, in, kw) -> {
      KTensor x = Mappers.single(c, in);
      Operand<?> v = x.value();
      Operand<TString> s;
      Operand<TBool> mask = null;
      if (v.type() == TString.class) {
        @SuppressWarnings("unchecked")
        Operand<TString> str = (Operand<TString>) v;
        s = str;
        if (masked) {
          mask = scope.math.equal(str, scope.constant(maskValue.asText()));
        }
      } else {
        @SuppressWarnings("unchecked")
        Operand<TInt64> n = scope.dtypes.cast((Operand<? extends TNumber>) v, TInt64.class);
        s = scope.dtypes.asString(n);
        if (masked) {
          mask = scope.math.equal(n, scope.constant(maskValue.asLong()));
        }
      }
      Operand<TInt64> hashed =
          saltKey == null
              ? scope.strings.toHashBucketFast(s, bins)
              : scope.strings.toHashBucketStrong(
                  s, bins, java.util.Arrays.asList(saltKey[0], saltKey[1]));
      if (mask != null) {
        hashed =
            scope.select(mask, scope.zerosLike(hashed), scope.math.add(hashed, scope.constant(1L)));
      }
      if (mode.equals("int")) {
        return Mappers.noMask(hashed);
      }
      return PreprocessingMappers.encode(c, scope, hashed, numBins, mode);
    };
  }
}
