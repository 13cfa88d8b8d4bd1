package io.estimator4j.graph;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Test helper: runs an operand and reads its float32 values back, flattened row-major. */
final class Fetched {
  private Fetched() {}

  static float[] floats(Session session, Operand<?> operand) {
    try (Result result = session.runner().fetch(operand).run()) {
      TFloat32 t = (TFloat32) result.get(0);
      float[] out = new float[(int) t.size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }
}
