package io.estimator4j.estimator.layers;

import io.estimator4j.graph.GraphCollections;
import io.estimator4j.graph.Initializer;
import io.estimator4j.graph.Initializers;
import io.estimator4j.graph.Variables;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A densely connected layer, {@code output = activation(input · kernel + bias)}; Java counterpart
 * of tf.keras.layers.Dense and tf.compat.v1.layers.dense.
 *
 * <p>The configuration is immutable and can be applied to several graphs. {@link #apply} creates
 * the variables {@code <scope>/kernel} and {@code <scope>/bias} in the scope it is given, so with
 * {@code tf.withSubScope("dnn").withSubScope("hiddenlayer_0")} they get tf.estimator's names. The
 * variables are read through {@code <variable>/read} and the ops are named {@code MatMul}, {@code
 * BiasAdd} and after the activation, as in Python.
 */
public final class Dense {
  /** Default activation: none ({@code linear}), as in Keras. */
  public static final Activation DEFAULT_ACTIVATION = Activation.LINEAR;

  /** By default the layer has a bias. */
  public static final boolean DEFAULT_USE_BIAS = true;

  /** Default bias initializer: zeros. */
  public static final Initializer DEFAULT_BIAS_INITIALIZER = Initializers.zeros();

  private final int units;
  private final Activation activation;
  private final boolean useBias;
  private final Initializer kernelInitializer;
  private final Initializer biasInitializer;

  private Dense(Builder b) {
    this.units = b.units;
    this.activation = b.activation;
    this.useBias = b.useBias;
    this.kernelInitializer =
        b.kernelInitializer != null ? b.kernelInitializer : Initializers.glorotUniform(b.seed);
    this.biasInitializer = b.biasInitializer;
  }

  /** Starts a configuration with {@code units} outputs (must be positive). */
  public static Builder builder(int units) {
    return new Builder(units);
  }

  /** Number of output units. */
  public int units() {
    return units;
  }

  /** The activation applied after the bias. */
  public Activation activation() {
    return activation;
  }

  /** Whether the layer adds a bias. */
  public boolean useBias() {
    return useBias;
  }

  /**
   * Builds the layer on {@code input} in the scope of {@code scopeOps}.
   *
   * @param scopeOps the layer's scope, e.g. {@code
   *     tf.withSubScope("dnn").withSubScope("hiddenlayer_0")}
   * @param input float values of rank 2 or more whose last dimension is known
   * @return the output and the new variables
   * @throws IllegalArgumentException if the input's rank or last dimension is unknown, or the scope
   *     already holds a kernel
   */
  public DenseLayer apply(Ops scopeOps, Operand<TFloat32> input) {
    long inputDim = inputDim(input);
    Variable<TFloat32> kernel =
        Variables.global(scopeOps, "kernel", Shape.of(inputDim, units), kernelInitializer);
    Optional<Variable<TFloat32>> bias =
        useBias
            ? Optional.of(Variables.global(scopeOps, "bias", Shape.of(units), biasInitializer))
            : Optional.empty();
    GraphCollections.add(scopeOps.scope(), GraphCollections.TRAINABLE_VARIABLES, kernel);
    bias.ifPresent(
        b -> GraphCollections.add(scopeOps.scope(), GraphCollections.TRAINABLE_VARIABLES, b));

    Operand<TFloat32> outputs = matMul(scopeOps, input, Variables.read(scopeOps, kernel), inputDim);
    if (bias.isPresent()) {
      outputs = scopeOps.nn.biasAdd(outputs, Variables.read(scopeOps, bias.get()));
    }
    return new DenseLayer(activation.apply(scopeOps, outputs), kernel, bias);
  }

  /**
   * Builds the layer on {@code input}, asking {@code weights} for {@code kernel} {@code [input_dim,
   * units]} and {@code bias} {@code [units]} (Keras's order); for restored or constant weights,
   * e.g. a Keras model's.
   *
   * @return the activated output, shape {@code [..., units]}
   * @throws IllegalArgumentException if the input's rank or last dimension is unknown
   */
  public Operand<TFloat32> apply(Ops scopeOps, Operand<TFloat32> input, Weights weights) {
    long inputDim = inputDim(input);
    Operand<TFloat32> kernel =
        weights.get(scopeOps, "kernel", Shape.of(inputDim, units), kernelInitializer, true);
    Operand<TFloat32> outputs = matMul(scopeOps, input, kernel, inputDim);
    if (useBias) {
      outputs =
          scopeOps.nn.biasAdd(
              outputs, weights.get(scopeOps, "bias", Shape.of(units), biasInitializer, true));
    }
    return activation.apply(scopeOps, outputs);
  }

  private static long inputDim(Operand<TFloat32> input) {
    Shape inShape = input.shape();
    if (inShape.isUnknown() || inShape.numDimensions() < 2) {
      throw new IllegalArgumentException(
          "Dense expects an input of rank 2 or more ([batch, ..., features]); found shape "
              + inShape
              + ". Reshape the input or give it a static rank.");
    }
    long inputDim = inShape.get(inShape.numDimensions() - 1);
    if (inputDim == Shape.UNKNOWN_SIZE) {
      throw new IllegalArgumentException(
          "The last dimension of the inputs to a Dense layer should be defined; found shape "
              + inShape
              + ". Give the input a static last dimension (e.g. with tf.ensureShape or reshape).");
    }
    return inputDim;
  }

  /** MatMul for rank 2; for higher ranks flatten to [-1, in], multiply, restore [..., units]. */
  private Operand<TFloat32> matMul(
      Ops tf, Operand<TFloat32> input, Operand<TFloat32> kernel, long inputDim) {
    int rank = input.shape().numDimensions();
    if (rank == 2) {
      return tf.linalg.matMul(input, kernel);
    }
    Ops t = tf.withSubScope("Tensordot");
    Operand<TFloat32> flat = t.reshape(input, t.constant(new long[] {-1, inputDim}));
    Operand<TFloat32> product = t.linalg.matMul(flat, kernel);
    Operand<TInt32> leading =
        t.slice(t.shape(input), t.constant(new int[] {0}), t.constant(new int[] {rank - 1}));
    Operand<TInt32> outShape =
        t.concat(List.of(leading, t.constant(new int[] {units})), t.constant(0));
    // Reshape through a shape tensor loses the static shape: restore it ([..., units]).
    long[] staticShape = input.shape().asArray();
    staticShape[rank - 1] = units;
    return t.ensureShape(t.reshape(product, outShape), Shape.of(staticShape));
  }

  @Override
  public String toString() {
    return "Dense(units=" + units + ", activation=" + activation + ", useBias=" + useBias + ")";
  }

  /** Builder of {@link Dense}; every setting but {@code units} has a Keras default. */
  public static final class Builder {
    private final int units;
    private Activation activation = DEFAULT_ACTIVATION;
    private boolean useBias = DEFAULT_USE_BIAS;
    private Initializer kernelInitializer;
    private Initializer biasInitializer = DEFAULT_BIAS_INITIALIZER;
    private Long seed;

    private Builder(int units) {
      this.units = units;
    }

    /** The activation (default {@link Activation#LINEAR}). */
    public Builder activation(Activation activation) {
      this.activation = Objects.requireNonNull(activation, "activation");
      return this;
    }

    /** Whether to add a bias (default true). */
    public Builder useBias(boolean useBias) {
      this.useBias = useBias;
      return this;
    }

    /** The kernel initializer (default {@link Initializers#glorotUniform(Long)} with the seed). */
    public Builder kernelInitializer(Initializer kernelInitializer) {
      this.kernelInitializer = Objects.requireNonNull(kernelInitializer, "kernelInitializer");
      return this;
    }

    /** The bias initializer (default {@link Initializers#zeros()}). */
    public Builder biasInitializer(Initializer biasInitializer) {
      this.biasInitializer = Objects.requireNonNull(biasInitializer, "biasInitializer");
      return this;
    }

    /** Seed of the default glorot_uniform kernel initializer (default: none). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws IllegalArgumentException if units is not positive, or a seed is combined with an
     *     explicit kernel initializer
     */
    public Dense build() {
      if (units <= 0) {
        throw new IllegalArgumentException(
            "Dense units must be a positive integer; found " + units + ".");
      }
      if (seed != null && kernelInitializer != null) {
        throw new IllegalArgumentException(
            "seed only applies to the default glorot_uniform kernel initializer; pass the seed to"
                + " your initializer instead, e.g. Initializers.glorotUniform(seed).");
      }
      return new Dense(this);
    }
  }
}
