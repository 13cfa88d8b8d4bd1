package io.estimator4j.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed's InceptionV3 example end to end (minutes on a CPU: tagged slow). */
class KerasInceptionSampleTest {
  @TempDir Path dir;

  @Test
  @Tag("slow")
  void inceptionV3TrainsThroughModelToEstimatorEvaluatesAndExports() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    KerasInceptionSample.Throughput t;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      t = KerasInceptionSample.run(dir, KerasApplications.App.INCEPTION_V3, 2, 1, out);
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
    JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertThat(json.get("global_step").asLong()).isEqualTo(2);
    // 1000 classes from random weights: the cross-entropy is near ln(1000) = 6.9
    assertThat(json.get("loss").asDouble()).isBetween(4.0, 10.0);
    assertThat(t.train()).isPositive();
    assertThat(t.rawTrain()).isPositive();
    assertThat(t.predict()).isPositive();
    assertThat(t.rawPredict()).isPositive();
    Path model = dir.resolve("model");
    assertThat(model.resolve("keras/keras_model.ckpt.index")).isRegularFile();
    // 95 MB of weights live in the checkpoints only: the graph files stay small. graph.pbtxt is
    // text with _output_shapes on every node (as Python writes it): about 9 MB for InceptionV3's
    // 4,000 nodes, far below the 95 MB (and 4x that as text) the weights as constants would add
    assertThat(Files.size(model.resolve("graph.pbtxt"))).isLessThan(20_000_000);
    try (Stream<Path> exports = Files.list(dir.resolve("export"))) {
      Path export = exports.findFirst().orElseThrow();
      assertThat(export.resolve("saved_model.pb")).isRegularFile();
      assertThat(Files.size(export.resolve("saved_model.pb"))).isLessThan(5_000_000);
    }
  }
}
