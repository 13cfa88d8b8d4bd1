package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.impl.SparseInputs;
import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.PartitionedVariable;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The features of one graph and the transformations built from them, each built once; Java
 * counterpart of feature_column_v2.FeatureTransformationCache.
 *
 * <p>Features are dense tensors {@code [batch, ...]}; a rank-1 feature {@code [batch]} is read as
 * {@code [batch, 1]}. Categorical columns drop missing values ({@code -1} for integers, {@code ""}
 * for strings), so VarLen features densified with those fills behave like the sparse tensors
 * tf.io.parse_example gives Python. Sparse features can also be passed directly.
 */
public final class TransformContext {
  private static final Object NULL = new Object();

  private final Ops tf;
  private final Map<String, Operand<?>> features;
  private final Map<String, SparseTensor<?>> sparseFeatures;
  private final StateManager state;
  private final Map<Object, Object> cache = new HashMap<>();
  private final Deque<FeatureColumn> building = new ArrayDeque<>();
  private final Map<String, Path> vocabularyFiles = new LinkedHashMap<>();
  private final Map<String, List<Lookup>> lookups = new LinkedHashMap<>();
  private final Map<PartitionedVariable, List<Lookup>> partitionedLookups = new LinkedHashMap<>();
  private ColumnLayer layer;

  /**
   * @param tf the scope transformation ops are built in
   * @param features dense feature tensors by key
   * @param state where variables and lookup tables are registered
   */
  public TransformContext(Ops tf, Map<String, Operand<?>> features, StateManager state) {
    this(tf, features, Map.of(), state);
  }

  /**
   * @param sparseFeatures sparse features by key (e.g. VarLen features from tf.io.parse_example); a
   *     key may be dense or sparse, not both
   */
  public TransformContext(
      Ops tf,
      Map<String, Operand<?>> features,
      Map<String, SparseTensor<?>> sparseFeatures,
      StateManager state) {
    if (tf == null || features == null || sparseFeatures == null || state == null) {
      throw new IllegalArgumentException("tf, features, sparseFeatures and state are required");
    }
    for (String key : sparseFeatures.keySet()) {
      if (features.containsKey(key)) {
        throw new IllegalArgumentException(
            "Feature '" + key + "' is given both as a dense and as a sparse tensor; pass one.");
      }
    }
    this.tf = tf;
    this.features = new LinkedHashMap<>(features);
    this.sparseFeatures = new LinkedHashMap<>(sparseFeatures);
    this.state = state;
    this.layer = new ColumnLayer(tf);
  }

  public Ops tf() {
    return tf;
  }

  public StateManager state() {
    return state;
  }

  /** True if a dense or sparse feature of that key was given. */
  public boolean hasFeature(String key) {
    return features.containsKey(key) || sparseFeatures.containsKey(key);
  }

  /**
   * The dense feature {@code key}; rank 1 {@code [batch]} is returned as {@code [batch, 1]}.
   *
   * @throws IllegalArgumentException if the feature is missing (the message names the key, the
   *     column being built and the keys present), sparse, or a scalar
   */
  public Operand<?> feature(String key) {
    Operand<?> raw = features.get(key);
    if (raw == null) {
      if (sparseFeatures.containsKey(key)) {
        throw new IllegalArgumentException(
            "Feature '"
                + key
                + "' is sparse, but column '"
                + currentColumnName()
                + "' needs a dense tensor. Densify it first.");
      }
      throw missing(key);
    }
    return cachedKey(
        new RawKey(key),
        () -> {
          int rank = raw.shape().isUnknown() ? -1 : raw.shape().numDimensions();
          if (rank == 0) {
            throw new IllegalArgumentException(
                "Feature (key: "
                    + key
                    + ") cannot have rank 0; give it a batch dimension. Given: "
                    + raw.shape());
          }
          return rank == 1 ? tf.expandDims(raw, tf.constant(-1)) : raw;
        });
  }

  /**
   * Builds {@code compute} once per context for {@code column} (Python's transformation cache);
   * later calls return the first result.
   */
  public <T> T cached(FeatureColumn column, Supplier<T> compute) {
    building.push(column);
    try {
      return cachedKey(column, compute);
    } finally {
      building.pop();
    }
  }

  /**
   * The vocabulary-file constants built so far: op name (e.g. {@code occupation_lookup/
   * vocabulary_file}) to file. A SavedModel exporter maps each to an asset ({@code asset_file_def}
   * with tensor {@code <op name>:0}).
   */
  public Map<String, Path> vocabularyFiles() {
    return Collections.unmodifiableMap(vocabularyFiles);
  }

  // ---- package-private: used by the columns and layers of this package ----

  @SuppressWarnings("unchecked")
  <T> T cachedKey(Object key, Supplier<T> compute) {
    Object hit = cache.get(key);
    if (hit == null) {
      T value = compute.get();
      cache.put(key, value == null ? NULL : value);
      return value;
    }
    return hit == NULL ? null : (T) hit;
  }

  /** Like {@link #cached}, for one of several things a column builds ({@code purpose}). */
  <T> T cached(FeatureColumn column, String purpose, Supplier<T> compute) {
    building.push(column);
    try {
      return cachedKey(new PurposeKey(column, purpose), compute);
    } finally {
      building.pop();
    }
  }

  /** Like {@link #cached} but once per (column, layer): for columns that own variables. */
  <T> T cachedInLayer(FeatureColumn column, String purpose, Supplier<T> compute) {
    building.push(column);
    try {
      return cachedKey(new LayerKey(column, purpose, layer), compute);
    } finally {
      building.pop();
    }
  }

