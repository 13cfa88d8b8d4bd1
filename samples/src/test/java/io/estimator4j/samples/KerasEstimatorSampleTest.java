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

class KerasEstimatorSampleTest {
  @TempDir Path dir;

  @Test
  void trainsEvaluatesExportsAndPrintsJsonLast() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      assertThat(KerasEstimatorSample.run(dir, 50, out)).isZero();
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
    JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
    assertThat(json.get("global_step").asLong()).isEqualTo(50);
    assertThat(json.get("loss").asDouble()).isPositive();
    assertThat(json.get("accuracy").asDouble()).isBetween(0.0, 1.0);
    assertThat(dir.resolve("checkpoint")).exists();
    Path exportBase = dir.resolve("export");
    assertThat(exportBase).isDirectory();
    try (Stream<Path> exports = Files.list(exportBase)) {
      assertThat(exports.filter(p -> Files.isRegularFile(p.resolve("saved_model.pb")))).hasSize(1);
    }
  }

  @Test
  @Tag("slow")
  void theDefaultStepsLearnIris() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      assertThat(KerasEstimatorSample.run(dir, KerasEstimatorSample.DEFAULT_STEPS, out)).isZero();
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
    JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
    // measured 0.9333 (28 of the 30 test rows); the file's own weights start at 0.2667
    assertThat(json.get("accuracy").asDouble()).isGreaterThanOrEqualTo(0.9);
  }
}
