package io.estimator4j.estimator;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.DoubleNdArray;
import org.tensorflow.ndarray.FloatNdArray;
import org.tensorflow.ndarray.IntNdArray;
import org.tensorflow.ndarray.LongNdArray;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Prediction outputs copied out of TensorFlow into Java arrays (no native memory is held): one
 * example, or a whole batch; the dicts yielded by tf.estimator.Estimator.predict.
 */
public final class Prediction {
  private final Map<String, NdArray<?>> values;

  Prediction(Map<String, NdArray<?>> values) {
    this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** Every output by prediction key. */
  public Map<String, NdArray<?>> values() {
    return values;
  }

  /** One output; an unknown key fails with the keys present. */
  public NdArray<?> get(String key) {
    NdArray<?> v = values.get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "No prediction '" + key + "'; prediction keys are " + values.keySet());
    }
    return v;
  }

  /** A float output, flattened. */
  public float[] floats(String key) {
    NdArray<?> v = get(key);
    if (v instanceof FloatNdArray f) {
      float[] out = new float[(int) f.size()];
      f.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
      return out;
    }
    throw typeError(key, "float32");
  }

  /** An integer output (int32 or int64), flattened. */
  public long[] longs(String key) {
    NdArray<?> v = get(key);
    if (v instanceof LongNdArray l) {
      long[] out = new long[(int) l.size()];
      l.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
      return out;
    }
    if (v instanceof IntNdArray i) {
      int[] tmp = new int[(int) i.size()];
      i.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(tmp, false, false));
      long[] out = new long[tmp.length];
      for (int k = 0; k < tmp.length; k++) {
        out[k] = tmp[k];
      }
      return out;
    }
    throw typeError(key, "int32 or int64");
  }

  /** A scalar numeric output as a double. */
  public double scalar(String key) {
    NdArray<?> v = get(key);
    if (v.size() != 1) {
      throw new IllegalArgumentException(
          "Prediction '" + key + "' has shape " + v.shape() + ", not a single value");
    }
    Object o = v.getObject(new long[v.rank()]);
    if (o instanceof Number n) {
      return n.doubleValue();
    }
    throw typeError(key, "numeric");
  }

  /** The example at {@code index} of a batch prediction (every output sliced on dimension 0). */
  public Prediction example(long index) {
    Map<String, NdArray<?>> one = new LinkedHashMap<>();
    values.forEach(
        (k, v) -> {
          if (v.rank() == 0) {
            throw new IllegalStateException("Prediction '" + k + "' is a scalar and has no batch");
          }
          one.put(k, v.get(index));
        });
    return new Prediction(one);
  }

  /** Batch size: dimension 0, equal across outputs. */
  public long batchSize() {
    long n = -1;
    for (Map.Entry<String, NdArray<?>> e : values.entrySet()) {
      if (e.getValue().rank() == 0) {
        throw new IllegalStateException(
            "Prediction '"
                + e.getKey()
                + "' is a scalar; yield_single_examples needs every "
                + "prediction to have a batch dimension. Fix: predict batches.");
      }
      long b = e.getValue().shape().size(0);
      if (n >= 0 && b != n) {
        throw new IllegalStateException(
            "Batch size differs across predictions ("
                + n
                + " vs "
                + b
                + " for '"
                + e.getKey()
                + "'). All predictions must share dimension 0 to yield single examples.");
      }
      n = b;
    }
    return n;
  }

  @Override
  public String toString() {
    return "Prediction" + values;
  }

  private IllegalArgumentException typeError(String key, String expected) {
    return new IllegalArgumentException(
        "Prediction '"
            + key
            + "' is not "
            + expected
            + "; it is "
            + values.get(key).getClass().getSimpleName());
  }

  /** Copies a tensor into heap memory. */
  static NdArray<?> copyOf(Tensor t) {
    if (t instanceof TFloat32 f) {
      FloatNdArray a = NdArrays.ofFloats(t.shape());
      f.copyTo(a);
      return a;
    }
    if (t instanceof TFloat64 d) {
      DoubleNdArray a = NdArrays.ofDoubles(t.shape());
      d.copyTo(a);
      return a;
    }
    if (t instanceof TInt64 l) {
      LongNdArray a = NdArrays.ofLongs(t.shape());
      l.copyTo(a);
      return a;
    }
    if (t instanceof TInt32 i) {
      IntNdArray a = NdArrays.ofInts(t.shape());
      i.copyTo(a);
      return a;
    }
    if (t instanceof TBool b) {
      var a = NdArrays.ofBooleans(t.shape());
      b.copyTo(a);
      return a;
    }
    if (t instanceof TString s) {
      NdArray<String> a = NdArrays.ofObjects(String.class, t.shape());
      s.copyTo(a);
      return a;
    }
    throw new IllegalArgumentException(
        "Predictions of dtype "
            + t.dataType()
            + " are not supported; cast them to float32, "
            + "int64 or string in the model function.");
  }
}
