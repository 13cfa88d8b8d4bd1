package io.estimator4j.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;

class CheckpointReaderTest {

  @TempDir Path dir;
  private Path prefix;

  @BeforeEach
  void save() {
    prefix = dir.resolve("model.ckpt-42");
    TestCheckpoints.save(prefix);
  }

  @Test
  void listsExactlyTheSavedVariablesSortedByName() throws IOException {
    try (CheckpointReader reader = CheckpointReader.open(prefix.toString())) {
      assertThat(reader.variables().keySet())
          .containsExactly(
              "dnn/hiddenlayer_0/bias",
              "dnn/hiddenlayer_0/kernel",
              "global_step",
              "learning_rate",
              "vocabulary");
      assertThat(reader.variables().values())
          .containsExactly(
              new VariableInfo("dnn/hiddenlayer_0/bias", DataType.DT_FLOAT, new long[] {3}),
              new VariableInfo("dnn/hiddenlayer_0/kernel", DataType.DT_FLOAT, new long[] {2, 3}),
              new VariableInfo("global_step", DataType.DT_INT64, new long[0]),
              new VariableInfo("learning_rate", DataType.DT_DOUBLE, new long[0]),
              new VariableInfo("vocabulary", DataType.DT_STRING, new long[] {2}));
      assertThat(reader.variable("dnn/hiddenlayer_0/kernel").numElements()).isEqualTo(6);
    }
  }

  @Test
  void readsBackTheSavedValues() throws IOException {
    try (CheckpointReader reader = CheckpointReader.open(prefix.toString())) {
      assertThat(reader.readFloats("dnn/hiddenlayer_0/kernel"))
          .containsExactly(TestCheckpoints.KERNEL);
      assertThat(reader.readFloats("dnn/hiddenlayer_0/bias")).containsExactly(TestCheckpoints.BIAS);
      assertThat(reader.readLongs("global_step")).containsExactly(TestCheckpoints.GLOBAL_STEP);
      assertThat(reader.readDoubles("learning_rate"))
          .containsExactly(TestCheckpoints.LEARNING_RATE);
      assertThat(
              Arrays.stream(reader.readBytes("vocabulary"))
                  .map(b -> new String(b, StandardCharsets.UTF_8)))
          .containsExactly(TestCheckpoints.VOCABULARY);
      try (Tensor kernel = reader.read("dnn/hiddenlayer_0/kernel")) {
        assertThat(kernel.shape()).isEqualTo(Shape.of(2, 3));
        assertThat(kernel.dataType()).isEqualTo(DataType.DT_FLOAT);
      }
    }
  }

  @Test
  void unknownNameListsTheClosestNames() throws IOException {
    try (CheckpointReader reader = CheckpointReader.open(prefix.toString())) {
      assertThatThrownBy(() -> reader.readFloats("dnn/hiddenlayer_0/kernal"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has no variable 'dnn/hiddenlayer_0/kernal'")
          .hasMessageContaining("[dnn/hiddenlayer_0/kernel, dnn/hiddenlayer_0/bias")
          .hasMessageContaining("variables()");
    }
  }

  @Test
  void wrongDtypeSaysWhichDtypeTheVariableHas() throws IOException {
    try (CheckpointReader reader = CheckpointReader.open(prefix.toString())) {
      assertThatThrownBy(() -> reader.readFloats("global_step"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("readFloats needs a DT_FLOAT tensor, but 'global_step'")
          .hasMessageContaining("is DT_INT64");
    }
  }

  @Test
  void closedReaderRefusesToRead() throws IOException {
    CheckpointReader reader = CheckpointReader.open(prefix.toString());
    reader.readLongs("global_step");
    reader.close();
    reader.close();
    assertThatThrownBy(() -> reader.read("global_step"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
  }

  @Test
  void existsNeedsTheIndexAndEveryDataShard() throws IOException {
    assertThat(CheckpointReader.exists(prefix.toString())).isTrue();
    assertThat(CheckpointReader.exists(dir.resolve("model.ckpt-4").toString())).isFalse();
    Files.delete(Path.of(prefix + ".data-00000-of-00001"));
    assertThat(CheckpointReader.exists(prefix.toString())).isFalse();
    assertThatThrownBy(() -> CheckpointReader.open(prefix.toString()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("is incomplete")
        .hasMessageContaining("model.ckpt-42.data-00000-of-00001 does not exist");
  }
}
