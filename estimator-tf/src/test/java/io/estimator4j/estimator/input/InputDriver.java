package io.estimator4j.estimator.input;

import io.estimator4j.estimator.modelfn.ModeKeys;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.exceptions.TFOutOfRangeException;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * Runs an {@link InputFn} in a real TensorFlow session the way the Estimator does (build in a new
 * graph, initialise, run the context's initialisers with their feeds, fetch features and labels
 * until {@link TFOutOfRangeException}) and copies every batch into Java arrays.
 *
 * <p>Each tensor becomes the Java array matching its dtype and rank, so the array's class also
 * tells the dtype: TFloat32 {@code float[]} / {@code float[][]}, TFloat64 {@code double[]} / {@code
 * double[][]}, TInt32 {@code int[]} / {@code int[][]}, TInt64 {@code long[]} / {@code long[][]},
 * TString {@code String[]} / {@code String[][]}.
 */
final class InputDriver {

  /** Guard against an input that never ends: more batches than this fail the test. */
  static final int MAX_BATCHES = 10_000;

  private InputDriver() {}

  /**
   * One batch.
   *
   * @param features feature arrays by name, in the order the input returned them
   * @param labels label arrays by name ({@link Input#LABELS_KEY} for a single labels tensor)
   */
  record Batch(Map<String, Object> features, Map<String, Object> labels) {

    /** The feature {@code name}; fails if the batch has no such feature. */
    Object feature(String name) {
      if (!features.containsKey(name)) {
        throw new AssertionError("No feature '" + name + "' in " + features.keySet());
      }
      return features.get(name);
    }

    /** The single labels tensor; fails if there is none. */
    Object label() {
      if (!labels.containsKey(Input.LABELS_KEY)) {
        throw new AssertionError("No labels in this batch: " + labels.keySet());
      }
      return labels.get(Input.LABELS_KEY);
    }

    /** Number of examples in the batch (first dimension of the first feature). */
    int size() {
      return java.lang.reflect.Array.getLength(features.values().iterator().next());
    }
  }

  /** Everything an input yields, with no seed. Fails if it yields more than MAX_BATCHES. */
  static List<Batch> readAll(InputFn inputFn, ModeKeys mode) {
    return read(inputFn, mode, null, MAX_BATCHES, true);
  }

  /** Everything an input yields with the run's seed set to {@code seed}. */
  static List<Batch> readAll(InputFn inputFn, ModeKeys mode, Long seed) {
    return read(inputFn, mode, seed, MAX_BATCHES, true);
  }

  /** The first {@code count} batches; fails if the input ends before. */
  static List<Batch> readFirst(InputFn inputFn, ModeKeys mode, int count) {
    List<Batch> batches = read(inputFn, mode, null, count, false);
    if (batches.size() < count) {
      throw new AssertionError(
          "Input ended after " + batches.size() + " batches; expected at least " + count);
    }
    return batches;
  }

  private static List<Batch> read(
      InputFn inputFn, ModeKeys mode, Long seed, int maxBatches, boolean mustEnd) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      InputContext ctx = new InputContext(tf, mode, seed);
      Input in = inputFn.build(ctx);
      try (Session s = new Session(g, false)) {
        s.initialize();
        for (InputContext.Initializer init : ctx.initializers()) {
          init.run(s);
        }
        List<Batch> batches = new ArrayList<>();
        while (batches.size() < maxBatches) {
          Session.Runner runner = s.runner();
          in.features().values().forEach(runner::fetch);
          in.labels().values().forEach(runner::fetch);
          try (Result r = runner.run()) {
            batches.add(toBatch(in, r));
          } catch (TFOutOfRangeException end) {
            return batches;
          }
        }
        if (mustEnd) {
          throw new AssertionError("Input did not end after " + maxBatches + " batches");
        }
        return batches;
      }
    }
  }

  private static Batch toBatch(Input in, Result r) {
    int i = 0;
    Map<String, Object> features = new LinkedHashMap<>();
    for (String name : in.features().keySet()) {
      features.put(name, toJava(r.get(i++)));
    }
    Map<String, Object> labels = new LinkedHashMap<>();
    for (String name : in.labels().keySet()) {
      labels.put(name, toJava(r.get(i++)));
    }
    return new Batch(features, labels);
  }

  /** Copies a rank-1 or rank-2 tensor into the matching Java array (a rank-4 float32 one too). */
  static Object toJava(Tensor t) {
    int rank = t.shape().numDimensions();
    if (rank == 4 && t instanceof TFloat32 f) {
      return StdArrays.array4dCopyOf(f);
    }
    if (rank != 1 && rank != 2) {
      throw new AssertionError("Expected a batch of rank 1 or 2, got shape " + t.shape());
    }
    boolean vector = rank == 1;
    if (t instanceof TFloat32 f) {
      return vector ? StdArrays.array1dCopyOf(f) : StdArrays.array2dCopyOf(f);
    }
    if (t instanceof TFloat64 d) {
      return vector ? StdArrays.array1dCopyOf(d) : StdArrays.array2dCopyOf(d);
    }
    if (t instanceof TInt32 n) {
      return vector ? StdArrays.array1dCopyOf(n) : StdArrays.array2dCopyOf(n);
    }
    if (t instanceof TInt64 n) {
      return vector ? StdArrays.array1dCopyOf(n) : StdArrays.array2dCopyOf(n);
    }
    if (t instanceof TString s) {
      return vector
          ? StdArrays.array1dCopyOf(s, String.class)
          : StdArrays.array2dCopyOf(s, String.class);
    }
    throw new AssertionError("Unexpected dtype " + t.dataType());
  }

  // ---- helpers that join a column over all batches --------------------------------------------

  /** A float32 vector feature (or labels, with name {@code null}) joined over all batches. */
  static float[] floats(List<Batch> batches, String name) {
    List<float[]> parts = new ArrayList<>();
    for (Batch b : batches) {
      parts.add((float[]) (name == null ? b.label() : b.feature(name)));
    }
    int n = parts.stream().mapToInt(p -> p.length).sum();
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  /** An int32 vector feature (or labels, with name {@code null}) joined over all batches. */
  static int[] ints(List<Batch> batches, String name) {
    List<int[]> parts = new ArrayList<>();
    for (Batch b : batches) {
      parts.add((int[]) (name == null ? b.label() : b.feature(name)));
    }
    return parts.stream().flatMapToInt(java.util.Arrays::stream).toArray();
  }

  /** An int64 vector feature (or labels, with name {@code null}) joined over all batches. */
  static long[] longs(List<Batch> batches, String name) {
    List<long[]> parts = new ArrayList<>();
    for (Batch b : batches) {
      parts.add((long[]) (name == null ? b.label() : b.feature(name)));
    }
    return parts.stream().flatMapToLong(java.util.Arrays::stream).toArray();
  }

  /** A string vector feature (or labels, with name {@code null}) joined over all batches. */
  static List<String> strings(List<Batch> batches, String name) {
    List<String> out = new ArrayList<>();
    for (Batch b : batches) {
      out.addAll(List.of((String[]) (name == null ? b.label() : b.feature(name))));
    }
    return out;
  }

  /** Batch sizes, in order. */
  static List<Integer> sizes(List<Batch> batches) {
    return batches.stream().map(Batch::size).toList();
  }
}
