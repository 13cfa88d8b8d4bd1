package io.estimator4j.featurecolumn.parsing;

import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * The result of parsing a batch of tf.Examples: dense tensors for FixedLen features and sparse
 * tensors for VarLen features, as tf.io.parse_example returns them.
 *
 * @param dense FixedLen features, shape [batch] + feature shape
 * @param sparse VarLen features (indices [n, 2], values [n], dense_shape [2])
 */
public record ParsedFeatures(Map<String, Operand<?>> dense, Map<String, SparseTensor<?>> sparse) {

  /**
   * Every feature as a dense tensor: VarLen features become [batch, max_len], padded with -1
   * (int64), "" (string) or 0 (float) - the values feature columns treat as missing.
   */
  public Map<String, Operand<?>> densified(Ops tf) {
    Map<String, Operand<?>> all = new LinkedHashMap<>(dense);
    sparse.forEach((k, s) -> all.put(k, densify(tf, s)));
    return all;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Operand<?> densify(Ops tf, SparseTensor<?> s) {
    Class<? extends TType> t = s.getValues().type();
    Operand<?> fill =
        t == TString.class
            ? tf.constant("")
            : t == TInt64.class ? tf.constant(-1L) : tf.constant(0f);
    return tf.sparse.sparseToDense(
        s.getIndices(), s.getDenseShape(), (Operand) s.getValues(), (Operand) fill);
  }
}
