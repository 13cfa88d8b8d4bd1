package io.estimator4j.featurecolumn.parsing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tensorflow.Operand;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.io.ParseExample;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TNumber;
import org.tensorflow.types.family.TType;

/**
 * Parses a batch of serialized tf.Example protos with TensorFlow's ParseExampleV2 op; Java
 * counterpart of tf.io.parse_example.
 */
public final class ExampleParser {
  private ExampleParser() {}

  /**
   * Adds the parse op. Keys are processed in sorted order, as TensorFlow does.
   *
   * @param serialized a string vector of serialized tf.Example protos
   * @param spec feature name to spec
   */
  public static ParsedFeatures parse(
      Ops tf, Operand<TString> serialized, Map<String, ? extends FeatureSpec> spec) {
    TreeMap<String, FeatureSpec> sorted = new TreeMap<>(spec);
    List<String> sparseKeys = new ArrayList<>();
    List<Class<? extends TType>> sparseTypes = new ArrayList<>();
    List<String> denseKeys = new ArrayList<>();
    List<Operand<?>> denseDefaults = new ArrayList<>();
    List<Shape> denseShapes = new ArrayList<>();
    for (var e : sorted.entrySet()) {
      if (e.getValue() instanceof VarLenFeature v) {
        sparseKeys.add(e.getKey());
        sparseTypes.add(v.dtype());
      } else {
        FixedLenFeature f = (FixedLenFeature) e.getValue();
        denseKeys.add(e.getKey());
        denseShapes.add(Shape.of(f.shape()));
        denseDefaults.add(defaultOf(tf, f));
      }
    }
    ParseExample parsed =
        tf.io.parseExample(
            serialized,
            strings(tf, List.of()),
            strings(tf, sparseKeys),
            strings(tf, denseKeys),
            strings(tf, List.of()),
            denseDefaults,
            (long) sparseKeys.size(),
            sparseTypes,
            List.of(),
            List.<Class<? extends TNumber>>of(),
            denseShapes);
    Map<String, Operand<?>> dense = new LinkedHashMap<>();
    for (int i = 0; i < denseKeys.size(); i++) {
      dense.put(denseKeys.get(i), parsed.denseValues().get(i));
    }
    Map<String, SparseTensor<?>> sparse = new LinkedHashMap<>();
    for (int i = 0; i < sparseKeys.size(); i++) {
      sparse.put(
          sparseKeys.get(i),
          new SparseTensor<>(
              parsed.sparseIndices().get(i),
              parsed.sparseValues().get(i),
              parsed.sparseShapes().get(i)));
    }
    return new ParsedFeatures(dense, sparse);
  }

  /**
   * A string vector constant, possibly empty. NdArrays.vectorOfObjects rejects zero-length input
   * ("Null or zero length input supplied to vectorOfObjects"), and ParseExampleV2 always takes
   * empty key lists (names, ragged keys, and sparse or dense keys when a spec has none), so every
   * parse used to fail while the graph was built.
   */
  private static Operand<TString> strings(Ops tf, List<String> values) {
    return values.isEmpty()
        ? tf.constant(NdArrays.ofObjects(String.class, Shape.of(0)))
        : tf.constant(NdArrays.vectorOfObjects(values.toArray(new String[0])));
  }

  private static Operand<?> defaultOf(Ops tf, FixedLenFeature f) {
    Object d = f.defaultValue();
    Class<? extends TType> t = f.dtype();
    if (d == null) {
      if (t == TFloat32.class) {
        return tf.constant(new float[0]);
      }
      if (t == TInt64.class) {
        return tf.constant(new long[0]);
      }
      return strings(tf, List.of());
    }
    Shape shape = Shape.of(f.shape());
    if (t == TFloat32.class) {
      return tf.fill(tf.constant(shape), tf.constant(((Number) d).floatValue()));
    }
    if (t == TInt64.class) {
      return tf.fill(tf.constant(shape), tf.constant(((Number) d).longValue()));
    }
    return tf.fill(tf.constant(shape), tf.constant((String) d));
  }
}
