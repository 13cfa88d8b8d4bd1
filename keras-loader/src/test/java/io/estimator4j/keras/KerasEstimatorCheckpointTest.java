package io.estimator4j.keras;

import static org.assertj.core.api.Assertions.assertThat;

import io.estimator4j.checkpoint.CheckpointReader;
import io.estimator4j.estimator.Estimator;
import io.estimator4j.estimator.StepLimit;
import io.estimator4j.estimator.config.RunConfig;
import io.estimator4j.estimator.input.ArrayInput;
import io.estimator4j.keras.file.KerasWeights;
import io.estimator4j.keras.file.WeightArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.ndarray.Shape;

/**
 * modelToEstimator at scale, as model_to_estimator did it: the Keras weights are saved once as
 * {@code <model_dir>/keras/keras_model.ckpt} and every Keras variable is warm-started from it, so
 * no graph the Estimator builds or writes (graph.pbtxt, the event file's graph) holds the weights.
 */
class KerasEstimatorCheckpointTest {
  @TempDir Path dir;

  /** Dense(500) on 1000 features, then Dense(2, softmax): 500,500 + 1,002 floats, about 2 MB. */
  private KerasModelFile bigModel(double learningRate) throws Exception {
    Path json = dir.resolve("big.json");
    Files.writeString(
        json,
        """
        {"class_name": "Sequential", "keras_version": "2.9.0", "config": {"name": "s", "layers": [
          {"class_name": "InputLayer", "config": {"name": "x", "batch_input_shape": [null, 1000]}},
          {"class_name": "Dense", "config": {"name": "d1", "units": 500, "activation": "relu"}},
          {"class_name": "Dense", "config": {"name": "d2", "units": 2, "activation": "softmax"}}]}}
        """);
    Random r = new Random(1);
    Map<String, KerasWeights.Group> groups = new LinkedHashMap<>();
    groups.put(
        "d1",
        new KerasWeights.Group(
            List.of(arr(r, "d1/kernel:0", 1000, 500), arr(r, "d1/bias:0", 500)), Map.of()));
    groups.put(
        "d2",
        new KerasWeights.Group(
            List.of(arr(r, "d2/kernel:0", 500, 2), arr(r, "d2/bias:0", 2)), Map.of()));
    Path weights = dir.resolve("big.h5");
    TestFiles.writeKeras2Weights(
        weights,
        new KerasWeights(KerasWeights.Layout.KERAS2, new KerasWeights.Group(List.of(), groups)),
        1);
    return KerasModelFile.read(json, weights);
  }

  private static WeightArray arr(Random r, String name, long... shape) {
    float[] v = new float[(int) Shape.of(shape).size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) r.nextGaussian() * 0.05f;
    }
    return new WeightArray(name, Shape.of(shape), v);
  }

  private static String training(double lr) {
    return "{\"loss\": \"sparse_categorical_crossentropy\", \"optimizer_config\": {\"class_name\":"
        + " \"SGD\", \"config\": {\"learning_rate\": "
        + lr
        + "}}}";
  }

  private static ArrayInput input() {
    float[][] x = new float[4][1000];
    Random r = new Random(2);
    for (float[] row : x) {
      for (int i = 0; i < row.length; i++) {
        row[i] = r.nextFloat();
      }
    }
    return ArrayInput.builder()
        .feature("x", x)
        .labels(new int[] {0, 1, 0, 1})
        .batchSize(4)
        .numEpochs(null)
        .shuffle(false)
        .build();
  }

  @Test
  void theWeightsLiveInKerasModelCkptNotInTheGraphs() throws Exception {
    KerasModelFile file = bigModel(0);
    Path modelDir = dir.resolve("model");
    // learning rate 1e-30: w - 1e-30 * g rounds to w in float32, so one step leaves the
    // variables where the warm start put them
    Estimator est =
        KerasEstimators.modelToEstimator(
            file, training(1e-30), RunConfig.builder().modelDir(modelDir).build());
    assertThat(modelDir.resolve("keras/keras_model.ckpt.index")).isRegularFile();
    assertThat(modelDir.resolve("keras/keras_model.ckpt.data-00000-of-00001")).isRegularFile();
    assertThat(Files.readString(modelDir.resolve("keras/checkpoint")))
        .contains("model_checkpoint_path: \"keras_model.ckpt\"");
    est.train(input(), StepLimit.steps(1));

    // 501,502 floats = 2,006,008 bytes of weights; the written graphs hold none of them
    assertThat(Files.size(modelDir.resolve("graph.pbtxt"))).isLessThan(200_000);
    try (Stream<Path> files = Files.list(modelDir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().startsWith("events.")).toList()) {
        assertThat(Files.size(f)).as(f.toString()).isLessThan(200_000);
      }
    }
    try (Stream<Path> files = Files.list(modelDir)) {
      Path meta =
          files.filter(p -> p.getFileName().toString().endsWith(".meta")).findFirst().orElse(null);
      if (meta != null) {
        assertThat(Files.size(meta)).isLessThan(200_000);
      }
    }
    // every Keras variable started from the file's values
    KerasWeights w = file.weights().orElseThrow();
    try (CheckpointReader ckpt =
        CheckpointReader.open(modelDir.resolve("model.ckpt-1").toString())) {
      for (String layer : List.of("d1", "d2")) {
        List<WeightArray> vars = w.root().group(layer).vars();
        // (Arrays.equals: AssertJ's element-wise diff is quadratic on 500,000 values)
        assertThat(
                java.util.Arrays.equals(ckpt.readFloats(layer + "/kernel"), vars.get(0).values()))
            .as(layer + "/kernel")
            .isTrue();
        assertThat(ckpt.readFloats(layer + "/bias")).containsExactly(vars.get(1).values());
      }
    }
  }

  @Test
  void anExistingKerasCheckpointIsKept() throws Exception {
    KerasModelFile file = bigModel(0);
    Path modelDir = dir.resolve("model2");
    KerasEstimators.modelToEstimator(
        file, training(0.1), RunConfig.builder().modelDir(modelDir).build());
    Path index = modelDir.resolve("keras/keras_model.ckpt.index");
    long written = Files.getLastModifiedTime(index).toMillis();
    Thread.sleep(20);
    KerasEstimators.modelToEstimator(
        file, training(0.1), RunConfig.builder().modelDir(modelDir).build());
    assertThat(Files.getLastModifiedTime(index).toMillis()).isEqualTo(written);
  }
}
