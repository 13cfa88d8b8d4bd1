package io.estimator4j.samples.bench;

import io.estimator4j.keras.KerasModel;
import io.estimator4j.keras.KerasModelFile;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.types.TFloat32;

/**
 * One load of a Keras model in the JVM that runs it, as a user's program does it first: {@code
 * KerasModelFile.read}, {@code KerasModel.build} (TensorFlow's native library loads here, with the
 * first graph), {@code session()} (the stored weights are fed) and one {@code predict} of zeros,
 * batch 1. Prints one line, {@code e4j-load jvm=S read=S build=S session=S predict=S total=S}, in
 * seconds; {@code jvm} is the JVM's uptime when {@code main} started, {@code total} the time from
 * there to the prediction. {@link KerasAppsBenchmark#freshJvm} runs it in fresh JVMs.
 *
 * <p>Arguments: {@code MODEL} (.h5, .keras or .json) or {@code ARCHITECTURE.json WEIGHTS.h5}.
 */
public final class KerasLoadMain {
  /** The prefix of the line this prints. */
  static final String PREFIX = "e4j-load ";

  private KerasLoadMain() {}

  public static void main(String[] args) throws IOException {
    long start = System.nanoTime();
    double jvm = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
    if (args.length < 1 || args.length > 2) {
      throw new IllegalArgumentException(
          "Give MODEL (.h5, .keras, .json) or ARCHITECTURE.json WEIGHTS.h5; got "
              + args.length
              + " arguments.");
    }
    KerasModelFile file =
        args.length == 1
            ? KerasModelFile.read(Path.of(args[0]))
            : KerasModelFile.read(Path.of(args[0]), Path.of(args[1]));
    long read = System.nanoTime();
    try (KerasModel model = KerasModel.build(file)) {
      long build = System.nanoTime();
      model.session();
      long session = System.nanoTime();
      Map<String, Tensor> feeds = new LinkedHashMap<>();
      try {
        for (Map.Entry<String, Operand<?>> in : model.inputs().entrySet()) {
          long[] dims = in.getValue().shape().asArray();
          for (int i = 0; i < dims.length; i++) {
            dims[i] = Math.max(dims[i], 1); // batch 1, unknown sizes 1
          }
          feeds.put(in.getKey(), TFloat32.tensorOf(Shape.of(dims)));
        }
        model.predict(feeds).values().forEach(Tensor::close);
      } finally {
        feeds.values().forEach(Tensor::close);
      }
      long predict = System.nanoTime();
      System.out.printf(
          Locale.ROOT,
          "%sjvm=%.3f read=%.3f build=%.3f session=%.3f predict=%.3f total=%.3f%n",
          PREFIX,
          jvm,
          (read - start) / 1e9,
          (build - read) / 1e9,
          (session - build) / 1e9,
          (predict - session) / 1e9,
          (predict - start) / 1e9);
    }
  }
}
