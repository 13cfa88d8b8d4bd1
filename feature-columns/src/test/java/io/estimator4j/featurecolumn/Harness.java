package io.estimator4j.featurecolumn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.utils.SparseTensor;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/** Test helper: a graph, a state manager, a session started after building, and fetches. */
final class Harness implements AutoCloseable {
  final Graph graph = new Graph();
  final Ops tf = Ops.create(graph);
  final DefaultStateManager state = new DefaultStateManager();
  final Map<String, Operand<?>> features = new LinkedHashMap<>();
  private Session session;

  /** A context over the features added so far. */
  TransformContext ctx() {
    return new TransformContext(tf, features, state);
  }

  Harness feature(String key, Operand<?> value) {
    features.put(key, value);
    return this;
  }

  Harness strings(String key, String[][] values) {
    return feature(key, strings2d(values));
  }

  Operand<TString> strings2d(String[][] values) {
    int rows = values.length;
    int cols = values[0].length;
    var nd = NdArrays.ofObjects(String.class, Shape.of(rows, cols));
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        nd.setObject(values[i][j], i, j);
      }
    }
    return tf.constant(nd);
  }

  /** Starts the session: runs variable initializers, then table initializers. */
  Session session() {
    if (session == null) {
      session = new Session(graph);
      session.initialize();
      if (!state.tableInitializers().isEmpty()) {
        Session.Runner r = session.runner();
        for (Op op : state.tableInitializers()) {
          r.addTarget(op);
        }
        r.run().close();
      }
    }
    return session;
  }

  float[] floats(Operand<?> operand) {
    try (Result result = session().runner().fetch(operand).run()) {
      TFloat32 t = (TFloat32) result.get(0);
      float[] out = new float[(int) t.size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  long[] longs(Operand<?> operand) {
    try (Result result = session().runner().fetch(operand).run()) {
      TInt64 t = (TInt64) result.get(0);
      long[] out = new long[(int) t.size()];
      t.copyTo(DataBuffers.of(out, false, false));
      return out;
    }
  }

  List<String> stringValues(Operand<?> operand) {
    try (Result result = session().runner().fetch(operand).run()) {
      TString t = (TString) result.get(0);
      List<String> out = new ArrayList<>();
      t.scalars().forEach(s -> out.add(s.getObject()));
      return out;
    }
  }

  /** Evaluated sparse ids: indices flattened row-major ([i0, j0, i1, j1, ...]). */
  Sparse sparse(SparseTensor<TInt64> sp) {
    return new Sparse(longs(sp.getIndices()), longs(sp.getValues()), longs(sp.getDenseShape()));
  }

  record Sparse(long[] indices, long[] values, long[] denseShape) {}

  @Override
  public void close() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }
}
