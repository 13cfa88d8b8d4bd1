package io.estimator4j.samples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IrisCustomTest {
  @TempDir Path dir;

  @Test
  void reachesTensorFlowsAccuracyAndPrintsJsonLast() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      assertThat(IrisCustom.run(dir, 1000, 42, out)).isZero();
    }
    String[] lines = bytes.toString(StandardCharsets.UTF_8).strip().split("\n");
    JsonNode json = new ObjectMapper().readTree(lines[lines.length - 1]);
    // TensorFlow's guide reports 0.967 on the 30 test rows; the issue asks for at least 0.93
    assertThat(json.get("accuracy").asDouble()).isGreaterThanOrEqualTo(0.93);
    assertThat(json.get("global_step").asLong()).isEqualTo(1000);
    assertThat(json.get("loss").asDouble()).isLessThan(0.3);
    assertThat(dir.resolve("checkpoint")).exists();
    assertThat(dir.resolve("eval")).isDirectory();
  }
}
