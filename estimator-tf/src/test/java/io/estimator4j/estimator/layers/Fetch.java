package io.estimator4j.estimator.layers;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/** Test helper: runs ops and reads tensors back as Java arrays. */
public final class Fetch {
  private Fetch() {}

  /** Runs {@code targets} once. */
  public static void run(Session session, Op... targets) {
    Session.Runner runner = session.runner();
    for (Op target : targets) {
      runner.addTarget(target);
    }
    runner.run().close();
  }

  /** The values of a float32 operand, flattened row-major. */
  public static float[] floats(Session session, Operand<?> operand) {
    return floats(session.runner(), operand);
  }

  /** The values of a float32 operand with the runner's feeds, flattened row-major. */
  public static float[] floats(Session.Runner runner, Operand<?> operand) {
    try (Result result = runner.fetch(operand).run()) {
      Tensor t = result.get(0);
      TFloat32 f = (TFloat32) t;
      float[] out = new float[(int) f.size()];
      f.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  /** The value of a float32 scalar. */
  public static float scalar(Session session, Operand<?> operand) {
    return floats(session, operand)[0];
  }

  /** The value of an int64 scalar. */
  public static long int64(Session session, Operand<?> operand) {
    try (Result result = session.runner().fetch(operand).run()) {
      return ((TInt64) result.get(0)).getLong();
    }
  }
}
