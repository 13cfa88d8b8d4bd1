package io.estimator4j.samples.bench;

import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.estimator.layers.Activation;
import io.estimator4j.estimator.layers.Dense;
import io.estimator4j.estimator.layers.DenseLayer;
import io.estimator4j.estimator.modelfn.EstimatorSpec;
import io.estimator4j.estimator.modelfn.ModelFn;
import io.estimator4j.estimator.optimizer.Adagrad;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.tensorflow.Operand;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.family.TNumber;

/**
 * A benchmark network and its synthetic data: dense ReLU layers, logits, softmax cross-entropy and
 * Adagrad(0.1), the shape of TensorFlow's custom-estimator iris example. The graph is built by one
 * method, {@link #build}, which the model function and the hand-written session loop both call, so
 * the two sides of {@link TrainBenchmark} run the same ops.
 *
 * @param name name shown in the results
 * @param inputDim width of the single float feature {@value #FEATURE}
 * @param hidden units of each hidden layer
 * @param classes number of classes (logits)
 * @param batchSize examples per step
 * @param rows examples in the synthetic data set (repeated forever)
 */
public record BenchModel(
    String name, int inputDim, List<Integer> hidden, int classes, int batchSize, int rows) {

  /**
   * 4 -> 3, batch 1: so little work that a step is mostly the cost of a session run, which makes
   * the loop's own per-step cost visible.
   */
  public static final BenchModel TINY = new BenchModel("tiny", 4, List.of(), 3, 1, 100);

  /** 4 -> 10 -> 10 -> 3, batch 100: iris-sized. */
  public static final BenchModel SMALL = new BenchModel("small", 4, List.of(10, 10), 3, 100, 1000);

  /** 100 -> 512 -> 512 -> 10, batch 256. */
  public static final BenchModel MEDIUM =
      new BenchModel("medium", 100, List.of(512, 512), 10, 256, 4096);

  /** Name of the one feature, float32 [batch, inputDim]. */
  public static final String FEATURE = "x";

  /** Adagrad's learning rate, as in the iris sample. */
  public static final double LEARNING_RATE = 0.1;

  /** Seed of the data and of the kernels' initial values. */
  public static final long SEED = 42;

  public BenchModel {
    hidden = List.copyOf(hidden);
  }

  /** The model by name: tiny, small or medium. */
  public static BenchModel named(String name) {
    return switch (name) {
      case "tiny" -> TINY;
      case "small" -> SMALL;
      case "medium" -> MEDIUM;
      default ->
          throw new IllegalArgumentException(
              "Unknown benchmark model '" + name + "'; expected tiny, small or medium.");
    };
  }

  /** Graph ends of the training network. */
  public record Network(Operand<TFloat32> loss, Op trainOp) {}

  /**
   * Builds the network, its loss and its train op (which increments {@code globalStep}) in the
   * graph of {@code tf}; the kernels are seeded, so every call starts from the same weights.
   */
  public Network build(
      Ops tf, Operand<TFloat32> x, Operand<TInt32> labels, Variable<TInt64> globalStep) {
    List<Variable<? extends TNumber>> trainable = new ArrayList<>();
    Operand<TFloat32> net = x;
    for (int i = 0; i < hidden.size(); i++) {
      DenseLayer layer =
          Dense.builder(hidden.get(i))
              .activation(Activation.RELU)
              .seed(SEED + i)
              .build()
              .apply(tf.withSubScope("dense_" + i), net);
      trainable.addAll(layer.trainableVariables());
      net = layer.output();
    }
    DenseLayer logits =
        Dense.builder(classes)
            .seed(SEED + hidden.size())
            .build()
            .apply(tf.withSubScope("logits"), net);
    trainable.addAll(logits.trainableVariables());
    // Sparse softmax cross-entropy has no gradient in tensorflow-java: one-hot + dense version.
    Operand<TFloat32> oneHot =
        tf.oneHot(labels, tf.constant(classes), tf.constant(1f), tf.constant(0f));
    Operand<TFloat32> perExample =
        tf.nn.softmaxCrossEntropyWithLogits(logits.output(), oneHot).loss();
    Operand<TFloat32> loss = tf.math.mean(perExample, tf.constant(0));
    Op trainOp = Adagrad.of(LEARNING_RATE).minimize(tf, loss, trainable, globalStep);
    return new Network(loss, trainOp);
  }

  /** The model function of the Estimator side: {@link #build} on the input's feature and labels. */
  public ModelFn modelFn() {
    return ctx -> {
      Network n =
          build(
              ctx.tf(),
              ctx.feature(FEATURE, TFloat32.class),
              ctx.labels(TInt32.class),
              ctx.globalStep());
      return EstimatorSpec.builder(ctx.mode()).loss(n.loss()).trainOp(n.trainOp()).build();
    };
  }

  /**
   * The synthetic data fed by an ArrayInput, repeated forever in order (no shuffle, so both sides
   * see the same batches): {@link #rows} examples around one Gaussian centre per class.
   */
  public ArrayInput input() {
    Random random = new Random(SEED);
    float[][] centres = new float[classes][inputDim];
    for (float[] c : centres) {
      for (int j = 0; j < inputDim; j++) {
        c[j] = (float) random.nextGaussian() * 2f;
      }
    }
    float[][] x = new float[rows][inputDim];
    int[] y = new int[rows];
    for (int i = 0; i < rows; i++) {
      y[i] = random.nextInt(classes);
      for (int j = 0; j < inputDim; j++) {
        x[i][j] = centres[y[i]][j] + (float) random.nextGaussian();
      }
    }
    return ArrayInput.builder()
        .feature(FEATURE, x)
        .labels(y)
        .batchSize(batchSize)
        .numEpochs(null)
        .shuffle(false)
        .build();
  }

  /** E.g. {@code 4 -> 10 -> 10 -> 3, batch 100}. */
  public String describe() {
    StringBuilder s = new StringBuilder().append(inputDim);
    hidden.forEach(h -> s.append(" -> ").append(h));
    return s.append(" -> ").append(classes).append(", batch ").append(batchSize).toString();
  }
}
