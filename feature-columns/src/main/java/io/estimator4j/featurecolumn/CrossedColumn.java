package io.estimator4j.featurecolumn;

import io.estimator4j.featurecolumn.parsing.FeatureSpec;
import io.estimator4j.featurecolumn.parsing.VarLenFeature;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.OperationBuilder;
import org.tensorflow.Output;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.op.Operands;
import org.tensorflow.op.Ops;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Hashed crosses of categorical features; Java counterpart of tf.feature_column.crossed_column. Ids
 * are TensorFlow's SparseCross op with {@code hashed_output=true}, {@code num_buckets} and {@code
 * hash_key} (FingerprintCat64 of the Fingerprint64 of each value), exactly what Python's
 * sparse_cross_hashed builds, so ids equal Python's.
 *
 * <p>Keys are feature names (their values, missing ones dropped) or categorical columns (their ids;
 * nested crossed columns are flattened). Hashed columns and weighted columns cannot be crossed.
 */
public final class CrossedColumn extends AbstractCategoricalColumn {
  /** Python's sparse_ops._DEFAULT_HASH_KEY. */
  public static final long DEFAULT_HASH_KEY = 0xDECAFCAFFEL;

  private final List<Object> keys;
  private final long hashBucketSize;
  private final long hashKey;

  CrossedColumn(List<?> keys, long hashBucketSize, Long hashKey) {
    if (hashBucketSize < 1) {
      throw new IllegalArgumentException(
          "hash_bucket_size must be > 1. hash_bucket_size: " + hashBucketSize);
    }
    if (keys == null || keys.size() < 2) {
      throw new IllegalArgumentException(
          "keys must be a list with length > 1. Given: " + keys + ". Cross at least two features.");
    }
    for (Object key : keys) {
      if (key instanceof HashedColumn) {
        throw new IllegalArgumentException(
            "categorical_column_with_hash_bucket is not supported"
                + " for crossing. Hashing before crossing will increase probability of collision."
                + " Instead, use the feature name as a string. Given: "
                + key);
      }
      if (key instanceof WeightedCategoricalColumn) {
        throw new IllegalArgumentException(
            "crossed_column does not support weight_tensor, but"
                + " the given column populates weight_tensor. Given column: "
                + ((WeightedCategoricalColumn) key).name());
      }
      if (key instanceof String s) {
        FeatureColumns.checkKey(s);
      } else if (!(key instanceof CategoricalColumn)) {
        throw new IllegalArgumentException(
            "Unsupported key type. All keys must be either string,"
                + " or categorical column except HashedCategoricalColumn. Given: "
                + key);
      }
    }
    this.keys = Collections.unmodifiableList(new ArrayList<>(keys));
    this.hashBucketSize = hashBucketSize;
    this.hashKey = hashKey == null ? DEFAULT_HASH_KEY : hashKey;
  }

  /** The keys as given: feature names and categorical columns. */
  public List<Object> keys() {
    return keys;
  }

  public long hashBucketSize() {
    return hashBucketSize;
  }

  public long hashKey() {
    return hashKey;
  }

  /** The keys with nested crossed columns flattened, in order. */
  public List<Object> leafKeys() {
    List<Object> out = new ArrayList<>();
    for (Object k : keys) {
      if (k instanceof CrossedColumn c) {
        out.addAll(c.leafKeys());
      } else {
        out.add(k);
      }
    }
    return out;
  }

  /** The sorted leaf names joined by {@code _X_}, e.g. {@code a_bucketized_X_c_X_d1_X_d2}. */
  @Override
  public String name() {
    List<String> names = new ArrayList<>();
    for (Object k : leafKeys()) {
      names.add(k instanceof String s ? s : ((FeatureColumn) k).name());
    }
    Collections.sort(names);
    return String.join("_X_", names);
  }

  @Override
  public long numBuckets() {
    return hashBucketSize;
  }

  @Override
  public Map<String, FeatureSpec> parseSpec() {
    Map<String, FeatureSpec> spec = new LinkedHashMap<>();
    for (Object k : keys) {
      if (k instanceof FeatureColumn c) {
        spec.putAll(c.parseSpec());
      } else {
        spec.put((String) k, new VarLenFeature(TString.class));
      }
    }
    return spec;
  }

  @Override
  SparseTensor<TInt64> transformIds(TransformContext ctx) {
    List<SparseTensor<?>> inputs = new ArrayList<>();
    for (Object k : leafKeys()) {
      if (k instanceof String s) {
        inputs.add(ctx.categoricalInput(s));
      } else if (k instanceof AbstractCategoricalColumn c) {
        inputs.add(c.rawIds(ctx));
      } else {
        inputs.add(((CategoricalColumn) k).sparseIds(ctx).ids());
      }
    }
    return sparseCrossHashed(ctx.tf(), inputs);
  }

  /** gen_sparse_ops.sparse_cross(hashed_output=True, ...) over sparse inputs (int64 or string). */
  private SparseTensor<TInt64> sparseCrossHashed(Ops tf, List<SparseTensor<?>> inputs) {
    List<Operand<?>> indices = new ArrayList<>();
    List<Operand<?>> values = new ArrayList<>();
    List<Operand<?>> shapes = new ArrayList<>();
    List<DataType> types = new ArrayList<>();
    DataType internal = DataType.DT_STRING;
    for (SparseTensor<?> sp : inputs) {
      indices.add(sp.getIndices());
      values.add(sp.getValues());
      shapes.add(sp.getDenseShape());
      DataType t = Operands.toDataType(sp.getValues().type());
      types.add(t);
      if (t != DataType.DT_STRING) {
        internal = DataType.DT_INT64;
      }
    }
    OperationBuilder b = tf.scope().opBuilder("SparseCross", "SparseCross");
    b.addInputList(asOutputs(indices));
    b.addInputList(asOutputs(values));
    b.addInputList(asOutputs(shapes));
    b.addInputList(new Output<?>[0]);
    b.setAttr("N", (long) inputs.size());
    b.setAttr("hashed_output", true);
    b.setAttr("num_buckets", hashBucketSize);
    b.setAttr("hash_key", hashKey);
    b.setAttr("sparse_types", types.toArray(new DataType[0]));
    b.setAttr("dense_types", new DataType[0]);
    b.setAttr("out_type", DataType.DT_INT64);
    b.setAttr("internal_type", internal);
    GraphOperation op = (GraphOperation) b.build();
    Output<TInt64> outIndices = op.output(0);
    Output<TInt64> outValues = op.output(1);
    Output<TInt64> outShape = op.output(2);
    return new SparseTensor<>(outIndices, outValues, outShape);
  }

  private static Output<?>[] asOutputs(List<Operand<?>> operands) {
    Output<?>[] out = new Output<?>[operands.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = operands.get(i).asOutput();
    }
    return out;
  }
}
