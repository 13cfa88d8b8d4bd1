package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.ArrayInput;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;

/**
 * Keras 3 archives carry their compile() arguments as {@code compile_config}: the optimizer as an
 * object or as the name given to compile(), losses and metrics as objects or serialized functions.
 * model_to_estimator reads them like a Keras 2 training_config.
 */
class KerasCompileConfigTest {
  @TempDir Path dir;

  /** x [null, 1] -> Dense(1, kernel 1, bias 0), with {@code compile} as its compile_config. */
  private Path archive(String compile) throws IOException {
    String config =
        """
        {"module": "keras", "class_name": "Functional", "config": {"name": "f", "layers": [
          {"module": "keras.layers", "class_name": "InputLayer", "name": "x",
           "config": {"batch_shape": [null, 1], "dtype": "float32", "name": "x"},
           "inbound_nodes": []},
          {"module": "keras.layers", "class_name": "Dense", "name": "dense",
           "config": {"name": "dense", "units": 1, "activation": "linear", "use_bias": true,
             "kernel_initializer": {"module": "keras.initializers", "class_name": "Ones",
               "config": {}},
             "bias_initializer": {"module": "keras.initializers", "class_name": "Zeros",
               "config": {}}},
           "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
             "shape": [null, 1], "dtype": "float32", "keras_history": ["x", 0, 0]}}],
             "kwargs": {}}]}],
         "input_layers": [["x", 0, 0]], "output_layers": [["dense", 0, 0]]},
         "compile_config": %s}
        """
            .formatted(compile);
    Path file = dir.resolve("model.keras");
    TestFiles.writeKeras3(file, config, null);
    return file;
  }

  private Estimator estimator(String compile) throws IOException {
    return KerasEstimators.modelToEstimator(
        KerasModelFile.read(archive(compile)),
        RunConfig.builder().modelDir(dir.resolve("model")).build());
  }

  private static ArrayInput one(int epochs) {
    return ArrayInput.builder()
        .feature("x", new float[][] {{1}})
        .labels(new float[] {0})
        .batchSize(1)
        .shuffle(false)
        .numEpochs(epochs)
        .build();
  }

  private static float value(Estimator e, String variable) {
    try (Tensor t = e.variableValue(variable)) {
      return ((TFloat32) t).asRawTensor().data().asFloats().getFloat(0);
    }
  }

  @Test
  void anOptimizerNamedInCompileGetsKerasDefaultsAndFunctionsAreRead() throws IOException {
    Estimator e =
        estimator(
            """
        {"optimizer": "adam",
         "loss": {"module": "keras.losses", "class_name": "function",
           "config": "mean_squared_error", "registered_name": "function"},
         "metrics": [{"module": "keras.metrics", "class_name": "function", "config": "mae",
           "registered_name": "function"}],
         "loss_weights": null, "weighted_metrics": null, "run_eagerly": false,
         "steps_per_execution": 1, "jit_compile": false}
        """);
    e.train(one(1), StepLimit.steps(1));
    // y = w x + b = 1 against 0: d(mse)/dw = d/db = 2; Adam's first step moves each by
    // lr * m̂ / (sqrt(v̂) + eps) = 0.001 * 2 / (2 + 1e-7) = 0.001 (Keras 3's default lr for "adam")
    assertThat(value(e, "dense/kernel")).isCloseTo(0.999f, within(1e-6f));
    assertThat(value(e, "dense/bias")).isCloseTo(-0.001f, within(1e-6f));
    Map<String, Double> metrics = e.evaluate(one(1));
    // mae = |0.999 - 0.001 - 0| = 0.998
    assertThat(metrics.get("mae")).isCloseTo(0.998, within(1e-5));
  }

  @Test
  void optimizerAndLossObjectsAndUnsupportedSettings() throws IOException {
    Estimator e =
        estimator(
            """
        {"optimizer": {"module": "keras.optimizers", "class_name": "SGD", "config": {
           "name": "SGD", "learning_rate": 0.1, "weight_decay": null, "clipnorm": null,
           "global_clipnorm": null, "clipvalue": null, "use_ema": false, "ema_momentum": 0.99,
           "ema_overwrite_frequency": null, "loss_scale_factor": null,
           "gradient_accumulation_steps": null, "momentum": 0.0, "nesterov": false},
           "registered_name": null},
         "loss": {"module": "keras.losses", "class_name": "MeanSquaredError", "config": {
           "name": "mean_squared_error", "reduction": "sum_over_batch_size"},
           "registered_name": null},
         "metrics": null}
        """);
    e.train(one(1), StepLimit.steps(1));
    // SGD: w = 1 - 0.1 * 2
    assertThat(value(e, "dense/kernel")).isCloseTo(0.8f, within(1e-6f));
    assertThatThrownBy(
            () ->
                estimator(
                    """
        {"optimizer": {"class_name": "Adam", "config": {"learning_rate": 0.01,
           "clipnorm": 1.0}}, "loss": "mse"}
        """))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clipnorm=1.0");
    assertThatThrownBy(() -> estimator("{\"optimizer\": \"lion\", \"loss\": \"mse\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'lion'");
  }
}