  /**
   * The sparse ids input of a categorical column: the sparse feature, or the dense one with missing
   * values dropped; rank 2, integer values as int64.
   */
  SparseTensor<?> categoricalInput(String key) {
    return cachedKey(
        new SparseKey(key),
        () -> {
          SparseTensor<?> sp = sparseFeatures.get(key);
          if (sp != null) {
            return SparseInputs.valuesToInt64(tf, SparseInputs.toRank2(tf, sp));
          }
          Operand<?> dense = feature(key);
          if (!SparseInputs.isStringOrInteger(dense.type())) {
            throw new IllegalArgumentException(
                "Column '"
                    + currentColumnName()
                    + "' needs string or integer values in feature '"
                    + key
                    + "', found "
                    + dense.type().getSimpleName()
                    + ".");
          }
          return SparseInputs.fromDense(tf, dense);
        });
  }

  /** The sparse feature {@code key} if it was given as sparse, else null. */
  SparseTensor<?> sparseFeature(String key) {
    return sparseFeatures.get(key);
  }

  /** The scope {@code <current layer>/<name>} for a column's variables and ops. */
  Ops columnScope(String name) {
    return layer.columnScope(name);
  }

  /** Creates {@code <current layer>/<scopeName>/<name>} through the state manager. */
  Variable<TFloat32> columnVariable(
      String scopeName, String name, Shape shape, Initializer init, boolean trainable) {
    Variable<TFloat32> v =
        state.createVariable(layer.columnScope(scopeName), name, shape, init, trainable);
    layer.record(v);
    return v;
  }

  /**
   * Creates {@code <current layer>/<scopeName>/<name>} in parts through the state manager, or
   * returns null when the state manager has no partitioner.
   */
  PartitionedVariable columnPartitionedVariable(
      String scopeName, String name, Shape shape, Initializer init, boolean trainable) {
    if (state.partitioner() == null) {
      return null;
    }
    PartitionedVariable v =
        state.createPartitionedVariable(layer.columnScope(scopeName), name, shape, init, trainable);
    v.parts().forEach(layer::record);
    return v;
  }

  /** Notes that the current layer uses {@code variable} (created by another layer). */
  void recordVariable(Variable<TFloat32> variable) {
    layer.record(variable);
  }

  /** Runs {@code body} with {@code inner} as the current layer. */
  <T> T inLayer(ColumnLayer inner, Supplier<T> body) {
    ColumnLayer outer = layer;
    layer = inner;
    try {
      return body.get();
    } finally {
      layer = outer;
    }
  }

  /**
   * By variable op name, the rows of each embedding variable the columns looked up (Python's
   * safe_embedding_lookup_sparse gathers them, so its gradient is an {@code IndexedSlices} over
   * these rows: the ids, and id 0 when an example has none); a shared embedding's lookups are
   * concatenated. Optimizers update only these rows where Python's sparse update differs from the
   * dense one. The ops computing the rows are built by this call (so graphs that do not train, such
   * as a serving graph, do not get them).
   */
  public Map<String, Operand<TInt64>> lookedUpRows() {
    Map<String, Operand<TInt64>> out = new LinkedHashMap<>();
    lookups.forEach(
        (name, list) -> {
          List<Operand<TInt64>> rows = new ArrayList<>();
          list.forEach(l -> rows.add(SparseInputs.lookedUpRows(l.scope(), l.ids())));
          out.put(name, rows.size() == 1 ? rows.get(0) : tf.concat(rows, tf.constant(0)));
        });
    partitionedLookups.forEach(
        (variable, list) -> {
          List<Operand<TInt64>> rows = new ArrayList<>();
          list.forEach(l -> rows.add(SparseInputs.lookedUpRows(l.scope(), l.ids())));
          Operand<TInt64> all = rows.size() == 1 ? rows.get(0) : tf.concat(rows, tf.constant(0));
          List<Operand<TInt64>> byPart = variable.rowsByPart(list.get(0).scope(), all);
          for (int i = 0; i < byPart.size(); i++) {
            out.put(variable.parts().get(i).op().name(), byPart.get(i));
          }
        });
    return Collections.unmodifiableMap(out);
  }

  /** Records that {@code ids} were looked up in the partitioned embedding {@code variable}. */
  void recordLookup(Ops scope, PartitionedVariable variable, SparseTensor<TInt64> ids) {
    partitionedLookups
        .computeIfAbsent(variable, k -> new ArrayList<>())
        .add(new Lookup(scope, ids));
  }

  /** Records that {@code ids} were looked up in the embedding {@code variable}. */
  void recordLookup(Ops scope, Variable<TFloat32> variable, SparseTensor<TInt64> ids) {
    lookups
        .computeIfAbsent(variable.op().name(), k -> new ArrayList<>())
        .add(new Lookup(scope, ids));
  }

  private record Lookup(Ops scope, SparseTensor<TInt64> ids) {}

  void registerVocabularyFile(String opName, Path file) {
    vocabularyFiles.put(opName, file);
  }

  private String currentColumnName() {
    return building.isEmpty() ? "(none)" : building.peek().name();
  }

  private IllegalArgumentException missing(String key) {
    TreeSet<String> present = new TreeSet<>(features.keySet());
    present.addAll(sparseFeatures.keySet());
    String user =
        building.size() > 1 ? " (building column '" + building.peekLast().name() + "')" : "";
    return new IllegalArgumentException(
        "Feature '"
            + key
            + "' is missing: column '"
            + currentColumnName()
            + "' needs it"
            + user
            + ". Features present: "
            + present
            + ". Check the keys the input function returns.");
  }

  private record RawKey(String key) {}

  private record SparseKey(String key) {}

  private record PurposeKey(FeatureColumn column, String purpose) {}

  private record LayerKey(FeatureColumn column, String purpose, ColumnLayer layer) {}
}
