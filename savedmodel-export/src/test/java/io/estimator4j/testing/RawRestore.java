package io.estimator4j.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.train.Restore;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * Reads checkpoint tensors with TensorFlow's own RestoreV2 kernel (the op Python's Saver and
 * tf.train.load_checkpoint run), independently of this project's checkpoint readers.
 */
public final class RawRestore {
  private RawRestore() {}

  /**
   * Restores {@code names} from the checkpoint {@code prefix}.
   *
   * @param names tensor name to its type (TFloat32.class, TInt64.class, ...)
   * @return the values by name, as float[] for float32 and long[] for int64 tensors (flattened)
   */
  public static Map<String, Object> read(String prefix, Map<String, Class<? extends TType>> names) {
    List<String> keys = new ArrayList<>(names.keySet());
    List<Class<? extends TType>> types = new ArrayList<>();
    keys.forEach(k -> types.add(names.get(k)));
    String[] slices = new String[keys.size()];
    java.util.Arrays.fill(slices, "");
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Restore restore =
          tf.train.restore(
              tf.constant(prefix),
              tf.constant(NdArrays.vectorOfObjects(keys.toArray(new String[0]))),
              tf.constant(NdArrays.vectorOfObjects(slices)),
              types);
      Session.Runner r = s.runner();
      for (Operand<?> t : restore.tensors()) {
        r.fetch(t);
      }
      Map<String, Object> out = new LinkedHashMap<>();
      try (Result result = r.run()) {
        for (int i = 0; i < keys.size(); i++) {
          out.put(keys.get(i), values(result.get(i)));
        }
      }
      return out;
    }
  }

  /** A float32 tensor as float[], an int64 one as long[] (flattened, row-major). */
  public static Object values(Tensor t) {
    if (t instanceof TFloat32 f) {
      float[] a = new float[(int) f.size()];
      f.copyTo(DataBuffers.of(a, false, false));
      return a;
    }
    if (t instanceof TInt64 l) {
      long[] a = new long[(int) l.size()];
      l.copyTo(DataBuffers.of(a, false, false));
      return a;
    }
    throw new IllegalArgumentException("Unsupported tensor type " + t.dataType());
  }
}
