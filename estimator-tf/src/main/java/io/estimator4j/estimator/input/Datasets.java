package io.estimator4j.estimator.input;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.framework.data.Dataset;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.data.MakeIterator;
import org.tensorflow.op.data.ShuffleDataset;
import org.tensorflow.op.random.AnonymousSeedGenerator;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TType;

/**
 * tf.data transformations that tensorflow-framework's {@link Dataset} lacks (shuffle, repeat,
 * prefetch, concatenate), built from TensorFlow's raw dataset ops.
 */
public final class Datasets {
  private static final Logger LOG = LoggerFactory.getLogger(Datasets.class);

  private Datasets() {}

  /**
   * Checks the files of an input that reads files: at least one, each an existing regular file.
   *
   * @param input the input's name in the messages, e.g. {@code CsvInput}
   * @param kind what the files hold, e.g. {@code CSV}
   * @throws IllegalArgumentException naming the first file that is missing
   */
  static void checkFiles(List<Path> files, String input, String kind) {
    if (files.isEmpty()) {
      throw new IllegalArgumentException(input + " needs at least one file");
    }
    for (Path f : files) {
      if (!Files.isRegularFile(f)) {
        throw new IllegalArgumentException(
            kind
                + " file "
                + f.toAbsolutePath()
                + " does not exist or is not a file. Fix: pass the path of an existing "
                + kind
                + " file.");
      }
    }
  }

  /** Whether one input file holds any data; IOExceptions name the file. */
  @FunctionalInterface
  interface DataCheck {
    boolean hasData(Path file) throws IOException;
  }

  /**
   * Checks that the files of an input hold data: fails when none does (training would run no step
   * and evaluation would report metrics of 0 batches), warns naming the files that hold none when
   * only some are empty.
   *
   * @param input the input's name in the messages, e.g. {@code CsvInput}
   * @param none what an empty file holds, e.g. {@code "no data rows (it is empty or holds only its
   *     header)"}
   * @throws IllegalArgumentException when no file holds data, or a file cannot be read
   */
  static void checkHasData(List<Path> files, String input, String none, DataCheck check) {
    List<Path> empty = new ArrayList<>();
    for (Path f : files) {
      try {
        if (!check.hasData(f)) {
          empty.add(f.toAbsolutePath());
        }
      } catch (IOException e) {
        throw new IllegalArgumentException(input + " cannot read its input: " + e.getMessage(), e);
      }
    }
    if (empty.size() == files.size()) {
      throw new IllegalArgumentException(
          input
              + " has no data: "
              + (empty.size() == 1 ? "its file " + empty.get(0) : "each of its files " + empty)
              + " holds "
              + none
              + ". Training would run no step and evaluation would report"
              + " metrics of 0 batches. Fix: pass files that hold data.");
    }
    if (!empty.isEmpty()) {
      LOG.warn(
          "{}: {} of its {} files hold no data ({}) and add nothing: {}",
          input,
          empty.size(),
          files.size(),
          none,
          empty);
    }
  }

  /** Wraps a dataset variant tensor. */
  public static Dataset wrap(
      Ops tf, Operand<?> variant, List<Class<? extends TType>> types, List<Shape> shapes) {
    return new Dataset(tf, variant, types, shapes) {};
  }

  /** dataset.shuffle(bufferSize, seed, reshuffle_each_iteration=True). */
  public static Dataset shuffle(Dataset ds, long bufferSize, Long seed) {
    Ops tf = ds.getOpsInstance();
    long s = seed == null ? 0L : seed;
    long s2 = seed == null ? 0L : seed * 31 + 7;
    Operand<TInt64> seedOp = tf.constant(s);
    Operand<TInt64> seed2Op = tf.constant(s2);
    AnonymousSeedGenerator gen =
        tf.random.anonymousSeedGenerator(seedOp, seed2Op, tf.constant(true));
    Operand<?> v =
        tf.data.shuffleDataset(
            ds.getVariant(),
            tf.constant(bufferSize),
            seedOp,
            seed2Op,
            gen.handle(),
            ds.getOutputTypes(),
            ds.getOutputShapes(),
            ShuffleDataset.reshuffleEachIteration(true));
    return wrap(tf, v, ds.getOutputTypes(), ds.getOutputShapes());
  }

  /** dataset.repeat(count); a null or negative count repeats forever. */
  public static Dataset repeat(Dataset ds, Long count) {
    Ops tf = ds.getOpsInstance();
    Operand<?> v =
        tf.data.repeatDataset(
            ds.getVariant(),
            tf.constant(count == null || count < 0 ? -1L : count),
            ds.getOutputTypes(),
            ds.getOutputShapes());
    return wrap(tf, v, ds.getOutputTypes(), ds.getOutputShapes());
  }

  /** dataset.prefetch(bufferSize); -1 lets TensorFlow tune it (AUTOTUNE). */
  public static Dataset prefetch(Dataset ds, long bufferSize) {
    Ops tf = ds.getOpsInstance();
    Operand<?> v =
        tf.data.prefetchDataset(
            ds.getVariant(), tf.constant(bufferSize), ds.getOutputTypes(), ds.getOutputShapes());
    return wrap(tf, v, ds.getOutputTypes(), ds.getOutputShapes());
  }

  /** a.concatenate(b); both must have the same structure. */
  public static Dataset concatenate(Dataset a, Dataset b) {
    Ops tf = a.getOpsInstance();
    Operand<?> v =
        tf.data.concatenateDataset(
            a.getVariant(), b.getVariant(), a.getOutputTypes(), a.getOutputShapes());
    return wrap(tf, v, a.getOutputTypes(), a.getOutputShapes());
  }

  /**
   * Makes an initializable iterator, registers its initializer with the context (so each session
   * start begins the data again) and returns the next-element tensors.
   */
  public static List<Operand<?>> iterate(InputContext ctx, Dataset ds) {
    return iterate(ctx, ds, Map.of());
  }

  /**
   * Like {@link #iterate(InputContext, Dataset)}, for a dataset built from placeholders: the
   * initializer is registered with the tensors to feed them.
   *
   * <p>The MakeIterator op is built here in the ordinary scope. tensorflow-framework's {@code
   * makeInitializeableIterator()} builds it in the init scope, which registers it as a graph
   * initializer: {@code Session.initialize()} then ran it before the context's initializers and
   * without their feeds, so every placeholder-fed pipeline (ArrayInput) failed with "You must feed
   * a value for placeholder tensor" (and file pipelines opened their files twice).
   */
  public static List<Operand<?>> iterate(
      InputContext ctx, Dataset ds, Map<? extends Operand<?>, Supplier<Tensor>> feeds) {
    Ops tf = ds.getOpsInstance();
    org.tensorflow.op.data.Iterator iterator =
        tf.data.iterator("", "", ds.getOutputTypes(), ds.getOutputShapes());
    MakeIterator init = tf.data.makeIterator(ds.getVariant(), iterator);
    ctx.addInitializer(init, feeds);
    List<Operand<?>> next = new ArrayList<>();
    tf.data.iteratorGetNext(iterator, ds.getOutputTypes(), ds.getOutputShapes()).forEach(next::add);
    return next;
  }
}
